package dev.spindle.io;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * A task's wait on a future ({@code await}, or {@code blocking}'s job), and the callback it leaves on the future.
 * A future offers no way to take a callback back, so a wait that ends another way (a timeout, a shutdown) lets go
 * of its task here instead: a long-lived future awaited with a timeout again and again then keeps a small stub per
 * wait until it completes, not every task (and coroutine stack) that ever waited for it. Each instance is a
 * distinct wait: its identity also tells a late completion whether the task still waits for it.
 */
final class FutureWait extends Blocker implements BiConsumer<Object, Throwable> {
    /** The waiting task; null once the wait has been withdrawn. */
    private volatile Task task;
    /** {@code blocking}'s job, interrupted if the wait is withdrawn; null for {@code await}. */
    private final Future<?> job;

    FutureWait(Task task, Future<?> job) {
        this.task = task;
        this.job = job;
    }

    /** The future completed (on whatever thread): wake the task on its loop, if it still waits for this. */
    @Override
    public void accept(Object value, Throwable failure) {
        Task t = task;
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

    @Override
    void cancel(Task waiter) {
        task = null;
        if (job != null) job.cancel(true);
    }

    @Override
    public String toString() {
        return job != null ? "a job on the blocking pool" : "a CompletionStage (await)";
    }
}
