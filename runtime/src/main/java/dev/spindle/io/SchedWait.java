package dev.spindle.io;

import dev.spindle.internal.Party;

/** A task waits on a {@code dev.spindle.sched} primitive: a channel, a select, a lock, an event, a latch. */
final class SchedWait extends Blocker {
    final Party.Wait wait;

    SchedWait(Party.Wait wait) {
        this.wait = wait;
    }

    /** Withdrawn, or, if another thread completed it meanwhile, what it was handed goes back: the task will not see it. */
    @Override
    void cancel(Task waiter) {
        if (!wait.cancel()) wait.abandon();
    }

    @Override
    boolean tryCancel(Task waiter) {
        return wait.cancel();
    }

    @Override
    public String toString() {
        return wait.describe();
    }
}
