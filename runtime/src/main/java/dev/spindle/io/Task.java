package dev.spindle.io;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableRunnable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * A coroutine running on an {@link EventLoop}: the handle {@link EventLoop#spawn} returns. Its state is only
 * touched on the loop's thread; {@link #completion()} is the thread-safe way to learn it ended.
 *
 * <pre>{@code
 * Task t = loop.spawn("ticker", () -> { for (int i = 0; i < 3; i++) EventLoop.sleep(Duration.ofSeconds(1)); });
 * t.completion().join();   // from another thread
 * }</pre>
 */
public final class Task {
    // what the loop is doing with it; a byte rather than an enum reference, in every connection's task
    static final byte QUEUED = 0, RUNNING = 1, WAITING = 2, DONE = 3;
    private static final String[] STATES = {"QUEUED", "RUNNING", "WAITING", "DONE"};

    private static final VarHandle END;
    /** The outcome of a task that ended normally (the outcome of one that failed is what it threw). */
    private static final Object SUCCESS = new Object();

    static {
        try {
            END = MethodHandles.lookup().findVarHandle(Task.class, "end", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Coroutine coroutine;
    /**
     * Its loop; or for a connection's task its {@link TcpSocket}, whose loop it is, from which its name is built
     * whenever asked (for a log message) rather than kept as a string, and which the loop closes when the task
     * ends. One field for both: every field of a task is heap per connection. (A spawned task's name is its
     * coroutine's.)
     */
    private final Object owner;
    /** Links of the loop's {@link LiveTasks}. */
    Task prevLive, nextLive;
    /**
     * How it ended, and the future of {@link #completion()} once someone asks for it (most connections' tasks
     * never are, and a future each would be heap per connection): null while running and not asked; a
     * {@link Completion} once asked; else {@link #SUCCESS} or the failure.
     */
    @SuppressWarnings("unused") // through END
    private volatile Object end;

    byte state = QUEUED;
    /** False for submit(), whose caller receives the failure instead of the log. */
    boolean logFailure = true;
    /** Queued again by {@code yieldNow()}: it was handed nothing, so an interruption is thrown at that yield. */
    boolean yielded;
    /** What it waits for while WAITING, else null. */
    Blocker blocker;
    /**
     * While it waits, the {@link Timer} of its wait's timeout, if any; once woken and queued, the exception to
     * throw at its suspension point, if any. A wait's timer is withdrawn before it is woken, and what it is
     * woken with is taken when it runs, so the two never need the field at once.
     */
    private Object waitState;
    /**
     * What it is to the {@code dev.spindle.sched} primitives it waits on, made the first time it waits on one:
     * most connections never do.
     */
    private TaskParty party;

    Task(EventLoop loop, String name, SuspendableRunnable body) {
        this.owner = loop;
        this.coroutine = new Coroutine(name, body);
    }

    /** The task serving {@code connection}, named {@code conn <peer>}. */
    Task(TcpSocket connection, SuspendableRunnable body) {
        this.owner = connection;
        this.coroutine = new Coroutine(body); // unnamed: the name would be a string per connection
    }

    /** Its party for {@code dev.spindle.sched} waits, one for its whole life (a lock's owner is compared by it). */
    TaskParty party() {
        TaskParty p = party;
        if (p == null) party = p = new TaskParty(this);
        return p;
    }

    /** Its party if it ever had one, else null: then it was never handed anything by a sched primitive. */
    TaskParty partyIfAny() {
        return party;
    }

    /** The name given to {@code spawn}, e.g. {@code conn /127.0.0.1:52114}: it appears in logs. */
    public String name() {
        return owner instanceof TcpSocket s ? "conn " + s.peer() : coroutine.name();
    }

    /** The connection this task serves, or null if it is not a connection's task. */
    TcpSocket connection() {
        return owner instanceof TcpSocket s ? s : null;
    }

    /** Starts the timeout of the wait it begins. */
    void setWaitTimer(Timer timer) {
        waitState = timer;
    }

    /** The timeout of the wait it ends, which it no longer has, or null. */
    Timer takeWaitTimer() {
        if (!(waitState instanceof Timer timer)) return null;
        waitState = null;
        return timer;
    }

    /** What it is woken with (null: nothing to throw); its wait's timer has been withdrawn. */
    void setPending(Throwable failure) {
        waitState = failure;
    }

    Throwable pending() {
        return waitState instanceof Throwable e ? e : null;
    }

    /** What to throw at its suspension point as it runs, which it no longer has, or null. */
    Throwable takePending() {
        if (!(waitState instanceof Throwable e)) return null;
        waitState = null;
        return e;
    }

    /** The loop it runs on, for its whole life. */
    public EventLoop loop() {
        return owner instanceof TcpSocket s ? s.loop : (EventLoop) owner;
    }

    /**
     * Completes when the body returns, or exceptionally with what escaped it (or with a
     * {@link java.util.concurrent.CancellationException} if the loop shut down first).
     */
    public CompletableFuture<Void> completion() {
        for (;;) {
            Object e = END.getVolatile(this);
            if (e instanceof Completion c) return c;
            Completion c = new Completion(loop(), e);
            if (END.compareAndSet(this, e, c)) return c; // an end already recorded is settled in the constructor
        }
    }

    /** Records the end, {@code failure} null for a normal one, and settles the future if someone asked. Loop thread. */
    void complete(Throwable failure) {
        Object outcome = failure == null ? SUCCESS : failure;
        for (;;) {
            Object e = END.getVolatile(this);
            if (e instanceof Completion c) {
                c.settle(outcome);
                return;
            }
            if (END.compareAndSet(this, e, outcome)) return;
        }
    }

    /**
     * Cancels it, as Kotlin's {@code Job.cancel()}: a {@link java.util.concurrent.CancellationException} is thrown
     * where it is suspended (its wait withdrawn), or at its next suspension if it is running, and again at each
     * later suspension, so that its {@code finally} blocks run and cleanup that would wait fails at once; a
     * task not started yet ends without running. Unless the body catches it and returns, {@link #completion()}
     * completes with it (not logged as a failure). A wait that had completed before the cancellation reached
     * the loop (a value handed over, a socket that became ready) is not undone: the exception comes at the next
     * suspension. Cancelling the future of {@link EventLoop#submit} cancels its task (that future is done at once,
     * as any cancelled {@code CompletableFuture} is, while the coroutine's {@code finally} blocks may still run).
     * Any thread; a task done or cancelled already is left alone.
     *
     * <pre>{@code
     * Task poller = loop.spawn("poller", () -> { for (;;) { poll(); EventLoop.sleep(Duration.ofSeconds(1)); } });
     * poller.cancel();
     * }</pre>
     */
    public void cancel() {
        EventLoop loop = loop();
        if (loop.inLoop()) {
            loop.cancel(this);
            return;
        }
        try {
            loop.execute(() -> loop.cancel(this));
        } catch (java.util.concurrent.RejectedExecutionException terminated) {
            // the loop has ended: its tasks were cancelled as it did
        }
    }

    /** True once the body has returned or thrown. Safe from any thread. */
    public boolean isDone() {
        Object e = END.getVolatile(this);
        return e instanceof Completion c ? c.outcome != null : e != null;
    }

    /** The future of {@link #completion()}, which also keeps the outcome: a caller may complete a future itself. */
    private static final class Completion extends LoopFuture<Void> {
        volatile Object outcome;

        Completion(EventLoop loop, Object outcome) {
            super(loop);
            if (outcome != null) settle(outcome);
        }

        void settle(Object o) {
            outcome = o;
            if (o == SUCCESS) {
                complete(null);
            } else {
                completeExceptionally((Throwable) o);
            }
        }
    }

    @Override
    public String toString() {
        return "Task[" + name() + ", " + STATES[state] + "]";
    }
}
