package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.internal.Party;

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
 *
 * <p><b>Who may call; threads.</b> Tasklets of a {@link Scheduler}, or coroutines of event loops
 * ({@link dev.spindle.io.EventLoop}), not both: the first to use it decides. Used by tasklets it belongs to their
 * scheduler's thread, unsynchronized, as a scheduler is. Used by loop coroutines it is thread-safe (a lock of its
 * own): coroutines of one loop or of several loops of an {@link dev.spindle.io.EventLoopGroup} may share it, a
 * waiting coroutine lets its loop run the others, and the one that releases it, on any thread, puts the waiter
 * back in its own loop's run queue. The other kind is refused with an {@link IllegalStateException} naming it.
 */
public final class Event extends Shared {
    private final String name;
    private final WaitQueue waiters = new WaitQueue();
    /** Volatile for {@link #isSet()} from any thread; written under the lock when shared. */
    private volatile boolean set;

    /** An event that is not set, with no name. */
    public Event() {
        this(null);
    }

    /** An event with a name for deadlock reports. */
    public Event(String name) {
        this.name = name;
    }

    /**
     * Waits until the event is set. There is no timeout (unlike Python's {@code wait(timeout)}): to give up
     * after a while, have the setter also send on a channel and {@link Select} it with
     * {@link Scheduler#after}, or on an event loop wrap the wait in {@code EventLoop.withTimeout}.
     */
    @Suspendable
    public void await() {
        if (set) return;
        if (!single()) {
            awaitShared();
            return;
        }
        Tasklet me = Scheduler.requireTasklet("wait for", this);
        Waiter w = new Waiter(me, "see set", this);
        waiters.add(w);
        Scheduler.park(me, w);
    }

    /** Sets the flag and wakes every waiting tasklet; they run when their turn comes. */
    public void set() {
        if (single()) {
            set = true;
            waiters.wakeAll(Waiter.DONE);
            return;
        }
        guard.lock();
        try {
            set = true;
            waiters.wakeAll(Waiter.DONE);
        } finally {
            guard.unlock();
        }
    }

    /** Clears the flag: later {@link #await()}s wait again. */
    public void clear() {
        if (single()) {
            set = false;
            return;
        }
        guard.lock();
        try {
            set = false;
        } finally {
            guard.unlock();
        }
    }

    @Suspendable
    private void awaitShared() {
        Party me;
        Waiter w;
        guard.lock();
        try {
            if (set) return;
            me = requireParty("wait for");
            w = new Waiter(me, "see set", this, this);
            waiters.add(w);
        } finally {
            guard.unlock();
        }
        me.blockOn(w);
        Coroutine.yield();
    }

    /** Whether the event is set: {@code await} returns at once. */
    public boolean isSet() {
        return set;
    }

    @Override
    public String toString() {
        return "Event[" + (name != null ? name + ", " : "") + (set ? "set" : "clear") + "]";
    }
}
