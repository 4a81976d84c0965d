package dev.spindle.sched;

import java.util.ArrayDeque;

/** A FIFO of waiting tasklets: the first to wait is the first served, which is what makes the locks fair. */
final class WaitQueue {
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    void add(Waiter w) {
        w.queue = this;
        waiters.addLast(w);
    }

    /** Takes out the longest-waiting tasklet's waiter, or returns null. */
    Waiter poll() {
        Waiter w = waiters.pollFirst();
        if (w != null) w.queue = null;
        return w;
    }

    void remove(Waiter w) {
        // Removal from the middle is linear, but only kills and lost select cases do it, and queues are short.
        if (waiters.remove(w)) w.queue = null;
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    int size() {
        return waiters.size();
    }

    /** Wakes every waiter, longest-waiting first, with {@code outcome}. */
    void wakeAll(int outcome) {
        Waiter w;
        while ((w = poll()) != null) {
            w.complete(outcome, null);
            Scheduler.wakeLater(w.tasklet);
        }
    }
}
