package dev.spindle.sched;

import dev.spindle.Suspendable;

/**
 * A condition variable of a {@link Mutex}: a tasklet holding the mutex waits in {@link #await()} until another
 * one {@link #signal()}s, the mutex being released meanwhile. Python's {@code threading.Condition}, Java's
 * {@code java.util.concurrent.locks.Condition}, for tasklets.
 *
 * <pre>{@code
 * Mutex lock = new Mutex();
 * Condition nonEmpty = lock.newCondition();
 * // consumer                                   // producer
 * lock.withLock(() -> {                          lock.withLock(() -> {
 *     while (queue.isEmpty()) nonEmpty.await();      queue.add(job);
 *     take(queue.poll());                            nonEmpty.signal();
 * });                                            });
 * }</pre>
 *
 * <p>Signals wake waiters in FIFO order, and each woken waiter then queues for the mutex behind the tasklets
 * already waiting for it. As with every condition variable, test the predicate in a loop. Unlike Java's, there
 * are no spurious wake-ups, and unlike Python's, {@code await} has no timeout (combine a {@link Select} with
 * {@link Scheduler#after} for that).
 */
public final class Condition {
    private final Mutex mutex;
    private final WaitQueue waiters = new WaitQueue();

    Condition(Mutex mutex) {
        this.mutex = mutex;
    }

    /**
     * Releases the mutex (every hold of it), waits until signalled, and takes the mutex again (as many holds)
     * before returning, also when the tasklet is killed while waiting.
     *
     * @throws IllegalMonitorStateException if the calling tasklet does not hold the mutex
     */
    @Suspendable
    public void await() {
        Tasklet me = Scheduler.requireTasklet("await", this);
        mutex.requireOwner("await a condition of");
        Waiter w = new Waiter(me, "be signalled on", this);
        waiters.add(w);
        int holds = mutex.releaseAll();
        Throwable failure = null;
        try {
            Scheduler.park(me, w);
        } catch (Throwable killed) {
            failure = killed; // the caller's finally will unlock: take the mutex back first
        }
        mutex.lock();
        mutex.restoreHolds(holds);
        if (failure != null) throw Throwables.sneaky(failure);
    }

    /**
     * Wakes the longest-waiting tasklet, if any.
     *
     * @throws IllegalMonitorStateException if the calling tasklet does not hold the mutex
     */
    public void signal() {
        mutex.requireOwner("signal a condition of");
        Waiter w = waiters.poll();
        if (w != null) {
            w.complete(Waiter.DONE, null);
            Scheduler.wakeLater(w.tasklet);
        }
    }

    /**
     * Wakes every waiting tasklet.
     *
     * @throws IllegalMonitorStateException if the calling tasklet does not hold the mutex
     */
    public void signalAll() {
        mutex.requireOwner("signal a condition of");
        waiters.wakeAll(Waiter.DONE);
    }

    /** How many tasklets wait on it. */
    public int queueLength() {
        return waiters.size();
    }

    @Override
    public String toString() {
        return "Condition[of " + mutex + ", " + waiters.size() + " waiting]";
    }
}
