package dev.spindle.io;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableRunnable;
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

    final EventLoop loop;
    final Coroutine coroutine;
    private final String name;
    private final CompletableFuture<Void> completion = new CompletableFuture<>();

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

    /** The name given to {@code spawn}, e.g. {@code conn /127.0.0.1:52114}: it appears in logs. */
    public String name() {
        return name;
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
        return completion;
    }

    /** True once the body has returned or thrown. Safe from any thread. */
    public boolean isDone() {
        return completion.isDone();
    }

    @Override
    public String toString() {
        return "Task[" + name + ", " + state + "]";
    }
}
