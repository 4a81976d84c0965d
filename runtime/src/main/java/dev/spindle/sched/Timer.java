package dev.spindle.sched;

import java.time.Duration;

/** A point on a scheduler's clock at which a sleeping tasklet wakes or an action runs. */
final class Timer implements Blocker, Comparable<Timer> {
    private final Scheduler scheduler;
    final long deadline;
    /** Ties broken by creation order, so timers due at the same instant fire in the order they were set. */
    private final long seq;
    private final Tasklet sleeper;
    private final Runnable action;

    private Timer(Scheduler scheduler, long deadline, long seq, Tasklet sleeper, Runnable action) {
        this.scheduler = scheduler;
        this.deadline = deadline;
        this.seq = seq;
        this.sleeper = sleeper;
        this.action = action;
    }

    static Timer waking(Scheduler s, long deadline, long seq, Tasklet sleeper) {
        return new Timer(s, deadline, seq, sleeper, null);
    }

    static Timer running(Scheduler s, long deadline, long seq, Runnable action) {
        return new Timer(s, deadline, seq, null, action);
    }

    void fire() {
        if (sleeper != null) {
            scheduler.makeRunnable(sleeper);
        } else {
            action.run();
        }
    }

    @Override
    public int compareTo(Timer o) {
        int c = Long.compare(deadline, o.deadline);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    @Override
    public String describe() {
        return "wake up at " + Duration.ofNanos(deadline) + " on the scheduler's clock (sleeping)";
    }

    @Override
    public void withdraw() {
        scheduler.cancel(this);
    }
}
