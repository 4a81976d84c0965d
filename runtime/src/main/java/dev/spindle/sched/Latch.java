package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.internal.Party;

/**
 * A countdown that tasklets can wait for: {@link #await()} waits until {@link #countDown()} has been called
 * {@code count} times, then every waiter is woken and later {@code await}s return at once. Java's
 * {@code CountDownLatch}, for tasklets; Go's {@code sync.WaitGroup} without {@code Add}.
 *
 * <pre>{@code
 * Latch done = new Latch("workers", 3);
 * for (int i = 0; i < 3; i++) s.spawn(() -> { try { work(); } finally { done.countDown(); } });
 * s.spawn(() -> { done.await(); System.out.println("all three finished"); });
 * s.run();
 * }</pre>
 *
 * <p><b>Who may call; threads.</b> Tasklets of a {@link Scheduler}, or coroutines of event loops
 * ({@link dev.spindle.io.EventLoop}), not both: the first to use it decides. Used by tasklets it belongs to their
 * scheduler's thread, unsynchronized, as a scheduler is. Used by loop coroutines it is thread-safe (a lock of its
 * own): coroutines of one loop or of several loops of an {@link dev.spindle.io.EventLoopGroup} may share it, a
 * waiting coroutine lets its loop run the others, and the one that releases it, on any thread, puts the waiter
 * back in its own loop's run queue. The other kind is refused with an {@link IllegalStateException} naming it.
 */
public final class Latch extends Shared {
    private final String name;
    private final WaitQueue waiters = new WaitQueue();
    /** Volatile for {@link #count()} from any thread; written under the lock when shared. */
    private volatile int count;

    /** A latch that opens after {@code count} count-downs. */
    public Latch(int count) {
        this(null, count);
    }

    /** A latch with a name for deadlock reports. */
    public Latch(String name, int count) {
        if (count < 0) throw new IllegalArgumentException("count < 0: " + count);
        this.name = name;
        this.count = count;
    }

    /** Counts down; at zero wakes every waiting tasklet. Does nothing once at zero. */
    public void countDown() {
        if (single()) {
            countDownNow();
            return;
        }
        guard.lock();
        try {
            countDownNow();
        } finally {
            guard.unlock();
        }
    }

    private void countDownNow() {
        if (count == 0) return;
        if (--count == 0) waiters.wakeAll(Waiter.DONE);
    }

    /** Waits until the count is zero. No timeout: see {@link Event#await()} for how to give up after a while. */
    @Suspendable
    public void await() {
        if (count == 0) return;
        if (!single()) {
            awaitShared();
            return;
        }
        Tasklet me = Scheduler.requireTasklet("wait for", this);
        Waiter w = new Waiter(me, "see zero on", this);
        waiters.add(w);
        Scheduler.park(me, w);
    }

    @Suspendable
    private void awaitShared() {
        Party me;
        Waiter w;
        guard.lock();
        try {
            if (count == 0) return;
            me = requireParty("wait for");
            w = new Waiter(me, "see zero on", this, this);
            waiters.add(w);
        } finally {
            guard.unlock();
        }
        me.blockOn(w);
        Coroutine.yield();
    }

    /** How many count-downs are still needed before the latch opens. */
    public int count() {
        return count;
    }

    @Override
    public String toString() {
        return "Latch[" + (name != null ? name + ", " : "") + count + " to go]";
    }
}
