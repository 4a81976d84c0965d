package dev.spindle.sched;

import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import dev.spindle.SuspendableRunnable;

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
 */
public final class Mutex {
    private final String name;
    private final WaitQueue waiters = new WaitQueue();
    private Tasklet owner;
    private int holds;

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
        Tasklet me = Scheduler.requireTasklet("lock", this);
        if (owner == null || owner == me) {
            owner = me;
            holds++;
            return;
        }
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

    /** Takes the lock if it is free (or already ours); never waits. */
    public boolean tryLock() {
        Tasklet me = Scheduler.requireTasklet("lock", this);
        if (owner != null && owner != me) return false;
        owner = me;
        holds++;
        return true;
    }

    /**
     * Releases one hold; when the last is released, hands the lock to the longest-waiting tasklet, which runs
     * when its turn comes.
     *
     * @throws IllegalMonitorStateException if the calling tasklet does not hold the lock
     */
    public void unlock() {
        requireOwner("unlock");
        if (--holds > 0) return;
        owner = null;
        Waiter next = waiters.poll();
        if (next != null) {
            owner = next.tasklet;
            holds = 1;
            next.complete(Waiter.DONE, null);
            Scheduler.wakeLater(next.tasklet);
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

    public boolean isLocked() {
        return owner != null;
    }

    /** The tasklet holding the lock, or null. */
    public Tasklet owner() {
        return owner;
    }

    /** How many tasklets wait to lock it. */
    public int queueLength() {
        return waiters.size();
    }

    @Override
    public String toString() {
        return "Mutex[" + (name != null ? name : Integer.toHexString(System.identityHashCode(this)))
                + (owner == null ? ", free"
                        : " held by tasklet \"" + owner.name() + "\"" + (owner.isAlive() ? "" : " (dead)"))
                + "]";
    }

    // ---- for Condition ----

    Tasklet requireOwner(String what) {
        Tasklet me = Tasklet.current();
        if (owner == null || owner != me) {
            throw new IllegalMonitorStateException("cannot " + what + " " + this + ": "
                    + (me == null ? "no tasklet runs on this thread" : "tasklet " + me.name() + " does not hold it"));
        }
        return me;
    }

    /** Releases every hold of the owner at once, passing the lock on; returns how many there were. */
    int releaseAll() {
        int n = holds;
        holds = 1;
        unlock();
        return n;
    }

    void restoreHolds(int n) {
        holds = n;
    }
}
