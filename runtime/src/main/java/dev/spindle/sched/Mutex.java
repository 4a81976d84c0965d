package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import dev.spindle.SuspendableRunnable;
import dev.spindle.internal.Parties;
import dev.spindle.internal.Party;

/**
 * A cooperative lock for tasklets: while one tasklet holds it, others that {@link #lock()} it wait (giving up
 * their turn, never blocking the thread), and they get it in the order they asked (FIFO-fair: {@link #unlock()}
 * hands the lock straight to the longest-waiting tasklet, so none can barge in ahead).
 *
 * <p>The article's Example 2, Python's {@code with lock:}, is {@link #withLock(SuspendableRunnable)}; its
 * Example 3, a {@code @synchronized} decorator, is a method whose body is a {@code withLock}:
 *
 * <pre>{@code
 * final Mutex lock = new Mutex("account");
 *
 * @Suspendable
 * void withdraw(int amount) {                    // def withdraw(amt):
 *     lock.withLock(() -> {                      //     with lock:
 *         int seen = balance;
 *         Scheduler.schedule();                  //         other tasklets run here, but not in here
 *         if (seen < amount) throw new IllegalStateException("Insufficient funds");
 *         balance = seen - amount;
 *     });
 * }
 * }</pre>
 *
 * <p>Why a lock at all, when tasklets never run in parallel? Because a tasklet can give up its turn inside a
 * critical section (a channel send, a sleep, a call that suspends several frames down), and the invariant must
 * hold across that switch: {@link Interleavings} finds the schedules where it does not.
 *
 * <p>It is reentrant, as Java's {@code synchronized} and {@code ReentrantLock} are (Python's {@code Lock} is
 * not; its {@code RLock} is): the holder may lock it again and must unlock it as many times. It belongs to the
 * tasklet that locked it; a Java {@code synchronized} block cannot be used instead, since a tasklet may not
 * suspend while holding a monitor (the agent refuses it). If the holder dies without unlocking, the mutex stays
 * locked and the deadlock report names the dead holder; {@code withLock} unlocks in a {@code finally}, even when
 * the tasklet is killed.
 *
 * <p><b>Who may call; threads.</b> Tasklets of a {@link Scheduler}, or coroutines of event loops
 * ({@link dev.spindle.io.EventLoop}), not both: the first to use it decides. Used by tasklets it belongs to their
 * scheduler's thread, unsynchronized, as a scheduler is. Used by loop coroutines it is thread-safe (a lock of its
 * own): coroutines of one loop or of several loops of an {@link dev.spindle.io.EventLoopGroup} may share it, a
 * waiting coroutine lets its loop run the others, and the one that releases it, on any thread, puts the waiter
 * back in its own loop's run queue. The other kind is refused with an {@link IllegalStateException} naming it.
 *
 * <p>A loop coroutine whose wait for the lock is cut short ({@code EventLoop.withTimeout}, shutdown) is taken out
 * of the queue; if the lock had already been handed to it, it goes on holding it (the interruption comes at its
 * next suspension), so a {@code withLock} still unlocks it. If its loop terminates first, the lock is passed on.
 * {@link #owner()} names tasklets only; {@link #toString()} names a loop coroutine that holds it.
 *
 * <p>There is no read-write lock (Go's {@code RWMutex}): readers that need no lock among themselves take this
 * one as writers do, or, between tasklets, none at all (a tasklet is never interrupted between two switches).
 */
public final class Mutex extends Shared {
    private final String name;
    private final WaitQueue waiters = new WaitQueue();
    /** The holding {@link Tasklet} or loop coroutine ({@link Party}), or null. Volatile for {@link #isLocked()}. */
    private volatile Object owner;
    private int holds;

    /** An unlocked mutex with no name. */
    public Mutex() {
        this(null);
    }

    /** A mutex with a name for deadlock reports. */
    public Mutex(String name) {
        this.name = name;
    }

    /** Takes the lock, waiting (in FIFO order) while another tasklet holds it. */
    @Suspendable
    public void lock() {
        if (!single()) {
            lockShared();
            return;
        }
        // code nested in a tasklet (a generator's body) takes a free lock as that tasklet, as tryLock does: only
        // waiting needs the tasklet's own coroutine
        Tasklet running = Tasklet.current();
        if (running != null && tryLockNow(running)) return;
        Tasklet me = Scheduler.requireTasklet("lock", this);
        Waiter w = new Waiter(me, "lock", this);
        waiters.add(w);
        try {
            Scheduler.park(me, w);
        } catch (Throwable killed) {
            // killed after unlock() handed it the lock but before it ran: pass the lock on
            if (w.outcome == Waiter.DONE) unlock();
            throw killed;
        }
        // unlock() made us the owner before waking us
    }

    /**
     * Takes the lock if it is free (or already ours); never waits. As for {@link #lock()}, the caller must be a
     * tasklet or an event-loop coroutine, which then holds it.
     *
     * @throws IllegalStateException when no tasklet or loop coroutine runs on this thread
     */
    public boolean tryLock() {
        if (!single()) {
            guard.lock();
            try {
                return tryLockNow(sharedCaller("lock"));
            } finally {
                guard.unlock();
            }
        }
        Tasklet nestedIn = Tasklet.current(); // as does code nested in a tasklet
        return tryLockNow(nestedIn != null ? nestedIn : Scheduler.requireTasklet("lock", this));
    }

