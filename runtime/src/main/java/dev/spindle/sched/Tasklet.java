package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableRunnable;
import java.util.Objects;

/**
 * A lightweight thread of a {@link Scheduler}: a coroutine that the scheduler resumes in turn with the others,
 * and that gives up its turn where it says so ({@link Scheduler#schedule()}, {@link Scheduler#sleep}) or where it
 * has to wait (a {@link Channel}, a {@link Mutex}, ...). Made by {@link Scheduler#spawn}.
 *
 * <pre>{@code
 * Scheduler s = new Scheduler();
 * Tasklet ticker = s.spawn("ticker", () -> {
 *     try {
 *         for (;;) { System.out.println("tick"); Scheduler.schedule(); }
 *     } finally {
 *         System.out.println("ticker unwound");      // runs when it is killed
 *     }
 * });
 * s.run(3);              // tick tick tick: the watchdog returns after 3 switches
 * ticker.kill();         // ticker unwound
 * assert !ticker.isAlive();
 * }</pre>
 *
 * <p>Differences from Stackless: a tasklet is spawned runnable (no separate {@code bind}/{@code setup}/{@code
 * insert}); there is no main tasklet, because the thread that calls {@code run()} is not a coroutine and cannot
 * block on a channel; and {@link #kill()} or {@link #raiseException} called from another tasklet takes effect
 * when the caller next gives up its turn (it would have to be a suspendable call to switch at once). Not
 * offered: {@code remove()} (take a tasklet out of the run queue without killing it; make it wait on a channel
 * or an {@link Event} instead), {@code run()} of one tasklet (switch to it now), {@code schedule_remove} and
 * {@code getruncount} ({@link Scheduler#tasklets()} lists the live ones).
 */
public final class Tasklet {
    /** Where a tasklet is in its life. */
    public enum State {
        /** In the run queue, waiting for its turn (a tasklet not started yet is runnable too). */
        RUNNABLE,
        /** Running now. */
        RUNNING,
        /** Waiting on a channel, a select, a lock, an event or a latch. */
        BLOCKED,
        /** Waiting for a timer: {@link Scheduler#sleep}. */
        SLEEPING,
        /** Its body returned, threw, or it was killed. */
        DONE
    }

    final Scheduler scheduler;
    final Coroutine coroutine;
    private final String name;
    State state = State.RUNNABLE;
    /** What it waits for while blocked or sleeping. */
    Blocker blocker;
    /** An exception to raise in it when it next runs (kill, raiseException). */
    Throwable pending;

    Tasklet(Scheduler scheduler, String name, SuspendableRunnable body) {
        this.scheduler = scheduler;
        this.name = name;
        this.coroutine = new Coroutine(name, Objects.requireNonNull(body, "body"));
    }

    /**
     * The tasklet running on this thread (the current tasklet of the innermost {@link Scheduler#run()} on this
     * thread), or null. Stackless's {@code stackless.getcurrent()}.
     */
    public static Tasklet current() {
        Scheduler s = Scheduler.current();
        return s == null ? null : s.current;
    }

    /** The name given to {@link Scheduler#spawn(String, SuspendableRunnable)}, or {@code tasklet-N}. */
    public String name() {
        return name;
    }

    /** The scheduler that runs it. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Where the tasklet is in its life. */
    public State state() {
        return state;
    }

    /** False once it is {@link State#DONE}. */
    public boolean isAlive() {
        return state != State.DONE;
    }

    /** True while it waits for something other than its turn: {@link State#BLOCKED} or {@link State#SLEEPING}. */
    public boolean isBlocked() {
        return state == State.BLOCKED || state == State.SLEEPING;
    }

    /**
     * What it waits for, as the deadlock report says it (e.g. {@code receive on Channel[jobs, ...]}), or null if
     * it is not blocked.
     */
    public String waitingFor() {
        Blocker b = blocker;
        return b == null ? null : b.describe();
    }

    /** Where it is suspended, innermost frame first (see {@link Coroutine#stackTrace()}); empty if it is not. */
    public StackTraceElement[] stackTrace() {
        return coroutine.stackTrace();
    }

    /**
     * Raises {@link TaskletExit} in the tasklet, where it is suspended, so it unwinds running its {@code finally}
     * blocks; the scheduler swallows the {@code TaskletExit} when it escapes. Whatever the tasklet waited for
     * (a channel, a lock, a timer) it no longer waits for. Killing a dead tasklet does nothing; a tasklet that
     * has not started yet just never starts.
     *
     * <p>When the scheduler is not running (called from the thread's own code, between two {@code run()}s) the
     * tasklet unwinds at once, inside this call, as in Stackless. When it is running (called from another
     * tasklet) the killed tasklet is moved to the head of the run queue (behind those killed before it, which
     * unwind in the order they were killed) and unwinds when the caller next gives up its turn
     * ({@code Scheduler.schedule()} right after {@code kill()} makes that immediate; a send that hands over to a
     * preferred receiver lets that receiver run first, then the killed tasklets, then the caller). Until then a
     * second kill does nothing and a {@link #raiseException} is refused with an {@code IllegalStateException}:
     * the first interruption stands. A kill is never refused: it replaces a {@code raiseException} not yet
     * delivered. A tasklet that kills itself throws {@code TaskletExit} from here; one that runs a scheduler of
     * its own cannot be killed by that scheduler's tasklets (an {@code IllegalStateException}: the exception would
     * end the nested tasklet, not it).
     */
    public void kill() {
        scheduler.interrupt(this, new TaskletExit(this), true);
    }

    /**
     * Raises {@code exception} in the tasklet where it is suspended ({@link Coroutine#resumeThrowing}), at once
     * or at its next turn as {@link #kill()} explains. If the tasklet does not catch it, it ends the tasklet and
     * comes out of {@link Scheduler#run()} (or out of this call, when the scheduler is not running).
     *
     * @throws IllegalStateException if the tasklet is dead
     */
    public void raiseException(Throwable exception) {
        scheduler.interrupt(this, Objects.requireNonNull(exception, "exception"), false);
    }

    @Override
    public String toString() {
        String waiting = waitingFor();
        return "Tasklet[" + name + ", " + state + (waiting != null ? ": " + waiting : "") + "]";
    }
}
