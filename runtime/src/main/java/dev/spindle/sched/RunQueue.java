package dev.spindle.sched;

/**
 * The runnable tasklets in order: a ring buffer that can also take one out of the middle, which a seeded
 * scheduler's random pick needs and an {@code ArrayDeque} cannot do.
 */
final class RunQueue {
    private Tasklet[] items = new Tasklet[16];
    private int head, size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Tasklet get(int i) {
        return items[(head + i) & (items.length - 1)];
    }

    private void set(int i, Tasklet t) {
        items[(head + i) & (items.length - 1)] = t;
    }

    void addLast(Tasklet t) {
        if (size == items.length) grow();
        set(size++, t);
    }

    void addFirst(Tasklet t) {
        if (size == items.length) grow();
        head = (head - 1) & (items.length - 1);
        items[head] = t;
        size++;
    }

    /** Inserts {@code t} so that it becomes the {@code i}-th (0 is the head). */
    void insertAt(int i, Tasklet t) {
        addFirst(t);
        for (int j = 0; j < i; j++) set(j, get(j + 1));
        set(i, t);
    }

    Tasklet removeAt(int i) {
        Tasklet t = get(i);
        if (i == 0) {
            items[head] = null;
            head = (head + 1) & (items.length - 1);
        } else {
            for (int j = i; j < size - 1; j++) set(j, get(j + 1));
            set(size - 1, null);
        }
        size--;
        return t;
    }

    /** Where {@code t} is in the queue, or -1. */
    int indexOf(Tasklet t) {
        for (int i = 0; i < size; i++) {
            if (get(i) == t) return i;
        }
        return -1;
    }

    private void grow() {
        Tasklet[] bigger = new Tasklet[items.length * 2];
        for (int i = 0; i < size; i++) bigger[i] = get(i);
        items = bigger;
        head = 0;
    }
}