    /**
     * Who locks a shared mutex: the tasklet running (a scheduler run inside a loop coroutine has tasklets of its
     * own, which must not share their loop coroutine's holds), else the loop coroutine, which code nested in
     * it (a generator's body) acts for.
     */
    private Object sharedCaller(String verb) {
        Object me = Tasklet.current();
        if (me == null) me = Parties.enclosing();
        return me != null ? me : requireParty(verb);
    }

    private boolean tryLockNow(Object me) {
        if (owner != null && owner != me) return false;
        owner = me;
        holds++;
        return true;
    }

    /**
     * Releases one hold; when the last is released, hands the lock to the longest-waiting tasklet, which runs
     * when its turn comes.
     *
     * @throws IllegalMonitorStateException if the calling tasklet (or loop coroutine) does not hold the lock
     */
    public void unlock() {
        if (single()) {
            requireOwner("unlock");
            release();
            return;
        }
        guard.lock();
        try {
            requireOwner("unlock");
            release();
        } finally {
            guard.unlock();
        }
    }

    /** Releases one hold of the owner; at the last, hands the lock on. Under the lock when shared. */
    private void release() {
        if (--holds > 0) return;
        owner = null;
        Waiter next = waiters.poll();
        if (next != null) {
            owner = next.tasklet != null ? next.tasklet : next.party;
            holds = 1;
            next.complete(Waiter.DONE, null);
            next.wakeLater();
        }
    }

    /** Runs {@code body} holding the lock, and releases it however {@code body} ends. */
    @Suspendable
    public void withLock(SuspendableRunnable body) {
        lock();
        try {
            body.run();
        } finally {
            unlock();
        }
    }

    /** Computes {@code body} holding the lock, and releases it however {@code body} ends. */
    @Suspendable
    public <V> V withLock(SuspendableCallable<V> body) {
        lock();
        try {
            return body.call();
        } finally {
            unlock();
        }
    }

    /**
     * A condition of this mutex: tasklets holding it wait for the condition to be signalled (Python's
     * {@code threading.Condition(lock)}, Java's {@code Lock.newCondition()}).
     */
    public Condition newCondition() {
        return new Condition(this);
    }

    /** Whether a tasklet or coroutine holds the mutex. */
    public boolean isLocked() {
        return owner != null;
    }

    /** The tasklet holding the lock, or null (also when an event-loop coroutine holds it). */
    public Tasklet owner() {
        Object o = owner;
        return o instanceof Tasklet ? (Tasklet) o : null;
    }

    /** How many tasklets or coroutines wait to lock it. */
    public int queueLength() {
        return waiting(waiters);
    }

    @Override
    public String toString() {
        Object o = owner;
        String held;
        if (o == null) {
            held = ", free";
        } else if (o instanceof Tasklet) {
            Tasklet t = (Tasklet) o;
            held = " held by tasklet \"" + t.name() + "\"" + (t.isAlive() ? "" : " (dead)");
        } else {
            held = " held by coroutine \"" + ((Party) o).name() + "\"";
        }
        // no identity hash for an unnamed one: a deadlock report must read the same when its schedule is replayed
        return "Mutex[" + (name != null ? name : "unnamed") + held + "]";
    }

    // ---- the shared path: event-loop coroutines, under the lock ----

    @Suspendable
    private void lockShared() {
        Party me;
        Waiter w;
        guard.lock();
        try {
            if (tryLockNow(sharedCaller("lock"))) return; // as tryLock: nested code takes a free lock too
            me = requireParty("lock");
            w = new Waiter(me, "lock", this, this);
            waiters.add(w);
        } finally {
            guard.unlock();
        }
        me.blockOn(w);
        Coroutine.yield();
        // release() made us the owner before waking us. If the wait is cut short (timeout, shutdown), the loop
        // withdraws it first; if it had completed, the coroutine resumes here holding the lock and the
        // interruption comes at its next suspension, so a lock handed over is never lost.
    }

    /** A coroutine handed the lock (or a condition's signal) will never run: pass it on. */
    @Override
    void abandoned(Waiter w) {
        if (w.outcome != Waiter.DONE) return;
        if (w.target() instanceof Condition) {
            ((Condition) w.target()).signalNext();
        } else if (owner == w.party) {
            holds = 1;
            release();
        }
    }

    // ---- for Condition ----

    /** The caller, which must hold the lock (under the lock when shared). */
    Object requireOwner(String what) {
        Object me = Tasklet.current();
        if (me == null && !isTaskletPrimitive()) me = Parties.enclosing();
        if (owner == null || owner != me) {
            String who = me == null ? "no tasklet runs on this thread (nor an event-loop coroutine)"
                    : me instanceof Tasklet ? "tasklet " + ((Tasklet) me).name() + " does not hold it"
                    : "coroutine " + ((Party) me).name() + " does not hold it";
            throw new IllegalMonitorStateException("cannot " + what + " " + this + ": " + who);
        }
        return me;
    }

    /** How many holds the owner has. */
    int holds() {
        return holds;
    }

    /** Releases every hold of the owner at once, passing the lock on; returns how many there were. */
    int releaseAll() {
        int n = holds;
        holds = 1;
        release();
        return n;
    }

    void restoreHolds(int n) {
        holds = n;
    }
}
