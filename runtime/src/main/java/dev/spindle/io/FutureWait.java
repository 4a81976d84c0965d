package dev.spindle.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * A task's wait on a future ({@code await}, or {@code blocking}'s job), and the callback it leaves on the future.
 * A future offers no way to take a callback back, so a wait that ends another way (a timeout, a shutdown) lets go
 * of its task here instead: a long-lived future awaited with a timeout again and again then keeps a small stub per
 * wait until it completes, not every task (and coroutine stack) that ever waited for it. Each instance is a
 * distinct wait: its identity also tells a late completion whether the task still waits for it.
 *
 * <p>Whichever comes first, the completion (on its thread) or the withdrawal (on the loop), takes the task: a
 * future that completed before a deadline is not undone by it even if the loop, busy or with a long inbox, runs
 * the deadline before the wake-up.
 */
final class FutureWait extends Blocker implements BiConsumer<Object, Throwable> {
    private static final VarHandle TASK;

    static {
        try {
            TASK = MethodHandles.lookup().findVarHandle(FutureWait.class, "task", Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The waiting task; null once the future completed or the wait was withdrawn, whichever came first. */
    @SuppressWarnings("unused") // through TASK
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
        Task t = (Task) TASK.getAndSet(this, null);
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
        TASK.setVolatile(this, null);
        if (job != null) job.cancel(true);
    }

    /** False if the future completed first: the task goes on with its outcome, whose wake-up is on its way. */
    @Override
    boolean tryCancel(Task waiter) {
        if (TASK.getAndSet(this, null) == null) return false;
        if (job != null) job.cancel(true);
        return true;
    }

    @Override
    public String toString() {
        return job != null ? "a job on the blocking pool" : "a CompletionStage (await)";
    }
}
