package dev.spindle.sched;

import java.util.StringJoiner;

/** The waiters of one blocked {@link Select}: the first case completed wins, and the others are withdrawn. */
final class SelectGroup implements Blocker {
    final Waiter[] waiters;
    Waiter winner;

    SelectGroup(int cases) {
        waiters = new Waiter[cases];
    }

    void won(Waiter w) {
        winner = w;
        for (Waiter other : waiters) {
            if (other != w && other.queue != null) other.queue.remove(other);
        }
    }

    @Override
    public String describe() {
        StringJoiner j = new StringJoiner(", ", "select one of [", "]");
        for (Waiter w : waiters) j.add(w.describeCase());
        return j.toString();
    }

    @Override
    public void withdraw() {
        for (Waiter w : waiters) {
            if (w.queue != null) w.queue.remove(w);
        }
    }
}
