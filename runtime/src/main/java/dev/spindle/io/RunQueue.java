package dev.spindle.io;

import java.util.ArrayDeque;

/**
 * A loop's tasks ready to run, first in, first out. An {@link ArrayDeque} alone keeps the capacity of its
 * largest burst for good: 10,000 connections accepted at once leave a 64 KB array behind, 6.5 bytes of every
 * idle connection's share of the heap. This one starts over with a small array once a large burst has drained.
 * Loop thread only. Generic only so that it can be tested without tasks (which need the agent).
 */
final class RunQueue<T> {
    /** Bursts up to this many keep their array: reallocating after every small one would only make garbage. */
    static final int KEEP = 1024;

    private ArrayDeque<T> tasks = new ArrayDeque<>();
    /** The most tasks queued at once since the array was made. */
    private int high;

    void add(T t) {
        tasks.add(t);
        if (tasks.size() > high) high = tasks.size();
    }

    /** The next task, or null if none. */
    T poll() {
        T t = tasks.poll();
        if (high > KEEP && tasks.isEmpty()) {
            tasks = new ArrayDeque<>();
            high = 0;
        }
        return t;
    }

    int size() {
        return tasks.size();
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }
}
