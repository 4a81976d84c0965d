package dev.spindle.sched;

import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import dev.spindle.SuspendableRunnable;

/**
 * A counting semaphore for tasklets: {@link #acquire()} takes a permit, waiting (never blocking the thread) while
 * there is none; {@link #release()} gives one back. FIFO-fair: a released permit goes straight to the
 * longest-waiting tasklet, and a tasklet arriving while others wait queues behind them even if a permit is
 * free. Python's {@code threading.Semaphore}, Java's {@code Semaphore(n, true)}.
 *
 * <pre>{@code
 * Semaphore connections = new Semaphore("db", 3);        // at most 3 tasklets in the database at once
 * for (Request r : requests) {
 *     s.spawn(() -> connections.withPermit(() -> query(r)));
 * }
 * }</pre>
 *
 * <p>Permits are not owned: any tasklet, or code outside the scheduler, may release one.
 */
public final class Semaphore {
    private final String name;
    private final WaitQueue waiters = new WaitQueue();
    private int permits;

    public Semaphore(int permits) {
        this(null, permits);
    }

    /** A semaphore with a name for deadlock reports. */
    public Semaphore(String name, int permits) {
        if (permits < 0) throw new IllegalArgumentException("permits < 0: " + permits);
        this.name = name;
        this.permits = permits;
    }

    /** Takes a permit, waiting in FIFO order while none is free. */
    @Suspendable
    public void acquire() {
        if (tryAcquire()) return;
        Tasklet me = Scheduler.requireTasklet("wait to acquire a permit of", this);
        Waiter w = new Waiter(me, "acquire a permit of", this);
        waiters.add(w);
        try {
            Scheduler.park(me, w);
        } catch (Throwable killed) {
            // killed after release() handed it a permit but before it ran: give the permit back
            if (w.outcome == Waiter.DONE) release();
            throw killed;
        }
    }

    /** Takes a permit if one is free and nobody waits; never waits. */
    public boolean tryAcquire() {
        if (permits > 0 && waiters.isEmpty()) {
            permits--;
            return true;
        }
        return false;
    }

    /** Gives a permit back: to the longest-waiting tasklet if any, which runs when its turn comes. */
    public void release() {
        Waiter w = waiters.poll();
        if (w == null) {
            permits++;
            return;
        }
        w.complete(Waiter.DONE, null);
        Scheduler.wakeLater(w.tasklet);
    }

    /** Runs {@code body} holding a permit, and gives it back however {@code body} ends. */
    @Suspendable
    public void withPermit(SuspendableRunnable body) {
        acquire();
        try {
            body.run();
        } finally {
            release();
        }
    }

    /** Computes {@code body} holding a permit, and gives it back however {@code body} ends. */
    @Suspendable
    public <V> V withPermit(SuspendableCallable<V> body) {
        acquire();
        try {
            return body.call();
        } finally {
            release();
        }
    }

    /** Free permits now. */
    public int availablePermits() {
        return permits;
    }

    /** How many tasklets wait for a permit. */
    public int queueLength() {
        return waiters.size();
    }

    @Override
    public String toString() {
        return "Semaphore[" + (name != null ? name + ", " : "") + permits + " free, " + waiters.size()
                + " waiting]";
    }
}
