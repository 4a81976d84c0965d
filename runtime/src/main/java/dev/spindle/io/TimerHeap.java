package dev.spindle.io;

import java.util.Arrays;

/**
 * The timers of a loop: a binary min-heap that knows each timer's slot, so that cancelling one (the common case:
 * most timeouts never fire) costs O(log n) instead of the O(n) of {@code PriorityQueue.remove}.
 *
 * <p>Timeouts of the same duration ({@link #addAfter}: a server's idle and request timeouts, set once per
 * request on every connection) are due in the order they are set, so they wait in a FIFO list per duration, and
 * only the head of each list is in the heap: setting and cancelling one costs O(1) instead of sifting through a
 * heap of one timer per connection, each step a cache miss. Loop thread only.
 */
final class TimerHeap {
    /** Durations beyond this many distinct ones go to the heap directly. */
    private static final int MAX_QUEUES = 8;

    /** The timers of one duration, in deadline order; its head is in the heap. */
    static final class Queue {
        final long nanos;
        Timer head, tail;

        Queue(long nanos) {
            this.nanos = nanos;
        }
    }

    private Timer[] heap = new Timer[64];
    private int size;
    /** All pending timers, queued ones included. */
    private int count;
    private long seq;
    private final Queue[] queues = new Queue[MAX_QUEUES];
    private int queueCount;

    Timer add(long deadline, Runnable action) {
        Timer t = new Timer(deadline, seq++, action);
        count++;
        push(t);
        return t;
    }

    /** A timer due {@code nanos} from now (see {@link EventLoop#deadline}). */
    Timer addAfter(long nanos, Runnable action) {
        return after(nanos, action);
    }

    /** The timeout of {@code waiter}'s wait, due {@code nanos} from now. */
    Timer addAfter(long nanos, Task waiter) {
        return after(nanos, waiter);
    }

    private Timer after(long nanos, Object action) {
        Timer t = new Timer(EventLoop.deadline(nanos), seq++, action);
        count++;
        Queue q = queueOf(nanos);
        if (q == null) {
            push(t);
            return t;
        }
        t.queue = q;
        if (q.tail == null) {
            q.head = q.tail = t;
            push(t);
        } else if (q.tail.before(t)) {
            t.prev = q.tail;
            q.tail.next = t;
            q.tail = t;
        } else { // the clock cannot go back, but a clamped far deadline can tie: keep the heap's order exact
            t.queue = null;
            push(t);
        }
        return t;
    }

    private Queue queueOf(long nanos) {
        for (int i = 0; i < queueCount; i++) if (queues[i].nanos == nanos) return queues[i];
        if (queueCount == MAX_QUEUES) return null;
        return queues[queueCount++] = new Queue(nanos);
    }

    private void push(Timer t) {
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.index = size;
        up(size++);
    }

    /** Cancels {@code t}; nothing happens if it already fired or was cancelled. */
    void remove(Timer t) {
        Queue q = t.queue;
        if (q != null) {
            t.queue = null;
            count--;
            if (t.prev != null) t.prev.next = t.next; else q.head = t.next;
            if (t.next != null) t.next.prev = t.prev; else q.tail = t.prev;
            Timer successor = t.index >= 0 ? t.next : null; // t was the queue's head, in the heap
            t.prev = t.next = null;
            if (t.index >= 0) {
                removeFromHeap(t);
                if (successor != null) push(successor);
            }
            return;
        }
        int i = t.index;
        if (i < 0 || i >= size || heap[i] != t) return;
        count--;
        removeFromHeap(t);
    }

    private void removeFromHeap(Timer t) {
        int i = t.index;
        if (i < 0 || i >= size || heap[i] != t) return;
        t.index = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (i == size) return;
        heap[i] = last;
        last.index = i;
        up(i);
        down(last.index);
    }

    Timer peek() {
        return size == 0 ? null : heap[0];
    }

    Timer poll() {
        Timer t = peek();
        if (t != null) remove(t);
        return t;
    }

    int size() {
        return count;
    }

    private void up(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timer parent = heap[p];
            if (!t.before(parent)) break;
            heap[i] = parent;
            parent.index = i;
            i = p;
        }
        heap[i] = t;
        t.index = i;
    }

    private void down(int i) {
        Timer t = heap[i];
        for (;;) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && heap[c + 1].before(heap[c])) c++;
            if (!heap[c].before(t)) break;
            heap[i] = heap[c];
            heap[i].index = i;
            i = c;
        }
        heap[i] = t;
        t.index = i;
    }
}
