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
    enum State { QUEUED, RUNNING, WAITING, DONE }

    private static final VarHandle COMPLETION;
    /** The outcome of a task that ended normally ({@link #outcome} of one that failed is what it threw). */
    private static final Object SUCCESS = new Object();

    static {
        try {
            COMPLETION = MethodHandles.lookup().findVarHandle(Task.class, "completion", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final EventLoop loop;
    final Coroutine coroutine;
    /**
     * The name, or for a connection's task its {@link TcpSocket} until someone asks for the name: it is built
     * then, not a string per connection (one field for both keeps the task at 64 bytes).
     */
    private volatile Object name;
    /** Links of the loop's {@link LiveTasks}. */
    Task prevLive, nextLive;
    /**
     * Made on the first call of {@link #completion()}: most connections' tasks are never asked, and a future each
     * is heap per connection. Until then {@link #outcome} alone records the end.
     */
    @SuppressWarnings("unused") // through COMPLETION
    private volatile CompletableFuture<Void> completion;
    /** Null while the task has not ended; then {@link #SUCCESS} or the failure. */
    private volatile Object outcome;

    State state = State.QUEUED;
    /** What it waits for while WAITING, else null. */
    Blocker blocker;
    /** The timeout of the operation it waits in, if any. */
    Timer waitTimer;
    /** Handed to the resumed wait: a value, or an exception thrown at the suspension point. */
    Object value;
    Throwable pending;
    /** False for submit(), whose caller receives the failure instead of the log. */
    boolean logFailure = true;
    /** What it is to a {@code dev.spindle.sched} primitive it waits on. */
    final TaskParty party = new TaskParty(this);
    /**
     * Woken by a completed hand-off of a sched primitive (a value, a lock, a permit) and not yet run: an
     * interruption now must not take the place of what it was handed, so it is deferred.
     */
    boolean handedOff;
    /** An interruption (timeout, shutdown) that came after a hand-off: thrown at its next suspension. */
    Throwable deferred;

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

    /** The name given to {@code spawn}, e.g. {@code conn /127.0.0.1:52114}: it appears in logs. */
    public String name() {
        Object n = name;
        if (n instanceof TcpSocket s) name = n = "conn " + s.peer(); // racing threads build equal strings
        return (String) n;
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
        CompletableFuture<Void> f = (CompletableFuture<Void>) COMPLETION.getVolatile(this);
        if (f != null) return f;
        f = new CompletableFuture<>();
        if (!COMPLETION.compareAndSet(this, null, f)) return (CompletableFuture<Void>) COMPLETION.getVolatile(this);
        settle(f, outcome); // the task may have ended before the future existed
        return f;
    }

    /**
     * Records the end: {@code failure} null for a normal one. Loop thread. Whichever of this and a first
     * {@link #completion()} comes second settles the future (both may: completing twice is harmless), since each
     * writes its own volatile field before reading the other's.
     */
    void complete(Throwable failure) {
        outcome = failure == null ? SUCCESS : failure;
        settle((CompletableFuture<Void>) COMPLETION.getVolatile(this), outcome);
    }

    private static void settle(CompletableFuture<Void> f, Object outcome) {
        if (f == null || outcome == null) return;
        if (outcome == SUCCESS) {
            f.complete(null);
        } else {
            f.completeExceptionally((Throwable) outcome);
        }
    }

    /** True once the body has returned or thrown. Safe from any thread. */
    public boolean isDone() {
        return outcome != null;
    }

    @Override
    public String toString() {
        return "Task[" + name + ", " + state + "]";
    }
}
