package dev.spindle.io;

/** A pending action of an {@link EventLoop}, due at a {@link System#nanoTime()} deadline. */
final class Timer {
    final long deadline;
    /** Breaks ties between equal deadlines, so timers due together fire in the order they were set. */
    final long seq;
    final Runnable action;
    /** Where it sits in its {@link TimerHeap}'s heap, or -1 while it is not there (waiting in a queue, fired, cancelled). */
    int index = -1;
    /** The queue of timers of the same duration it waits in, or null (then it is in the heap or gone). */
    TimerHeap.Queue queue;
    Timer prev, next;

    Timer(long deadline, long seq, Runnable action) {
        this.deadline = deadline;
        this.seq = seq;
        this.action = action;
    }

    boolean before(Timer o) {
        return deadline != o.deadline ? deadline - o.deadline < 0 : seq < o.seq;
    }
}
