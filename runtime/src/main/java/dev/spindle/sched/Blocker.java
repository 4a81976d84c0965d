package dev.spindle.sched;

/**
 * What a blocked or sleeping tasklet waits for. The scheduler asks it for a description when it reports a
 * deadlock, and tells it to withdraw when the tasklet is killed or has an exception raised in it, so that no
 * channel or lock later hands something to a tasklet that no longer waits.
 */
interface Blocker {
    /** What the tasklet waits for, e.g. {@code receive on Channel[jobs]}. */
    String describe();

    /** Takes the tasklet out of every queue it waits in. */
    void withdraw();
}
