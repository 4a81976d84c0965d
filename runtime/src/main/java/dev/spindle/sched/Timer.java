package dev.spindle.sched;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;

/** A point on a scheduler's clock at which a sleeping tasklet wakes or a channel of {@code after()} gets its value. */
final class Timer implements Blocker, Comparable<Timer> {
    private final Scheduler scheduler;
    final long deadline;
    /** Ties broken by creation order, so timers due at the same instant fire in the order they were set. */
    private final long seq;
    private final Tasklet sleeper;
    /**
     * The channel of {@code after()}, weakly: once nobody can receive from it (a select that another case won),
     * the timer is garbage too, as in Go since 1.23, not kept until its deadline.
     */
    private final Reference<Channel<Duration>> channel;

    private Timer(Scheduler scheduler, long deadline, long seq, Tasklet sleeper, Reference<Channel<Duration>> channel) {
        this.scheduler = scheduler;
        this.deadline = deadline;
        this.seq = seq;
        this.sleeper = sleeper;
        this.channel = channel;
    }

    static Timer waking(Scheduler s, long deadline, long seq, Tasklet sleeper) {
        return new Timer(s, deadline, seq, sleeper, null);
    }

    /** {@code dropped} gets the reference once the channel is collected. */
    static Timer offering(Scheduler s, long deadline, long seq, Channel<Duration> channel,
            ReferenceQueue<Object> dropped) {
        return new Timer(s, deadline, seq, null, new WeakReference<>(channel, dropped));
    }

    void fire() {
        if (sleeper != null) {
            scheduler.makeRunnable(sleeper);
        } else {
            Channel<Duration> c = channel.get();
            if (c != null) c.offer(scheduler.elapsed());
        }
    }

    /** An {@code after()} timer whose channel was collected. */
    boolean dropped() {
        return sleeper == null && channel.get() == null;
    }

    /**
     * Whether firing would let a tasklet run: a sleeper always, a channel's value only if a tasklet waits to
     * receive it now. When every tasklet is blocked nobody else can start waiting, so a timer that cannot wake
     * anyone then never will, and {@code run()} reports the deadlock at once instead of waiting for it.
     */
    boolean canWake() {
        if (sleeper != null) return true;
        Channel<Duration> c = channel.get();
        return c != null && c.balance() < 0;
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
