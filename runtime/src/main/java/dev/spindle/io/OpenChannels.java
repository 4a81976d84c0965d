package dev.spindle.io;

import java.util.ArrayList;
import java.util.List;

/**
 * The channels of one loop not closed yet, so that shutdown leaks no descriptor: a list threaded through the
 * handles themselves, because a set's entry per connection would cost more heap than the handle. Channels open
 * and close on any thread (a server is bound by whoever calls serve), hence the lock, which is uncontended in
 * practice and taken only when a channel opens or closes.
 */
final class OpenChannels {
    private IoHandle head;
    private int size;

    synchronized void add(IoHandle h) {
        h.nextOpen = head;
        if (head != null) head.prevOpen = h;
        head = h;
        size++;
    }

    /** Removes {@code h} if it is in the list (closing twice is allowed). */
    synchronized void remove(IoHandle h) {
        if (h.prevOpen == null && head != h) return;
        if (h.prevOpen != null) h.prevOpen.nextOpen = h.nextOpen; else head = h.nextOpen;
        if (h.nextOpen != null) h.nextOpen.prevOpen = h.prevOpen;
        h.prevOpen = h.nextOpen = null;
        size--;
    }

    synchronized int size() {
        return size;
    }

    /** A copy, to close them while the list changes under the loop. */
    synchronized List<IoHandle> snapshot() {
        List<IoHandle> all = new ArrayList<>(size);
        for (IoHandle h = head; h != null; h = h.nextOpen) all.add(h);
        return all;
    }
}
