package dev.spindle.sched;

import dev.spindle.Suspendable;

/**
 * A flag tasklets can wait for: {@link #await()} returns at once if it is set, otherwise waits until
 * {@link #set()}, which wakes every waiting tasklet (in the order they started waiting). Python's
 * {@code threading.Event}, for tasklets.
 *
 * <pre>{@code
 * Event ready = new Event("ready");
 * for (int i = 0; i < 3; i++) s.spawn(() -> { ready.await(); work(); });
 * s.spawn(() -> { prepare(); ready.set(); });       // the three workers start only now
 * s.run();
 * }</pre>
 *
 * <p>Named {@code await} rather than Python's {@code wait}, which {@code Object.wait()} takes in Java.
 */
public final class Event {
    private final String name;
    private final WaitQueue waiters = new WaitQueue();
    private boolean set;

    public Event() {
        this(null);
    }

    /** An event with a name for deadlock reports. */
    public Event(String name) {
        this.name = name;
    }

    /** Waits until the event is set. */
    @Suspendable
    public void await() {
        if (set) return;
        Tasklet me = Scheduler.requireTasklet("wait for", this);
        Waiter w = new Waiter(me, "see set", this);
        waiters.add(w);
        Scheduler.park(me, w);
    }

    /** Sets the flag and wakes every waiting tasklet; they run when their turn comes. */
    public void set() {
        set = true;
        waiters.wakeAll(Waiter.DONE);
    }

    /** Clears the flag: later {@link #await()}s wait again. */
    public void clear() {
        set = false;
    }

    public boolean isSet() {
        return set;
    }

    @Override
    public String toString() {
        return "Event[" + (name != null ? name + ", " : "") + (set ? "set" : "clear") + "]";
    }
}
