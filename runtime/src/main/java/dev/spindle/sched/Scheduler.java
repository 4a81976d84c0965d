package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableRunnable;
import dev.spindle.internal.Continuation;
import dev.spindle.internal.Parties;
import dev.spindle.internal.Party;
import dev.spindle.internal.Refusals;
import java.lang.ref.ReferenceQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Runs {@link Tasklet}s on one thread, round-robin, the way Stackless Python's scheduler does: each runnable
 * tasklet runs until it gives up its turn, and then the next one in the queue runs.
 *
 * <pre>{@code
 * Scheduler s = new Scheduler();
 * Channel<String> ch = new Channel<>();
 * s.spawn("producer", () -> {
 *     for (String w : List.of("a", "b", "c")) ch.send(w);    // waits for a receiver each time
 *     ch.close();
 * });
 * s.spawn("consumer", () -> {
 *     for (ChannelIterator<String> it = ch.iterator(); it.hasNext(); ) System.out.println(it.next());
 * });
 * s.run();                                                  // returns when both are done
 * }</pre>
 *
 * <p>A tasklet gives up its turn only at these points, never in between (so code between two of them runs
 * atomically with respect to the other tasklets):
 * <ul>
 *   <li>{@link #schedule()}: it goes to the end of the run queue (a raw {@code Coroutine.yield()} in a tasklet
 *       does the same);</li>
 *   <li>{@link #sleep(Duration)}: it waits for a timer;</li>
 *   <li>an operation that has to wait: {@link Channel#send}, {@link Channel#receive}, {@link Select#select},
 *       {@link Mutex#lock}, {@link Semaphore#acquire}, {@link Condition#await}, {@link Event#await},
 *       {@link Latch#await};</li>
 *   <li>a channel operation that completes a rendezvous, when the channel's {@link Channel.Preference} says the
 *       other side runs first.</li>
 * </ul>
 * Every method between a tasklet's body and these calls must be {@link Suspendable}.
 *
 * <p>{@link #run()} returns when every tasklet is done. When none can run but some are blocked, and no timer is
 * pending that could wake one, it throws a {@link DeadlockException} listing each blocked tasklet, what it waits
 * for and where; it never hangs. When tasklets only wait for timers it parks the thread until the earliest one
 * (no busy waiting). An exception that escapes a tasklet's body ends that tasklet and comes out of {@code run()}
 * unchanged; the other tasklets are left as they are, and {@code run()} can be called again.
 *
 * <p>Three kinds of scheduler:
 * <ul>
 *   <li>{@link #Scheduler() new Scheduler()}: round-robin, wall-clock time;</li>
 *   <li>{@link #withVirtualTime()}: round-robin, with a clock that jumps to the next timer when every tasklet
 *       sleeps: a simulation that sleeps for hours runs in microseconds, reproducibly;</li>
 *   <li>{@link #seeded(long)}: picks the next tasklet (and the case of a {@link Select} when several are
 *       ready) pseudo-randomly from a seed, with virtual time: the same seed gives the same schedule. This is
 *       what {@link Interleavings} uses to test a program under many schedules.</li>
 * </ul>
 *
 * <p>A scheduler, its tasklets, channels and locks belong to one thread at a time (the one that calls
 * {@code run()}); they are not thread-safe, and using them from another thread while {@code run()} runs is
 * refused. (The same channel and lock classes also serve coroutines of {@code dev.spindle.io} event loops,
 * thread-safely; but one channel or lock serves either tasklets or loop coroutines, see {@link Channel}.) Differences from Stackless: there is no main tasklet, since the thread calling {@code run()} is not
 * itself a coroutine (it may send to a waiting receiver, but cannot wait); {@code run()} reports a deadlock
 * instead of returning while tasklets are blocked; the watchdog {@link #run(long)} counts switches rather than
 * interpreter instructions, because a tasklet can only be stopped where it suspends. Differences from Go: one
 * thread, no preemption and no parallelism, which is what makes schedules deterministic and testable.
 */
public final class Scheduler {
    private static final ThreadLocal<Scheduler> CURRENT = new ThreadLocal<>();

    static {
        Refusals.register(Scheduler::suspensionRefused);
    }

    final RunQueue runnable = new RunQueue();
    /** Alive tasklets in spawn order (the deadlock report lists them in that order). */
    private final Set<Tasklet> live = new LinkedHashSet<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    /** The channels of {@code after()} timers collected before their deadline, and how many since the last purge. */
    private final ReferenceQueue<Object> droppedChannels = new ReferenceQueue<>();
    private int dropped;
    final Picker picker;
    private final Clock clock;
    /** The tasklet being resumed, or null. */
    Tasklet current;
    /**
     * The thread inside run() (or inside an immediate kill), or null. Volatile: other threads read it, to be
     * refused the use of this scheduler's primitives while it runs.
     */
    private volatile Thread runner;
    private long switches;
    private long timerSeq;
    private int spawned;
    /**
     * How many tasklets at the head of the run queue run next, in order, whoever the picker would choose: a
     * promise of the API (a preferred wake, kills), which an exploring picker must keep too.
     */
    private int headDue;
    /** A guard for Interleavings: more switches than this in one run is reported as a livelock. */
    long switchLimit = Long.MAX_VALUE;
    /** What run() threw when it reached switchLimit: Interleavings reports it even if the scenario caught it. */
    IllegalStateException livelock;
    /** When not null, the name of each tasklet resumed, in order (for Interleavings' reports). */
    List<String> trace;

    /** A round-robin scheduler on wall-clock time. */
    public Scheduler() {
        this(new Picker.RoundRobin(), new Clock.Real());
    }

    Scheduler(Picker picker, Clock clock) {
        this.picker = picker;
        this.clock = clock;
    }

    /**
     * A round-robin scheduler on virtual time: the clock stands still while tasklets run and, when all of them
     * sleep, jumps to the earliest wake-up instead of waiting for it.
     *
     * <pre>{@code
     * Scheduler s = Scheduler.withVirtualTime();
     * s.spawn(() -> { Scheduler.sleep(Duration.ofHours(2)); System.out.println("late"); });
     * s.spawn(() -> { Scheduler.sleep(Duration.ofHours(1)); System.out.println("early"); });
     * s.run();                       // early, late: at once
     * assert s.elapsed().equals(Duration.ofHours(2));
     * }</pre>
     */
    public static Scheduler withVirtualTime() {
        return new Scheduler(new Picker.RoundRobin(), new Clock.Virtual());
    }

    /**
     * A scheduler that picks the next tasklet to run uniformly at random among the runnable ones (and the case
     * of a {@link Select} among the ready ones), reproducibly from {@code seed}, on virtual time. A program that
     * depends only on what its tasklets do (not on wall time, identity hash codes or another random source) runs
     * the same way every time with the same seed. See {@link Interleavings} for the test helper built on it.
     */
    public static Scheduler seeded(long seed) {
        return new Scheduler(new Picker.Seeded(seed), new Clock.Virtual());
    }

    /** The scheduler whose {@link #run()} is running on this thread (the innermost one), or null. */
    public static Scheduler current() {
        return CURRENT.get();
    }

    /** Creates a runnable tasklet named {@code tasklet-N} that runs {@code body}; it starts in a later turn. */
    public Tasklet spawn(SuspendableRunnable body) {
        return spawn(null, body);
    }

    /**
     * Creates a runnable tasklet that runs {@code body} and puts it at the end of the run queue. It may be
     * called before {@link #run()} or from a running tasklet; the new tasklet starts when its turn comes.
     *
     * @param name for {@link Tasklet#name()}, deadlock reports and schedules; null for {@code tasklet-N}
     */
    public Tasklet spawn(String name, SuspendableRunnable body) {
        checkThread();
        spawned++;
        Tasklet t = new Tasklet(this, name != null ? name : "tasklet-" + spawned, body);
        live.add(t);
        runnable.addLast(t);
        return t;
    }

    /**
     * Runs tasklets until all are done.
     *
     * @throws DeadlockException if some are blocked and nothing can wake them
     * @throws IllegalStateException if this scheduler is already running
     * @throws java.util.concurrent.CancellationException if the thread is interrupted while tasklets sleep
     * @throws RuntimeException (or Error) an exception that escaped a tasklet's body, unchanged
     */
    public void run() {
        run(Long.MAX_VALUE);
    }

    /**
     * Runs tasklets until all are done or {@code maxSwitches} tasklet turns have been run, whichever comes
     * first: the watchdog of Stackless's {@code stackless.run(timeout)}. A cooperative tasklet cannot be stopped
     * in the middle of its turn, so the budget counts turns, not instructions; call it again to go on. Like
     * {@link #run()}, it waits for the earliest timer when only sleeping tasklets remain, rather than return (on
     * virtual time the clock jumps there instead); a game loop that must draw meanwhile keeps a tasklet runnable,
     * one that calls {@link #schedule()} in a loop.
     *
     * <pre>{@code
     * while (scheduler.run(1000)) {
     *     render();                  // a game loop: 1000 tasklet turns, then a frame
     * }
     * }</pre>
     *
     * @return true if it stopped because the budget ran out and tasklets remain (runnable, sleeping or blocked:
     *         a deadlock is reported by the next call), false if all are done
     * @throws DeadlockException as {@link #run()}
     */
    public boolean run(long maxSwitches) {
        if (maxSwitches < 0) throw new IllegalArgumentException("maxSwitches < 0: " + maxSwitches);
        Scheduler outer = enter();
        try {
            long left = maxSwitches;
            for (;;) {
                if (!timers.isEmpty()) fireDueTimers();
                if (live.isEmpty()) return false;
                if (left == 0) return true; // a deadlock, if any, is reported by the next run
                if (runnable.isEmpty()) {
                    if (!anyTimerCanWake()) throw new DeadlockException(new ArrayList<>(live));
                    clock.waitUntil(timers.peek().deadline);
                    continue;
                }
                if (switches >= switchLimit) {
                    livelock = new IllegalStateException("the tasklets did not finish within " + switchLimit
                            + " switches: an endless loop with Scheduler.schedule() in it, or a livelock");
                    throw livelock;
                }
                left--;
                int next = due() > 0 ? 0 : picker.choose(runnable.size());
                if (headDue > 0) headDue--;
                step(runnable.removeAt(next));
            }
        } finally {
            exit(outer);
        }
    }

    /** The alive tasklets, in the order they were spawned. */
    public List<Tasklet> tasklets() {
        return List.copyOf(live);
    }

    /** How many tasklet turns this scheduler has run so far. */
    public long switches() {
        return switches;
    }

    /** The time on this scheduler's clock: wall time or virtual time since the scheduler was created. */
    public Duration elapsed() {
        return Duration.ofNanos(clock.now());
    }

    /**
     * Gives the other runnable tasklets their turn: the calling tasklet goes to the end of the run queue
     * (Stackless's {@code stackless.schedule()}, Go's {@code runtime.Gosched()}). If it is the only runnable
     * one, it goes on at once.
     *
     * @throws IllegalStateException if no tasklet runs on this thread, or it is called from a coroutine nested
     *                               inside a tasklet
     */
    @Suspendable
    public static void schedule() {
        requireTasklet("call Scheduler.schedule()", null);
        Coroutine.yield(); // still RUNNING: step() puts it at the end of the queue
    }

    /**
     * Suspends the calling tasklet for {@code duration} of its scheduler's clock; the others run meanwhile.
     * Tasklets whose sleeps end at the same instant wake in the order they went to sleep. A duration of zero or
     * less is a {@link #schedule()}. When every tasklet sleeps, the thread parks until the earliest wake-up (on
     * virtual time, the clock jumps there).
     *
     * <pre>{@code
     * s.spawn(() -> { for (int i = 0; i < 3; i++) { Scheduler.sleep(Duration.ofMillis(100)); poll(); } });
     * }</pre>
     *
     * <p>Unlike {@code Thread.sleep} it is not interruptible and throws no {@code InterruptedException}; to stop
     * a sleeping tasklet, {@link Tasklet#kill()} it.
     */
    @Suspendable
    public static void sleep(Duration duration) {
        Tasklet me = requireTasklet("sleep", null);
        long nanos = toNanos(duration);
        if (nanos <= 0) {
            Coroutine.yield();
            return;
        }
        Scheduler s = me.scheduler;
        Timer t = Timer.waking(s, s.deadline(nanos), s.timerSeq++, me);
        s.timers.add(t);
        park(me, t, Tasklet.State.SLEEPING);
    }

    /**
     * A channel that receives this scheduler's {@link #elapsed()} time once, {@code delay} from now (Go's
     * {@code time.After}), for a timeout in a {@link Select}:
     *
     * <pre>{@code
     * Select.Case<String> reply = Select.receive(replies);
     * Select.Case<Duration> timeout = Select.receive(Scheduler.current().after(Duration.ofSeconds(1)));
     * Select.Selected got = Select.select(reply, timeout);
     * if (got.is(timeout)) System.out.println("no reply in time");
     * }</pre>
     *
     * The channel has room for the one value, so the timer never waits for a receiver. A pending timer keeps
     * {@link #run()} waiting only while a tasklet waits to receive from its channel: when every tasklet is
     * blocked and none waits for it (a select that another case won leaves its timer behind), the deadlock is
     * reported at once. A timer whose channel nobody references any more is dropped with it (as in Go since
     * 1.23), so a loop that selects with a long timeout does not pile up its timers.
     */
    public Channel<Duration> after(Duration delay) {
        checkThread();
        Channel<Duration> ch = new Channel<>("after " + delay, 1);
        ch.claimFor(this); // the timer offers from this thread, outside any tasklet
        long nanos = Math.max(0, toNanos(delay));
        purgeDroppedTimers();
        timers.add(Timer.offering(this, deadline(nanos), timerSeq++, ch, droppedChannels));
        return ch;
    }

    /**
     * Takes out the timers whose channels were collected once they are half of all (so each costs O(1) over
     * time): a loop that selects with a long timeout and whose other case wins holds that many, not one per
     * iteration until their deadlines.
     */
    private void purgeDroppedTimers() {
        while (droppedChannels.poll() != null) dropped++;
        if (dropped > 64 && dropped * 2 > timers.size()) {
            timers.removeIf(Timer::dropped);
            dropped = 0;
        }
    }

    @Override
    public String toString() {
        return "Scheduler[" + live.size() + " alive, " + runnable.size() + " runnable, " + timers.size()
                + " timers, " + switches + " switches" + (clock.isVirtual() ? ", virtual time " : ", ")
                + elapsed() + "]";
    }

    // ---- what the primitives call ----

    /** The tasklet whose own coroutine runs on this thread now, or null. */
    static Tasklet runningTasklet() {
        Scheduler s = CURRENT.get();
        if (s == null) return null;
        Tasklet t = s.current;
        return t != null && Coroutine.current() == t.coroutine ? t : null;
    }

    /**
     * The running tasklet, which is about to wait or switch; refused (with the reason) outside one, and in a
     * coroutine nested inside one, whose yield would suspend the nested coroutine instead of the tasklet.
     */
    static Tasklet requireTasklet(String verb, Object target) {
        Tasklet me = runningTasklet();
        if (me != null) return me;
        // The message is built only here: a blocking operation is on the hot path of every channel hand-off.
        String what = target == null ? verb : verb + " " + target;
        Scheduler s = CURRENT.get();
        Tasklet outer = s == null ? null : s.current;
        if (outer != null) {
            throw new IllegalStateException("cannot " + what + " in " + Coroutine.current() + ": it is a"
                    + " coroutine nested inside tasklet " + outer.name() + ", and only a tasklet's own coroutine"
                    + " can wait or switch (a yield here would suspend the nested coroutine, not the tasklet)");
        }
        Party loopCoroutine = Parties.enclosing();
        if (loopCoroutine != null) {
            throw new IllegalStateException("cannot " + what + " in event-loop coroutine " + loopCoroutine.name()
                    + ": only a tasklet of a Scheduler can do that. On an event loop, call EventLoop.yieldNow()"
                    + " where a tasklet calls Scheduler.schedule(), and EventLoop.sleep(duration) for"
                    + " Scheduler.sleep(duration)");
        }
        throw new IllegalStateException("cannot " + what + " here: no tasklet runs on this thread, and only a"
                + " tasklet can wait or switch. Do it in a body given to Scheduler.spawn(...), which"
                + " Scheduler.run() runs");
    }

    /** Suspends {@code me} until something wakes it; {@code b} says what it waits for. */
    @Suspendable
    static void park(Tasklet me, Blocker b) {
        park(me, b, Tasklet.State.BLOCKED);
    }

    @Suspendable
    private static void park(Tasklet me, Blocker b, Tasklet.State state) {
        me.blocker = b;
        me.state = state;
        Coroutine.yield(); // step() leaves it out of the run queue: whatever it waits for puts it back
    }

    /**
     * A suspension of {@code c} was refused (it went through code that is not instrumented, or a monitor): if
     * {@code c} is the running tasklet's own coroutine, the tasklet runs on, so it no longer waits for what it
     * was about to wait for, nor sits in the run queue behind the partner of a preferred hand-off.
     */
    private static void suspensionRefused(Continuation c) {
        Scheduler s = CURRENT.get();
        Tasklet t = s == null ? null : s.current;
        if (t == null || t.coroutine != c) return;
        withdrawWait(t);
        if (t.state == Tasklet.State.RUNNABLE) s.removeRunnable(t);
        t.state = Tasklet.State.RUNNING;
    }

    /** Takes {@code t} out of whatever it waits in, if anything. */
    private static void withdrawWait(Tasklet t) {
        Blocker b = t.blocker;
        t.blocker = null;
        if (b != null) b.withdraw();
    }

    /** What {@link #park} does before it yields, for callers that yield themselves (one frame less). */
    static void blocking(Tasklet me, Blocker b) {
        me.blocker = b;
        me.state = Tasklet.State.BLOCKED;
    }

    /**
     * Ends {@code t}'s wait. If {@code preferred} and the caller is a tasklet of the same scheduler, switches to
     * {@code t} at once with the caller right behind it in the queue (Stackless's channel preference: it rotates
     * the run queue to the preferred tasklet); otherwise {@code t} goes to the end of the queue.
     */
    @Suspendable
    static void wake(Tasklet t, boolean preferred) {
        Scheduler s = t.scheduler;
        if (preferred) {
            Tasklet me = runningTasklet();
            if (me != null && me.scheduler == s) {
                s.unblock(t);
                me.state = Tasklet.State.RUNNABLE;
                // t runs at once; the caller goes behind the tasklets already due (killed ones), not before them
                s.runnable.insertAt(s.due(), me);
                s.runnable.addFirst(t);
                s.headDue++;
                Coroutine.yield();
                return;
            }
        }
        s.makeRunnable(t);
    }

    /** Ends {@code t}'s wait; it runs when its turn comes. */
    static void wakeLater(Tasklet t) {
        t.scheduler.makeRunnable(t);
    }

    void makeRunnable(Tasklet t) {
        if (t.state == Tasklet.State.DONE) return;
        unblock(t);
        runnable.addLast(t);
    }

    /** How many tasklets at the head of the run queue are due to run next, in order. */
    private int due() {
        return headDue = Math.min(headDue, runnable.size());
    }

    /**
     * Takes a runnable {@code t} out of the queue (a due one no longer counts as due). Looked for after the due
     * ones first: a supervisor killing the runnable tasklets in turn finds each there.
     */
    private void removeRunnable(Tasklet t) {
        int i = runnable.indexOf(t, due());
        if (i < 0) return;
        runnable.removeAt(i);
        if (i < headDue) headDue--;
    }

    /**
     * Makes {@code t} due next, after those due already: put in the queue there, or moved there if {@code queued}
     * (left where it is if it is the first not due).
     */
    private void makeDue(Tasklet t, boolean queued) {
        int due = due(), i = queued ? runnable.indexOf(t, due) : -1;
        if (i != due) {
            if (i >= 0) runnable.removeAt(i);
            if (i >= 0 && i < due) due = --headDue;
            runnable.insertAt(due, t);
        }
        headDue++;
    }

    private void unblock(Tasklet t) {
        checkThread();
        t.blocker = null;
        t.state = Tasklet.State.RUNNABLE;
    }

    /**
     * Which of {@code n} ready select cases to take: the scheduler's pick on its thread, elsewhere (an event
     * loop, a thread of no scheduler) one at random.
     */
    static int chooseCase(int n) {
        if (n == 1) return 0;
        Scheduler s = CURRENT.get();
        return s == null ? java.util.concurrent.ThreadLocalRandom.current().nextInt(n) : s.picker.chooseCase(n);
    }

    void cancel(Timer t) {
        timers.remove(t);
    }

    /** Kill or raiseException: see {@link Tasklet#kill()}. */
    void interrupt(Tasklet t, Throwable exception, boolean kill) {
        if (t.pending != null) { // interrupted already, not delivered yet: the first one stands, unless a kill
            if (kill) { // a kill wins over a raise not delivered yet, so a supervisor's kill is never refused
                checkThread();
                if (!(t.pending instanceof TaskletExit)) t.pending = exception;
                if (runner == null) { // between runs: a kill from outside unwinds it now, as always
                    removeRunnable(t);
                    unwindNow(t);
                }
                return;
            }
            throw new IllegalStateException("cannot raise " + exception + " in tasklet " + t.name() + ": "
                    + (t.pending instanceof TaskletExit ? "a kill" : t.pending.toString())
                    + " is already pending for it, delivered " + (runner == null
                            ? "when run() is next called (or kill() it to unwind it now)"
                            : "when this tasklet gives up its turn (call Scheduler.schedule() to deliver it now)"));
        }
        boolean queued = false;
        switch (t.state) {
            case DONE:
                if (kill) return;
                throw new IllegalStateException("cannot raise " + exception + " in tasklet " + t.name()
                        + ": it is done");
            case RUNNING:
                Thread running = runner;
                if (current == t && running == Thread.currentThread()) {
                    if (CURRENT.get() == this) throw Throwables.sneaky(exception); // t itself: at once, as Stackless
                    Tasklet caller = Tasklet.current();
                    throw new IllegalStateException("cannot interrupt tasklet " + t.name() + " from "
                            + (caller != null ? "tasklet " + caller.name() + " of" : "inside") + " a scheduler it"
                            + " runs: " + t.name() + " is running that scheduler, and the exception would end the"
                            + " caller instead. Let the nested run() return (or throw) first, or interrupt it"
                            + " from another tasklet of its own scheduler");
                }
                throw new IllegalStateException("cannot interrupt tasklet " + t.name() + ": it is running"
                        + (running != null ? " on thread " + running.getName() : ""));
            case BLOCKED:
            case SLEEPING:
                checkThread();
                withdrawWait(t);
                break;
            default: // runnable: in the queue
                checkThread();
                queued = true;
        }
        if (kill && t.coroutine.state() == Coroutine.State.NEW) {
            if (queued) removeRunnable(t);
            finish(t); // never started: nothing to unwind
            return;
        }
        t.pending = exception;
        t.state = Tasklet.State.RUNNABLE;
        if (runner != null) {
            makeDue(t, queued); // its turn comes next, after those interrupted before it
            return;
        }
        if (queued) removeRunnable(t);
        unwindNow(t); // not running: as Stackless does
    }

    /** Delivers {@code t}'s pending interruption at once, from outside {@code run()}. */
    private void unwindNow(Tasklet t) {
        Scheduler outer = enter();
        try {
            step(t);
        } finally {
            exit(outer);
        }
    }

    // ---- the loop ----

    /** Runs one turn of {@code t}. */
    private void step(Tasklet t) {
        current = t;
        t.state = Tasklet.State.RUNNING;
        switches++;
        if (trace != null) trace.add(t.name());
        Throwable pending = t.pending;
        t.pending = null;
        boolean suspended;
        try {
            suspended = pending == null ? t.coroutine.resume() : t.coroutine.resumeThrowing(pending);
        } catch (TaskletExit killed) {
            suspended = false;
        } catch (Throwable failure) {
            current = null;
            if (!t.coroutine.isDone()) { // refused before it ran (resumed while this thread suspends another)
                requeue(t, pending);
                throw failure;
            }
            finish(t);
            throw failure;
        }
        current = null;
        if (!suspended) {
            finish(t);
        } else if (t.state == Tasklet.State.RUNNING) { // schedule(), or a raw Coroutine.yield()
            t.state = Tasklet.State.RUNNABLE;
            runnable.addLast(t);
        }
    }

    /** Puts back {@code t}, whose turn was refused before it ran, as it was: next, or due next if interrupted. */
    private void requeue(Tasklet t, Throwable pending) {
        switches--;
        if (trace != null) trace.remove(trace.size() - 1);
        t.pending = pending;
        t.state = Tasklet.State.RUNNABLE;
        if (pending != null) makeDue(t, false);
        else runnable.insertAt(due(), t);
    }

    private void finish(Tasklet t) {
        withdrawWait(t); // if it ended still registered somewhere
        t.state = Tasklet.State.DONE;
        live.remove(t);
    }

    private boolean anyTimerCanWake() {
        for (Timer t : timers) {
            if (t.canWake()) return true;
        }
        return false;
    }

    private void fireDueTimers() {
        long now = clock.now();
        Timer t;
        while ((t = timers.peek()) != null && t.deadline <= now) {
            timers.poll();
            t.fire();
        }
    }

    private Scheduler enter() {
        Thread me = Thread.currentThread();
        Thread running = runner;
        if (running != null) {
            throw new IllegalStateException(running == me
                    ? "this scheduler is already running on this thread (Scheduler.run() called from one of its"
                            + " own tasklets?): a tasklet lets the others run with Scheduler.schedule()"
                    : "this scheduler is running on thread " + running.getName() + "; a scheduler and its"
                            + " tasklets belong to one thread at a time");
        }
        runner = me;
        Scheduler outer = CURRENT.get();
        CURRENT.set(this);
        return outer;
    }

    private void exit(Scheduler outer) {
        runner = null;
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }

    /** Refuses use from a thread other than the one running this scheduler. */
    void checkThread() {
        checkThread(this);
    }

    /** Refuses use of {@code used} (this scheduler, or a channel or lock of its) from another thread. */
    void checkThread(Object used) {
        Thread r = runner;
        Thread me = Thread.currentThread();
        if (r != null && r != me) {
            throw new IllegalStateException("cannot use " + used + " from thread " + me.getName() + ": "
                    + (used == this ? "it is" : "it belongs to a scheduler") + " running on thread " + r.getName()
                    + ", and a scheduler's tasklets, channels and locks may only be used from the thread running"
                    + " it (they are not thread-safe). Run one scheduler per thread and hand work between threads"
                    + " with java.util.concurrent queues");
        }
    }

    private long deadline(long nanos) {
        long now = clock.now();
        long d = now + nanos;
        return d < now ? Long.MAX_VALUE : d;
    }

    private static long toNanos(Duration d) {
        Objects.requireNonNull(d, "duration");
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
