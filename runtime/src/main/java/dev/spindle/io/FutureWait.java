package dev.spindle.io;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;

/**
 * A task's wait on a future ({@code await}, or {@code blocking}'s job), and the callback it leaves on the future.
 * A future offers no way to take a callback back, so the callback waits on {@code anyOf(future, withdrawn)}, and a
 * wait that ends another way (a timeout, a shutdown) completes {@code withdrawn}: the JDK then unlinks the spent
 * callback from the future (a completed source of {@code anyOf} cleans the others' stacks), so a long-lived future
 * awaited with a timeout again and again does not pile up callbacks. The callback also lets go of its task then,
 * should a stub stay: what stays is never a task (and coroutine stack) that waited. Each instance is a distinct
 * wait: its identity also tells a late completion whether the task still waits for it.
 *
 * <p>Whichever comes first, the completion (on its thread) or the withdrawal (on the loop), takes the task: a
 * future that completed before a deadline is not undone by it even if the loop, busy or with a long inbox, runs
 * the deadline before the wake-up.
 */
final class FutureWait extends Blocker implements BiConsumer<Object, Throwable> {
    private static final AtomicReferenceFieldUpdater<FutureWait, Task> TASK =
            AtomicReferenceFieldUpdater.newUpdater(FutureWait.class, Task.class, "task");

    /** The waiting task; null once the future completed or the wait was withdrawn, whichever came first. */
    private volatile Task task;
    /** {@code blocking}'s job, interrupted if the wait is withdrawn; null for {@code await}. */
    private final Future<?> job;
    /** Completed when the wait is withdrawn, which takes its callback off the future. */
    private final CompletableFuture<Void> withdrawn = new CompletableFuture<>();

    FutureWait(Task task, Future<?> job) {
        this.task = task;
        this.job = job;
    }

    /** Leaves the callback on {@code f}; it runs at once if {@code f} has completed already. */
    void register(CompletableFuture<?> f) {
        CompletableFuture.anyOf(f, withdrawn).whenComplete(this);
    }

    /** The future completed (on whatever thread): wake the task on its loop, if it still waits for this. */
    @Override
    public void accept(Object value, Throwable failure) {
        Task t = TASK.getAndSet(this, null);
        if (t == null) return; // withdrawn
        EventLoop loop = t.loop();
        try {
            loop.execute(() -> {
                if (t.blocker == this) loop.wake(t, null);
            });
        } catch (RejectedExecutionException terminated) {
            // the loop is gone, and its tasks with it
        }
    }

    /** Also called when the completion woke the task: the job has its result then, and is left alone. */
    @Override
    void cancel(Task waiter) {
        if (TASK.getAndSet(this, null) != null) withdraw();
    }

    /** False if the future completed first: the task goes on with its outcome, whose wake-up is on its way. */
    @Override
    boolean tryCancel(Task waiter) {
        if (TASK.getAndSet(this, null) == null) return false;
        withdraw();
        return true;
    }

    private void withdraw() {
        withdrawn.complete(null); // runs the callback here, which finds no task: it only leaves the future
        if (job != null) job.cancel(true);
    }

    @Override
    public String toString() {
        return job != null ? "a job on the blocking pool" : "a CompletionStage (await)";
    }
}
