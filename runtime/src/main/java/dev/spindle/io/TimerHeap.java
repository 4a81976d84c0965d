package dev.spindle.io;

import java.util.Arrays;

/**
 * A binary min-heap of timers that knows each timer's slot, so that cancelling one (the common case: most
 * timeouts never fire) costs O(log n) instead of the O(n) of {@code PriorityQueue.remove}. Loop thread only.
 */
final class TimerHeap {
    private Timer[] heap = new Timer[64];
    private int size;
    private long seq;

    Timer add(long deadline, Runnable action) {
        Timer t = new Timer(deadline, seq++, action);
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.index = size;
        up(size++);
        return t;
    }

    /** Cancels {@code t}; nothing happens if it already fired or was cancelled. */
    void remove(Timer t) {
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
        return size;
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
