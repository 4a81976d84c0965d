package dev.spindle.io;

import java.util.ArrayList;
import java.util.List;

/**
 * The started, unfinished tasks of one loop: a list threaded through the tasks, because a set's entry per
 * connection would cost more heap than the links. Loop thread only.
 */
final class LiveTasks {
    private Task head;
    private int size;

    void add(Task t) {
        t.nextLive = head;
        if (head != null) head.prevLive = t;
        head = t;
        size++;
    }

    /** Removes {@code t} if it is in the list. */
    void remove(Task t) {
        if (t.prevLive == null && head != t) return;
        if (t.prevLive != null) t.prevLive.nextLive = t.nextLive; else head = t.nextLive;
        if (t.nextLive != null) t.nextLive.prevLive = t.prevLive;
        t.prevLive = t.nextLive = null;
        size--;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** A copy, to act on each while the list changes. */
    List<Task> snapshot() {
        List<Task> all = new ArrayList<>(size);
        for (Task t = head; t != null; t = t.nextLive) all.add(t);
        return all;
    }
}
