package dev.spindle.sched;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A FIFO of waiting tasklets or loop coroutines: the first to wait is the first served, which is what makes the
 * locks fair. Guarded by its primitive's lock when shared.
 */
final class WaitQueue {
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** How many waiters were ever added, and taken from the head: where in the queue a waiter is, roughly. */
    private int added, polled;

    void add(Waiter w) {
        w.queue = this;
        w.enqueued = added++;
        waiters.addLast(w);
    }

    /** Takes out the longest-waiting tasklet's waiter, or returns null. */
    Waiter poll() {
        Waiter w = waiters.pollFirst();
        if (w != null) {
            w.queue = null;
            polled++;
        }
        return w;
    }

    /**
     * Takes out the longest-waiting live waiter and claims its select, if any, or returns null. A waiter whose
     * select another case has won (on another channel, under another lock) is dropped on the way: the shared
     * path leaves such waiters behind rather than take a second channel's lock.
     */
    Waiter pollClaim() {
        Waiter w;
        while ((w = poll()) != null) {
            if (w.group == null || w.group.claim(w)) return w;
        }
        return null;
    }

    /**
     * Takes {@code w} out (a kill, a timeout, a select case lost), looking for it from the nearer end: a run of
     * kills or timeouts, oldest or newest first, stays linear. Only removals from deep in the middle of a long
     * queue cost its length (a linked list would not, but it made every hand-off slower).
     */
    void remove(Waiter w) {
        if (w.queue != this) return;
        boolean nearerTheHead = w.enqueued - polled <= added - 1 - w.enqueued;
        if (nearerTheHead ? waiters.removeFirstOccurrence(w) : waiters.removeLastOccurrence(w)) w.queue = null;
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    int size() {
        return waiters.size();
    }

    /** The number of waiters not left behind by a select won elsewhere (the shared path's {@link #size()}). */
    int liveSize() {
        int n = 0;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            if (it.next().isLive()) n++;
        }
        return n;
    }

    /** Wakes every waiter, longest-waiting first, with {@code outcome}. */
    void wakeAll(int outcome) {
        Waiter w;
        while ((w = pollClaim()) != null) {
            w.complete(outcome, null);
            w.wakeLater();
        }
    }
}
