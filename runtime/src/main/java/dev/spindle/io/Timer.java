package dev.spindle.io;

/** A pending action of an {@link EventLoop}, due at a {@link System#nanoTime()} deadline. */
final class Timer {
    final long deadline;
    /** Breaks ties between equal deadlines, so timers due together fire in the order they were set. */
    final long seq;
    final Runnable action;
    /** Where it sits in its {@link TimerHeap}, or -1 once fired or cancelled (what makes removal O(log n)). */
    int index = -1;

    Timer(long deadline, long seq, Runnable action) {
        this.deadline = deadline;
        this.seq = seq;
        this.action = action;
    }

    boolean before(Timer o) {
        return deadline != o.deadline ? deadline - o.deadline < 0 : seq < o.seq;
    }
}
