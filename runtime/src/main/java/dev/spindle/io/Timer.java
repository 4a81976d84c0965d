package dev.spindle.io;

/** A pending action of an {@link EventLoop}, due at a {@link System#nanoTime()} deadline. */
final class Timer {
    final long deadline;
    /** Breaks ties between equal deadlines, so timers due together fire in the order they were set. */
    final long seq;
    /**
     * A {@link Runnable}, or the {@link Task} whose wait it times out: an I/O wait's timeout (an idle connection's,
     * say) asks the task's blocker for the exception when it fires, rather than holding two lambdas per wait.
     */
    final Object action;
    /** Where it sits in its {@link TimerHeap}'s heap, or -1 while it is not there (waiting in a queue, fired, cancelled). */
    int index = -1;
    /** The queue of timers of the same duration it waits in, or null (then it is in the heap or gone). */
    TimerHeap.Queue queue;
    Timer prev, next;

    Timer(long deadline, long seq, Object action) {
        this.deadline = deadline;
        this.seq = seq;
        this.action = action;
    }

    boolean before(Timer o) {
        return deadline != o.deadline ? deadline - o.deadline < 0 : seq < o.seq;
    }
}
