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

    /**
     * Inserts {@code t} so that it becomes the {@code i}-th (0 is the head), moving the shorter side: a supervisor
     * that kills thousands of tasklets puts each behind those killed before it, near one end or the other.
     */
    void insertAt(int i, Tasklet t) {
        if (i >= size - i) {
            addLast(t);
            for (int j = size - 1; j > i; j--) set(j, get(j - 1));
        } else {
            addFirst(t);
            for (int j = 0; j < i; j++) set(j, get(j + 1));
        }
        set(i, t);
    }

    /** Takes out the {@code i}-th, moving the shorter side. */
    Tasklet removeAt(int i) {
        Tasklet t = get(i);
        if (i < size - 1 - i) {
            for (int j = i; j > 0; j--) set(j, get(j - 1));
            items[head] = null;
            head = (head + 1) & (items.length - 1);
        } else {
            for (int j = i; j < size - 1; j++) set(j, get(j + 1));
            set(size - 1, null);
        }
        size--;
        return t;
    }

    /**
     * Where {@code t} is in the queue, or -1; looked for from {@code from} and from the tail at once, then before
     * {@code from}: so found at once when it is next after {@code from} or among the newest.
     */
    int indexOf(Tasklet t, int from) {
        for (int i = from, j = size - 1; i <= j; i++, j--) {
            if (get(i) == t) return i;
            if (get(j) == t) return j;
        }
        for (int i = 0; i < from && i < size; i++) {
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
