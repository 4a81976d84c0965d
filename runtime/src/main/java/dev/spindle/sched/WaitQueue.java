package dev.spindle.sched;

/**
 * A FIFO of waiting tasklets or loop coroutines: the first to wait is the first served, which is what makes the
 * locks fair. Guarded by its primitive's lock when shared.
 */
final class WaitQueue {
    /** A list linked through the waiters themselves, so that taking one out of the middle costs nothing. */
    private Waiter head, tail;
    private int size;

    void add(Waiter w) {
        w.queue = this;
        w.prev = tail;
        w.next = null;
        if (tail == null) head = w;
        else tail.next = w;
        tail = w;
        size++;
    }

    /** Takes out the longest-waiting tasklet's waiter, or returns null. */
    Waiter poll() {
        Waiter w = head;
        if (w != null) unlink(w);
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

    /** Takes {@code w} out (a kill, a timeout, a select case lost), wherever it is: 100,000 kills stay linear. */
    void remove(Waiter w) {
        if (w.queue == this) unlink(w);
    }

    private void unlink(Waiter w) {
        Waiter p = w.prev, n = w.next;
        if (p == null) head = n;
        else p.next = n;
        if (n == null) tail = p;
        else n.prev = p;
        w.prev = null;
        w.next = null;
        w.queue = null;
        size--;
    }

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    /** The number of waiters not left behind by a select won elsewhere (the shared path's {@link #size()}). */
    int liveSize() {
        int n = 0;
        for (Waiter w = head; w != null; w = w.next) {
            if (w.isLive()) n++;
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
