package dev.spindle.sched;

import dev.spindle.internal.Party;

/**
 * One tasklet or event-loop coroutine waiting in one {@link WaitQueue}, and what it was handed when its wait
 * ended. A {@link Select} that blocks puts one waiter per case in several queues; they share a
 * {@link SelectGroup} so that the first one completed wins and the others are withdrawn.
 *
 * <p>A tasklet's waiter lives on its scheduler's thread. A loop coroutine's waiter (a {@link Party}'s) is touched
 * only under the lock of its {@link #owner}; its outcome reaches the coroutine through its loop's inbox, which
 * orders the writes before the coroutine reads them.
 */
final class Waiter implements Blocker, Party.Wait {
    /** {@code ALL}: done with every other waiter of its queue (a condition's signalAll), so nothing to pass on. */
    static final int WAITING = 0, DONE = 1, CLOSED = 2, ALL = 3;

    /** Exactly one of the two is set. */
    final Tasklet tasklet;
    final Party party;
    /** The primitive whose lock guards this waiter (a condition's waiters: its mutex); null for tasklets. */
    final Shared owner;
    private final String verb;
    private final Object target;
    /** The queue it is in, or null once taken out; and how many had been added to it before. */
    WaitQueue queue;
    int enqueued;
    SelectGroup group;
    int caseIndex;
    /** In: the value a sender offers. Out: the value a receiver got. */
    Object value;
    /** For a receiver that got a value: when it left the channel, in case it has to be given back. */
    long departed;
    int outcome = WAITING;

    Waiter(Tasklet tasklet, String verb, Object target) {
        this.tasklet = tasklet;
        this.party = null;
        this.owner = null;
        this.verb = verb;
        this.target = target;
    }

    Waiter(Party party, String verb, Object target, Shared owner) {
        this.tasklet = null;
        this.party = party;
        this.owner = owner;
        this.verb = verb;
        this.target = target;
    }

    /** The wait ended with {@code outcome}; a receiver gets {@code received}. Resolves its select, if any. */
    void complete(int outcome, Object received) {
        this.outcome = outcome;
        this.value = received;
        if (group != null) group.won(this);
    }

    /** The wait ended for a sender: its value was taken (or the channel closed). */
    void completeKeepingValue(int outcome) {
        this.outcome = outcome;
        if (group != null) group.won(this);
    }

    /** Wakes the completed waiter's tasklet or coroutine; it runs when its turn comes. */
    void wakeLater() {
        if (tasklet != null) {
            Scheduler.wakeLater(tasklet);
        } else {
            party.wake(group != null ? group : this); // what it blocked on
        }
    }

    /** False once its select was won by another case (or withdrawn): a shared queue drops it lazily. */
    boolean isLive() {
        return group == null || group.isOpen();
    }

    Object target() {
        return target;
    }

    boolean receiving() {
        return verb.startsWith("receive");
    }

    String who() {
        return tasklet != null ? "tasklet " + tasklet.name() : "coroutine " + party.name();
    }

    String describeCase() {
        return verb + " " + target;
    }

    @Override
    public String describe() {
        return group != null ? group.describe() : describeCase();
    }

    /** A tasklet is killed: take it out of its queue. */
    @Override
    public void withdraw() {
        if (group != null) {
            group.withdraw();
        } else if (queue != null) {
            queue.remove(this);
        }
    }

    /** A loop coroutine's wait is cut short (timeout, shutdown): withdraw it unless it completed. */
    @Override
    public boolean cancel() {
        if (group != null) return group.cancel();
        owner.guard.lock();
        try {
            if (queue == null) return false; // taken out and completed under this lock: a wake is on its way
            queue.remove(this);
            return true;
        } finally {
            owner.guard.unlock();
        }
    }

    @Override
    public void abandon() {
        if (group != null) {
            group.abandon();
            return;
        }
        owner.guard.lock();
        try {
            owner.abandoned(this);
        } finally {
            owner.guard.unlock();
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
