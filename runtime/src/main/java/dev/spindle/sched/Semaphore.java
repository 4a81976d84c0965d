package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import dev.spindle.SuspendableRunnable;
import dev.spindle.internal.Party;

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
 *
 * <p><b>Who may call; threads.</b> Tasklets of a {@link Scheduler}, or coroutines of event loops
 * ({@link dev.spindle.io.EventLoop}), not both: the first to use it decides. Used by tasklets it belongs to their
 * scheduler's thread, unsynchronized, as a scheduler is. Used by loop coroutines it is thread-safe (a lock of its
 * own): coroutines of one loop or of several loops of an {@link dev.spindle.io.EventLoopGroup} may share it, a
 * waiting coroutine lets its loop run the others, and the one that releases it, on any thread, puts the waiter
 * back in its own loop's run queue. The other kind is refused with an {@link IllegalStateException} naming it.
 *
 * <p>A loop coroutine's wait cut short by {@code EventLoop.withTimeout} or shutdown is withdrawn; a permit handed
 * to it first stays its own (the interruption comes at its next suspension), and is given back if its loop
 * terminates before it runs.
 */
public final class Semaphore extends Shared {
    private final String name;
    private final WaitQueue waiters = new WaitQueue();
    /** Volatile for {@link #availablePermits()} from any thread; written under the lock when shared. */
    private volatile int permits;

    /** A semaphore with {@code permits} free permits and no name. */
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
        if (!single()) {
            acquireShared();
            return;
        }
        if (tryAcquireNow()) return;
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
        if (single()) return tryAcquireNow();
        guard.lock();
        try {
            return tryAcquireNow();
        } finally {
            guard.unlock();
        }
    }

    private boolean tryAcquireNow() {
        if (permits > 0 && waiters.isEmpty()) {
            permits--;
            return true;
        }
        return false;
    }

    /** Gives a permit back: to the longest-waiting tasklet if any, which runs when its turn comes. */
    public void release() {
        if (single()) {
            releaseNow();
            return;
        }
        guard.lock();
        try {
            releaseNow();
        } finally {
            guard.unlock();
        }
    }

    private void releaseNow() {
        Waiter w = waiters.poll();
        if (w == null) {
            permits++;
            return;
        }
        w.complete(Waiter.DONE, null);
        w.wakeLater();
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

    /** How many tasklets or coroutines wait for a permit. */
    public int queueLength() {
        return waiting(waiters);
    }

    @Override
    public String toString() {
        return "Semaphore[" + (name != null ? name + ", " : "") + permits + " free, " + queueLength()
                + " waiting]";
    }

    // ---- the shared path: event-loop coroutines, under the lock ----

    @Suspendable
    private void acquireShared() {
        Party me;
        Waiter w;
        guard.lock();
        try {
            if (tryAcquireNow()) return;
            me = requireParty("wait to acquire a permit of");
            w = new Waiter(me, "acquire a permit of", this, this);
            waiters.add(w);
        } finally {
            guard.unlock();
        }
        me.blockOn(w);
        Coroutine.yield(); // a permit handed over before an interruption is kept: see Mutex.lockShared
    }

    /** A coroutine handed a permit will never run: give the permit back. */
    @Override
    void abandoned(Waiter w) {
        if (w.outcome == Waiter.DONE) releaseNow();
    }
}
