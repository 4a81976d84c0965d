package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.internal.Parties;
import dev.spindle.internal.Party;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every primitive (channel, mutex, semaphore, event, latch) has, to serve either the tasklets of a
 * {@link Scheduler} or the coroutines of event loops.
 *
 * <p>A primitive starts unclaimed. The first tasklet that uses it makes it a <em>tasklet</em> primitive: it then
 * belongs to its scheduler's thread and runs the original single-threaded code, with no lock, so that a
 * hand-off between tasklets costs what it did (and schedules stay deterministic for {@link Interleavings}). The
 * first event-loop coroutine that uses it makes it a <em>shared</em> one: every access then holds {@link #guard},
 * and waiters are {@link Party parties} woken through their loop. Code that is neither (a plain thread) uses an
 * unclaimed or shared primitive under the lock, and a tasklet primitive as before (only from its thread).
 *
 * <p>Why not both at once: waking a tasklet from another thread would make the scheduler itself thread-safe and
 * able to sleep waiting for other threads, which would cost every tasklet switch. So one primitive is used
 * either by tasklets or by loop coroutines, and the other kind is refused with a message saying so.
 */
abstract class Shared {
    static final int UNCLAIMED = 0, TASKLETS = 1, LOOPS = 2;
    private static final AtomicLong IDS = new AtomicLong();
    static final System.Logger LOG = System.getLogger("dev.spindle.sched");

    /** Orders the locks of a {@link Select} over several channels, as Go does, so that two selects cannot deadlock. */
    final long id = IDS.incrementAndGet();
    /** Held for every access once the primitive is not a tasklet one. */
    final ReentrantLock guard = new ReentrantLock();
    /** Written once, under {@link #guard}; volatile so that a claim is seen by every thread. */
    private volatile int mode;
    /** For a tasklet primitive: the thread it was last used on by a tasklet (plain: written before mode). */
    private Thread home;
    /** For a tasklet primitive: the scheduler of the tasklet that last used it, which checks other threads. */
    private Scheduler owner;

    /**
     * True if the caller takes the single-threaded tasklet path (no lock); false for the locked shared path.
     * The common case, a tasklet primitive used on its scheduler's thread, is a volatile read and a compare.
     *
     * @throws IllegalStateException if an event-loop coroutine uses a tasklet primitive
     */
    final boolean single() {
        return mode == TASKLETS && home == Thread.currentThread() || singleSlow();
    }

    /**
     * Code running in a coroutine nested inside a tasklet or a loop coroutine (a generator's body, say) counts as
     * that tasklet or loop coroutine here, since it runs in its turn, on its thread; only waiting needs the
     * tasklet's or loop coroutine's own coroutine.
     */
    private boolean singleSlow() {
        int m = mode;
        if (m == LOOPS) return false;
        Tasklet t = Tasklet.current();
        if (m == TASKLETS) {
            if (t != null) {
                // a scheduler may be run by another thread later, but not while another one runs it
                Scheduler o = owner;
                if (o != null && o != t.scheduler) o.checkThread(this);
                home = Thread.currentThread();
                owner = t.scheduler;
                return true;
            }
            Party p = Parties.enclosing();
            if (p != null) throw usedByTasklets(p);
            // a plain thread: refused before it changes anything while the scheduler runs on another thread
            Scheduler o = owner;
            if (o != null) o.checkThread(this);
            return true;
        }
        if (t != null) {
            claim(TASKLETS);
            if (mode != TASKLETS) return false;
            owner = t.scheduler;
            return true;
        }
        Party p = Parties.enclosing();
        if (p != null) {
            claim(LOOPS);
            if (mode == TASKLETS) throw usedByTasklets(p); // a tasklet of another thread claimed it first
        }
        return false;
    }

    /** Makes an unclaimed primitive a tasklet one of {@code s}, used first by its own thread (a timer's channel). */
    final void claimFor(Scheduler s) {
        claim(TASKLETS);
        owner = s;
    }

    /** Makes an unclaimed primitive a tasklet one (a scheduler's own channel) or a shared one. */
    final void claim(int kind) {
        guard.lock();
        try {
            if (mode == UNCLAIMED) {
                home = Thread.currentThread();
                mode = kind;
            }
        } finally {
            guard.unlock();
        }
    }

    /** How many wait in {@code queue}, one of this primitive's: read under the guard once loop coroutines share it. */
    final int waiting(WaitQueue queue) {
        if (isTaskletPrimitive()) return queue.size();
        guard.lock();
        try {
            return queue.size();
        } finally {
            guard.unlock();
        }
    }

    /** True once a tasklet primitive: reads with no lock are safe only on its thread, as before. */
    final boolean isTaskletPrimitive() {
        return mode == TASKLETS;
    }

    /**
     * The event-loop coroutine that is about to wait (called under {@link #guard}); refused, with the reason, for
     * a tasklet and for code outside any coroutine.
     */
    final Party requireParty(String verb) {
        Party p = Parties.current();
        if (p != null) return p;
        Tasklet t = Scheduler.runningTasklet();
        if (t != null) {
            throw new IllegalStateException("cannot " + verb + " " + this + " in tasklet " + t.name() + ": it is"
                    + " shared by event-loop coroutines (thread-safe, with a lock), and a Scheduler's tasklets"
                    + " can only do what needs no waiting on such a primitive. Give the tasklets primitives of"
                    + " their own, and pass values between a scheduler and event loops with EventLoop.execute or"
                    + " java.util.concurrent queues");
        }
        if (Scheduler.current() != null) Scheduler.requireTasklet(verb, this); // nested in a tasklet: it says so
        Party outer = Parties.enclosing();
        if (outer != null) {
            throw new IllegalStateException("cannot " + verb + " " + this + " in " + Coroutine.current() + ": it is"
                    + " a coroutine nested inside event-loop coroutine " + outer.name() + ", and only a loop"
                    + " coroutine's own coroutine can wait (a yield here would suspend the nested coroutine, not the"
                    + " loop coroutine)");
        }
        throw new IllegalStateException("cannot " + verb + " " + this + " here: no tasklet runs on this thread,"
                + " nor an event-loop coroutine, and only they can wait. Do it in a body given to"
                + " Scheduler.spawn or EventLoop.spawn/submit, called through @Suspendable methods");
    }

    private IllegalStateException usedByTasklets(Party p) {
        return new IllegalStateException("event-loop coroutine " + p.name() + " cannot use " + this + ": it"
                + " belongs to the tasklets of a Scheduler (single-threaded, no lock). A primitive serves either"
                + " tasklets or event-loop coroutines: create another one for the loops, and pass values between"
                + " a scheduler and event loops with EventLoop.execute or java.util.concurrent queues");
    }

    /**
     * The wait {@code w} completed, but its loop coroutine will never run again (its loop terminated): give back
     * what it was handed. Called under {@link #guard}. Nothing to give back by default (an event, a latch).
     */
    void abandoned(Waiter w) {
    }
}
