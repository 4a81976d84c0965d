package dev.spindle.internal;

/**
 * The suspended party of a wait on a {@code dev.spindle.sched} primitive (a channel, a lock, ...) when that party
 * is not a tasklet of a {@code Scheduler}: an event-loop coroutine ({@code dev.spindle.io.Task}). Not API.
 *
 * <p>Why an interface here: {@code sched} and {@code io} are separate packages, and the primitives must suspend
 * and wake a loop's coroutine without {@code sched} knowing the loop's internals. Tasklets are not parties: they
 * keep their own single-threaded path in {@code sched} (no lock, Stackless preferences, deterministic schedules).
 *
 * <p>Protocol, for a primitive guarded by a lock: under the lock it queues a waiter and releases the lock; then,
 * on the party's own thread, it calls {@link #blockOn} and {@code Coroutine.yield()}. A waker, under the
 * primitive's lock, takes the waiter out of its queue, completes it, and calls {@link #wake} (from any thread).
 * The wake must take effect only after the party has actually suspended: a party wakes on its own thread, after
 * the turn in which it suspended has ended, which is what makes a wake that comes "too early" harmless.
 */
public interface Party {
    /** For messages: the coroutine's name. */
    String name();

    /** Marks this party as waiting for {@code wait}; called on its own thread just before it suspends. */
    void blockOn(Wait wait);

    /** Ends the wait {@code wait}, which the caller has completed. Any thread; never blocks, never suspends. */
    void wake(Wait wait);

    /** One wait of a party, as its scheduler sees it: what it is, and how to take it back. */
    interface Wait {
        /** What the party waits for, e.g. {@code receive on Channel[jobs, ...]}. */
        String describe();

        /**
         * Withdraws the wait, unless it has completed already (the primitive handed the party a value, a lock, a
         * permit or a signal, and a wake is on its way). Any thread.
         *
         * @return true if withdrawn: nothing was handed over; false if it had completed
         */
        boolean cancel();

        /**
         * The wait completed, but its party will never run again to see it (its loop terminated): gives back
         * what it was handed where that is possible (a lock is passed on, a permit released, a value offered to
         * the channel again) and logs what cannot be given back, so that nothing is lost silently.
         */
        void abandon();
    }
}
