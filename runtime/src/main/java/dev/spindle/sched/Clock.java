package dev.spindle.sched;

import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;

/** A scheduler's time, in nanoseconds since the scheduler was created. */
abstract class Clock {
    abstract long now();

    /** Returns once {@link #now()} has reached {@code deadline}; called only when no tasklet can run. */
    abstract void waitUntil(long deadline);

    /** True for a clock that jumps instead of waiting. */
    abstract boolean isVirtual();

    /** Wall time: the thread parks until the deadline, so a scheduler whose tasklets all sleep costs no CPU. */
    static final class Real extends Clock {
        private final long origin = System.nanoTime();

        @Override
        long now() {
            return System.nanoTime() - origin;
        }

        @Override
        void waitUntil(long deadline) {
            for (long left; (left = deadline - now()) > 0; ) {
                if (Thread.currentThread().isInterrupted()) {
                    // parkNanos returns at once while the flag is set: waiting on would spin.
                    throw new CancellationException("Scheduler.run() was interrupted while its tasklets slept;"
                            + " the interrupt flag is left set, and run() may be called again");
                }
                LockSupport.parkNanos(this, left);
            }
        }

        @Override
        boolean isVirtual() {
            return false;
        }
    }

    /**
     * Simulated time: it stands still while tasklets run and jumps to the next timer when none can, so sleeps
     * take no wall time and a run is reproducible (what a seeded scheduler needs).
     */
    static final class Virtual extends Clock {
        private long now;

        @Override
        long now() {
            return now;
        }

        @Override
        void waitUntil(long deadline) {
            if (deadline > now) now = deadline;
        }

        @Override
        boolean isVirtual() {
            return true;
        }
    }
}
