package dev.spindle.sched;

import java.util.List;

/**
 * Thrown by {@link Scheduler#run()} when no tasklet can run, none is sleeping, and some are still blocked: they
 * wait for each other (or for something nothing will ever do), so waiting on would hang forever. The message
 * lists every blocked tasklet, what it waits for, and where in its code it waits:
 *
 * <pre>
 * deadlock: no tasklet can run and none is sleeping, but 2 are blocked:
 *   tasklet "consumer" waits to receive on Channel[jobs, capacity 0, balance -1]
 *       at Shop.consume(Shop.java:31)
 *       at Shop.lambda$main$0(Shop.java:12)
 *   tasklet "b" waits to lock Mutex[left held by tasklet "a"]
 *       at Philosophers.eat(Philosophers.java:20)
 * </pre>
 *
 * <p>The scheduler is left as it was: the tasklets stay blocked, can be inspected ({@link Tasklet#stackTrace()})
 * or killed, and {@code run()} may be called again after, say, a send from outside the scheduler.
 */
public final class DeadlockException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient List<Tasklet> blocked;

    DeadlockException(List<Tasklet> blocked) {
        super(DeadlockReport.describe(blocked));
        this.blocked = List.copyOf(blocked);
    }

    /** The blocked tasklets, in the order they were spawned. */
    public List<Tasklet> blocked() {
        return blocked;
    }
}
