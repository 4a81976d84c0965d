package dev.spindle.sched;

/**
 * One tasklet waiting in one {@link WaitQueue}, and what it was handed when its wait ended. A {@link Select}
 * that blocks puts one waiter per case in several queues; they share a {@link SelectGroup} so that the first one
 * completed withdraws the others.
 */
final class Waiter implements Blocker {
    static final int WAITING = 0, DONE = 1, CLOSED = 2;

    final Tasklet tasklet;
    private final String verb;
    private final Object target;
    /** The queue it is in, or null once taken out. */
    WaitQueue queue;
    SelectGroup group;
    int caseIndex;
    /** In: the value a sender offers. Out: the value a receiver got. */
    Object value;
    int outcome = WAITING;

    Waiter(Tasklet tasklet, String verb, Object target) {
        this.tasklet = tasklet;
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

    String describeCase() {
        return verb + " " + target;
    }

    @Override
    public String describe() {
        return group != null ? group.describe() : describeCase();
    }

    @Override
    public void withdraw() {
        if (group != null) {
            group.withdraw();
        } else if (queue != null) {
            queue.remove(this);
        }
    }
}
