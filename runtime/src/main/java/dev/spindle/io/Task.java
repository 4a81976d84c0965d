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

    final EventLoop loop;
    final Coroutine coroutine;
    /**
     * The name, or for a connection's task its {@link TcpSocket}: the name is built from it whenever asked (for
     * a log message), not kept as a string per connection, and the loop closes it when the task ends.
     */
    private final Object name;
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
    /** What it waits for while WAITING, else null. */
    Blocker blocker;
    /** The timeout of the operation it waits in, if any. */
    Timer waitTimer;
    /** Thrown at its suspension point when it is next resumed, if not null. */
    Throwable pending;
    /**
     * What it is to the {@code dev.spindle.sched} primitives it waits on, made the first time it waits on one:
     * most connections never do.
     */
    private TaskParty party;

    Task(EventLoop loop, String name, SuspendableRunnable body) {
        this.loop = loop;
        this.name = name;
        this.coroutine = new Coroutine(name, body);
    }

    /** The task serving {@code connection}, named {@code conn <peer>}. */
    Task(EventLoop loop, TcpSocket connection, SuspendableRunnable body) {
        this.loop = loop;
        this.name = connection;
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
        Object n = name;
        return n instanceof TcpSocket s ? "conn " + s.peer() : (String) n;
    }

    /** The connection this task serves, or null if it is not a connection's task. */
    TcpSocket connection() {
        return name instanceof TcpSocket s ? s : null;
    }

    /** The loop it runs on, for its whole life. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Completes when the body returns, or exceptionally with what escaped it (or with a
     * {@link java.util.concurrent.CancellationException} if the loop shut down first).
     */
    public CompletableFuture<Void> completion() {
        for (;;) {
            Object e = END.getVolatile(this);
            if (e instanceof Completion c) return c;
            Completion c = new Completion(e);
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

    /** True once the body has returned or thrown. Safe from any thread. */
    public boolean isDone() {
        Object e = END.getVolatile(this);
        return e instanceof Completion c ? c.outcome != null : e != null;
    }

    /** The future of {@link #completion()}, which also keeps the outcome: a caller may complete a future itself. */
    private static final class Completion extends CompletableFuture<Void> {
        volatile Object outcome;

        Completion(Object outcome) {
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
        return "Task[" + name + ", " + STATES[state] + "]";
    }
}
