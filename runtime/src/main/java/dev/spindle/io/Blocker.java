package dev.spindle.io;

/**
 * What a waiting task waits for. Whoever ends the wait early (a timeout, a shutdown) calls {@link #cancel(Task)} so
 * that the selector interest, timer or worker job behind it goes away with the wait; the identity of the
 * blocker also tells a late waker (a future completing on another thread) whether the task still waits for it.
 *
 * <p>An abstract class rather than an interface so that its methods stay package-private: {@link TcpSocket},
 * a public class, is the blocker of its own waits.
 */
abstract class Blocker {
    /**
     * Withdraws the registration behind {@code waiter}'s wait, for good: if the wait completed meanwhile, what it
     * was handed goes back, since the task will not see it ({@link #tryCancel} is for a task that goes on). Called
     * on the loop thread, at most once per wait.
     * The waiter is passed so that one blocker object can serve every wait on it (a socket's), allocating nothing
     * per wait.
     */
    abstract void cancel(Task waiter);

    /** What a wait here that timed out throws into {@code waiter} (only I/O waits have timeouts). */
    Throwable timedOut(Task waiter) {
        return new java.util.concurrent.TimeoutException("wait on " + this + " timed out");
    }

    /**
     * Withdraws the wait if it can still be withdrawn: false if it completed already and the task must go on
     * with what it was handed (a wait on a {@code dev.spindle.sched} primitive or a future, completed by another
     * thread, whose wake is on its way). Instead of {@link #cancel(Task)}, not in addition to it.
     */
    boolean tryCancel(Task waiter) {
        cancel(waiter);
        return true;
    }

    /**
     * A wait on {@code what} (as a dump shows it) that withdraws by running {@code withdraw}; each one is a
     * distinct wait.
     */
    static Blocker of(String what, Runnable withdraw) {
        return new Blocker() {
            @Override
            void cancel(Task waiter) {
                withdraw.run();
            }

            @Override
            public String toString() {
                return what;
            }
        };
    }
}
