package dev.spindle.io;

import dev.spindle.internal.Party;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task as the {@link Party} of a wait on a {@code dev.spindle.sched} primitive. Waking it from another thread
 * goes through its loop's inbox, so it takes effect after the loop's current turn: by then the task has
 * suspended, even if the primitive was completed the instant after the task queued its waiter. Made the first
 * time its task waits on a sched primitive, or a deadline of {@code withTimeout} passes: it holds the state that
 * most tasks never need.
 */
final class TaskParty implements Party {
    private final Task task;
    /**
     * Woken by a completed hand-off of a sched primitive (a value, a lock, a permit), or by a future that
     * completed before an interruption withdrew its wait, and not yet run: an interruption now must not take the
     * place of what it was handed, so it is deferred. Only these waits complete this way, and rarely, which is
     * why this state lives here and not in every task.
     */
    boolean handedOff;
    /**
     * Interruptions (timeout, shutdown) that came after a hand-off, or while it already had one to throw: each
     * thrown at one of its next suspensions, in order. A queue, not one slot: a deadline and the shutdown's
     * cancellation can fall due in one turn, and the second must not be lost (the task would wait on after it).
     */
    final ArrayDeque<Throwable> deferred = new ArrayDeque<>(2);
    /**
     * The deadline exceptions of the {@code withTimeout} scopes whose time ran out and whose bodies still run,
     * in the order they fired: each later wait inside them fails at once with the first, so that a handler of an
     * inner timeout that catches an outer deadline goes on only until it waits again. Several, not one: an inner and an outer deadline can fire
     * in one turn (the loop was busy), and the inner scope, ending, must leave the outer's in force.
     */
    final ArrayList<Throwable> expired = new ArrayList<>(0);
    /** Cancelled by {@link Task#cancel()}: each of its later suspensions throws a new CancellationException. */
    boolean cancelled;

    TaskParty(Task task) {
        this.task = task;
    }

    @Override
    public String name() {
        return task.name();
    }

    @Override
    public void blockOn(Wait wait) {
        task.blocker = new SchedWait(wait);
        task.state = Task.WAITING;
    }

    @Override
    public void wake(Wait wait) {
        EventLoop loop = task.loop();
        if (loop.inLoop()) {
            loop.wakeFromSched(task, wait); // the task is suspended: only its own turn could have come first
            return;
        }
        try {
            loop.execute(() -> loop.wakeFromSched(task, wait));
        } catch (RejectedExecutionException terminated) {
            // the loop is gone: on its way out it gave back what its waiting tasks had been handed
        }
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
