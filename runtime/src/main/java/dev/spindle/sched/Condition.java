package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.internal.Hooks;
import dev.spindle.internal.Party;

/**
 * A condition variable of a {@link Mutex}: a tasklet holding the mutex waits in {@link #await()} until another
 * one {@link #signal()}s, the mutex being released meanwhile. Python's {@code threading.Condition}, Java's
 * {@code java.util.concurrent.locks.Condition}, for tasklets.
 *
 * <pre>{@code
 * Mutex lock = new Mutex();
 * Condition nonEmpty = lock.newCondition();
 * // a consumer
 * lock.withLock(() -> {
 *     while (queue.isEmpty()) nonEmpty.await();
 *     take(queue.poll());
 * });
 * // a producer
 * lock.withLock(() -> {
 *     queue.add(job);
 *     nonEmpty.signal();
 * });
 * }</pre>
 *
 * <p>Signals wake waiters in FIFO order, and each woken waiter then queues for the mutex behind the tasklets
 * already waiting for it. As with every condition variable, test the predicate in a loop. Unlike Java's, there
 * are no spurious wake-ups, and unlike Python's, {@code await} has no timeout (combine a {@link Select} with
 * {@link Scheduler#after} for that).
 *
 * <p>It serves what its mutex serves (tasklets, or event-loop coroutines on any loops, thread-safely, under the
 * mutex's own lock). A loop coroutine whose wait is cut short ({@code EventLoop.withTimeout}, shutdown) takes
 * the mutex back before the interruption leaves {@code await}; a signal it received first is kept (its next
 * suspension is interrupted instead), and passed on to the next waiter if its loop terminates before it runs.
 */
public final class Condition {
    private final Mutex mutex;
    private final WaitQueue waiters = new WaitQueue();

    Condition(Mutex mutex) {
        this.mutex = mutex;
    }

    /**
     * Releases the mutex (every hold of it), waits until signalled, and takes the mutex again (as many holds)
     * before returning, also when the tasklet is killed while waiting (or while taking the mutex back). A tasklet
     * signalled and then killed or raised into before it runs again passes the signal on to the next waiter (not
     * one woken by {@link #signalAll()}, which woke every waiter there was: one that came later was not signalled).
     *
     * @throws IllegalMonitorStateException if the calling tasklet (or loop coroutine) does not hold the mutex
     */
    @Suspendable
    public void await() {
        if (!mutex.single()) {
            awaitShared();
            return;
        }
        Tasklet me = Scheduler.requireTasklet("await", this);
        mutex.requireOwner("await a condition of");
        Waiter w = new Waiter(me, "be signalled on", this);
        waiters.add(w);
        int holds = mutex.holds();
        Hooks.whenSuspended(mutex::releaseAll); // not if the wait is refused: the tasklet runs on holding it
        Throwable failure = null;
        try {
            Scheduler.park(me, w);
        } catch (Throwable killed) {
            failure = killed; // the caller's finally will unlock: take the mutex back first
        }
        failure = lockAgain(failure);
        mutex.restoreHolds(holds);
        if (failure != null) {
            // signalled, then killed or raised into before it ran: the signal goes to the next waiter
            if (w.outcome == Waiter.DONE) signalNext();
            throw Throwables.sneaky(failure);
        }
    }

    /**
     * Takes the mutex back after a wait, retrying if that is interrupted too (the caller's {@code finally} will
     * unlock it, so it must hold it whatever happens); returns the first interruption, if any.
     */
    @Suspendable
    private Throwable lockAgain(Throwable failure) {
        for (;;) {
            try {
                mutex.lock();
                return failure;
            } catch (Throwable cut) {
                if (failure == null) failure = cut;
            }
        }
    }

    /**
     * Wakes the longest-waiting tasklet, if any.
     *
     * @throws IllegalMonitorStateException if the calling tasklet (or loop coroutine) does not hold the mutex
     */
    public void signal() {
        if (mutex.single()) {
            mutex.requireOwner("signal a condition of");
            signalNext();
            return;
        }
        mutex.guard.lock();
        try {
            mutex.requireOwner("signal a condition of");
            signalNext();
        } finally {
            mutex.guard.unlock();
        }
    }

    /** Wakes the longest waiter, if any (under the mutex's lock when shared). */
    void signalNext() {
        Waiter w = waiters.poll();
        if (w != null) {
            w.complete(Waiter.DONE, null);
            w.wakeLater();
        }
    }

    /**
     * Wakes every waiting tasklet.
     *
     * @throws IllegalMonitorStateException if the calling tasklet (or loop coroutine) does not hold the mutex
     */
    public void signalAll() {
        if (mutex.single()) {
            mutex.requireOwner("signal a condition of");
            waiters.wakeAll(Waiter.ALL);
            return;
        }
        mutex.guard.lock();
        try {
            mutex.requireOwner("signal a condition of");
            waiters.wakeAll(Waiter.ALL);
        } finally {
            mutex.guard.unlock();
        }
    }

    /** How many tasklets or coroutines wait on it. */
    public int queueLength() {
        return mutex.waiting(waiters);
    }

    @Override
    public String toString() {
        return "Condition[of " + mutex + ", " + queueLength() + " waiting]";
    }

    private void releaseShared() {
        mutex.guard.lock();
        try {
            mutex.releaseAll();
        } finally {
            mutex.guard.unlock();
        }
    }

    /**
     * The shared path: the waiter is queued and the mutex released under the mutex's lock, so a signal between
     * the two cannot be missed; the mutex is taken again after the wait, also when the wait is cut short.
     */
    @Suspendable
    private void awaitShared() {
        Party me;
        Waiter w;
        int holds;
        mutex.guard.lock();
        try {
            mutex.requireOwner("await a condition of");
            me = mutex.requireParty("await a condition of");
            w = new Waiter(me, "be signalled on", this, mutex);
            waiters.add(w);
            holds = mutex.holds(); // released once suspended: nobody can signal before, since it holds the mutex
        } finally {
            mutex.guard.unlock();
        }
        me.blockOn(w);
        Hooks.whenSuspended(this::releaseShared);
        Throwable failure = null;
        try {
            Coroutine.yield();
        } catch (Throwable cut) {
            failure = cut; // the caller's finally will unlock: take the mutex back first
        }
        failure = lockAgain(failure);
        mutex.guard.lock();
        try {
            mutex.restoreHolds(holds);
            // signalled, then cut short (while taking the mutex back): the signal goes to the next waiter
            if (failure != null && w.outcome == Waiter.DONE) signalNext();
        } finally {
            mutex.guard.unlock();
        }
        if (failure != null) throw Throwables.sneaky(failure);
    }
}
