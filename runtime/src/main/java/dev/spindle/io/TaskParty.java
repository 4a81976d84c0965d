package dev.spindle.io;

import dev.spindle.internal.Party;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task as the {@link Party} of a wait on a {@code dev.spindle.sched} primitive. Waking it from another thread
 * goes through its loop's inbox, so it takes effect after the loop's current turn: by then the task has
 * suspended, even if the primitive was completed the instant after the task queued its waiter.
 */
final class TaskParty implements Party {
    private final Task task;

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
        task.state = Task.State.WAITING;
    }

    @Override
    public void wake(Wait wait) {
        EventLoop loop = task.loop;
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
