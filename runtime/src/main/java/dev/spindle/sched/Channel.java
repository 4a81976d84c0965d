package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.internal.Party;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;

/**
 * A channel between tasklets of a {@link Scheduler}, or between coroutines of event loops
 * ({@link dev.spindle.io.EventLoop}): Stackless Python's {@code channel}, Go's {@code chan}.
 *
 * <p>By default a channel is <em>unbuffered</em>, a rendezvous (Stackless semantics): {@link #send} waits until a
 * tasklet receives the value, and {@link #receive} waits until one sends. With a capacity, up to that many values
 * wait in a buffer and {@code send} only waits when it is full (Go's buffered channel). Tasklets waiting on the
 * same side are served first come, first served.
 *
 * <pre>{@code
 * Scheduler s = new Scheduler();
 * Channel<Integer> numbers = new Channel<>("numbers");
 * s.spawn("producer", () -> {
 *     for (int i = 1; i <= 3; i++) numbers.send(i);
 *     numbers.close();                               // no more values
 * });
 * s.spawn("consumer", () -> {
 *     for (ChannelIterator<Integer> it = numbers.iterator(); it.hasNext(); ) {
 *         System.out.println(it.next());             // 1 2 3, then the loop ends
 *     }
 * });
 * s.run();
 * }</pre>
 *
 * <p><b>Closing.</b> After {@link #close()}, receivers still get the values already buffered; then
 * {@code receive()} throws {@link ChannelClosedException} (the end-of-channel signal), an iterator's
 * {@code hasNext()} returns false and a {@link Select} receive case reports {@link Select.Selected#isClosed()}.
 * Tasklets waiting to receive are woken with that signal; tasklets waiting to send, and every later
 * {@code send}, get a {@code ChannelClosedException}. Closing twice does nothing. This is Go's close; Stackless's
 * only marks a channel as closing and lets senders already waiting deliver first, so here a sender that must
 * deliver should finish before the channel is closed (close from the last sender, as in the example).
 *
 * <p>Not offered from Stackless: {@code send_exception} (send a value the receiver recognises, or use a
 * {@link Tasklet#raiseException}), {@code send_sequence} (send in a loop), {@code open()} after close (make a
 * new channel), {@code queue} ({@link #balance()} says how many wait).
 *
 * <p><b>Preference</b> ({@link #setPreference}) decides who runs on when a send meets a waiting receiver, or a
 * receive meets a waiting sender (Stackless's {@code channel.preference}; Go leaves this to its scheduler).
 *
 * <p><b>Who may call.</b> {@code send} and {@code receive} are {@link Suspendable}: call them from a tasklet or
 * from a coroutine of an event loop, through suspendable methods. Code outside any coroutine (a plain thread, or
 * the thread's own code before or between {@code run()}s) may call them as long as they need not wait (sending
 * to a waiting receiver, or into a buffer with room; receiving a buffered value); having to wait there is
 * refused with an {@link IllegalStateException}, since there is nothing to suspend. Values may be null.
 *
 * <p><b>Tasklets or event-loop coroutines, and threads.</b> A channel serves one kind of coroutine, decided by
 * the first that uses it:
 * <ul>
 *   <li>used by tasklets, it belongs to their scheduler's thread and is not thread-safe, exactly as a scheduler
 *       is: no lock, preferences, deterministic schedules for {@link Interleavings};</li>
 *   <li>used by coroutines of event loops, it is thread-safe: coroutines of one loop or of several loops of an
 *       {@link dev.spindle.io.EventLoopGroup} (several threads) may send, receive, select and close, and any
 *       thread may do what needs no waiting. A waiting coroutine gives its loop's thread to the others; the one
 *       that completes its wait, on whatever thread, puts it back in its own loop's run queue. Preferences do not
 *       apply (a woken coroutine runs when its loop gets to it).</li>
 * </ul>
 * Using one channel from both kinds is refused with an {@link IllegalStateException} naming the channel: a
 * loop coroutine cannot touch a tasklet channel at all, and a tasklet may use a loop channel only where it need
 * not wait. Pass values between a scheduler and event loops with {@code EventLoop.execute} or a
 * {@code java.util.concurrent} queue.
 *
 * <p><b>Cut-short waits</b> ({@code EventLoop.withTimeout}, loop shutdown). A waiting coroutine's send or
 * receive is withdrawn, and the channel hands nothing to a coroutine that no longer waits. If the value had been
 * handed over before the timeout or shutdown took effect (by another thread, a moment earlier), the hand-off
 * wins: the coroutine gets the value, and the interruption is thrown at its next suspension instead (dropped if
 * the {@code withTimeout} body returns first). A value is never both sent and lost: unlike a Kotlin channel,
 * which cancels the receiver and passes the element to {@code onUndeliveredElement}, here the receiver keeps
 * it. If the loop terminates before the coroutine could run, or its wait is refused (see the README's
 * mistakes), the value is offered to the channel again: to another waiting receiver, or else ahead of the
 * buffer, beyond the capacity, for the next receive to take first (it was sent before what the buffer holds). A
 * tasklet killed or raised into after it was handed a value gives it back the same way.
 *
 * <p><b>Why not {@code Iterable}?</b> A for-each loop calls {@code java.util.Iterator.hasNext()}, a JDK
 * interface method the agent cannot make suspendable, so a receive inside it could not wait. {@link #iterator()}
 * returns a {@link ChannelIterator}, whose methods are suspendable, for an explicit loop.
 *
 * @param <T> the type of the values sent
 */
public final class Channel<T> extends Shared {
    /** Who runs on when a send or receive completes a rendezvous with a tasklet that was waiting. */
    public enum Preference {
        /**
         * The receiver runs first (Stackless's default, {@code preference = -1}): a send to a waiting receiver
         * switches to the receiver at once, the sender right behind it in the run queue; a receive from a
         * waiting sender takes the value and goes on, the sender runs when its turn comes.
         */
        RECEIVER,
        /**
         * The sender runs first ({@code preference = 1}): a send to a waiting receiver goes on, the receiver
         * runs when its turn comes; a receive from a waiting sender switches to the sender at once.
         */
        SENDER,
        /** Neither ({@code preference = 0}): the caller goes on, the tasklet it woke runs when its turn comes. */
        NEITHER
    }

    /** What {@link #receiveNow} returns when it would have to wait. */
    static final Object NOTHING = new Object();
    /** What {@link #receiveNow} returns when the channel is closed and drained. */
    static final Object END = new Object();
    private static final Object NULL = new Object(); // ArrayDeque refuses null

    private final String name;
    private final int capacity;
    private final ArrayDeque<Object> buffer;
    /**
     * Values handed to a receiver that never took them (it was interrupted, its wait was refused, or its loop
     * terminated) and that found no other receiver waiting: the next receives take them first, beyond the
     * capacity, so that a value whose send completed is not lost; in the order they left the channel. Null until
     * one is.
     */
    private ArrayList<GivenBack> givenBack;
    /** How many values have left the channel (handed to a receiver or taken by one): orders those given back. */
    private long departures;
    final WaitQueue senders = new WaitQueue();
    final WaitQueue receivers = new WaitQueue();
    private Preference preference = Preference.RECEIVER;
    /** Volatile for {@link #isClosed()} from any thread; written under the lock when shared. */
    private volatile boolean closed;

    /** An unbuffered (rendezvous) channel. */
    public Channel() {
        this(null, 0);
    }

    /** An unbuffered channel with a name for messages and deadlock reports. */
    public Channel(String name) {
        this(name, 0);
    }

    /** A channel with room for {@code capacity} values (0: unbuffered). */
    public Channel(int capacity) {
        this(null, capacity);
    }

    /** A named channel with room for {@code capacity} values (0: unbuffered). */
    public Channel(String name, int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("capacity < 0: " + capacity);
        this.name = name;
        this.capacity = capacity;
        this.buffer = capacity == 0 ? null : new ArrayDeque<>(Math.min(capacity, 16));
    }

    /**
     * Sends {@code value}: hands it to the longest-waiting receiver, or puts it in the buffer if there is room,
     * or else waits until a receiver takes it.
     *
     * @throws ChannelClosedException if the channel is closed, or is closed while this send waits
     * @throws IllegalStateException if it would have to wait and the caller is not a tasklet (of a tasklet
     *                               channel) or an event-loop coroutine (of a loop channel); if an event-loop
     *                               coroutine uses a tasklet channel
     */
    @Suspendable
    public void send(T value) {
        if (!single()) {
            sendShared(value);
            return;
        }
        if (offerNow(value, false, true)) return;
        Tasklet me = Scheduler.requireTasklet("wait to send on", this);
        Waiter w = new Waiter(me, "send on", this);
        w.value = value;
        senders.add(w);
        Scheduler.blocking(me, w);
        Coroutine.yield(); // here rather than in a helper: one frame less to save and restore per hand-off
        if (w.outcome == Waiter.CLOSED) throw ChannelClosedException.onSend(this);
    }

    /**
     * Receives a value: the oldest buffered one, or the value of the longest-waiting sender, or else waits for
     * a sender.
     *
     * @throws ChannelClosedException once the channel is closed and nothing is left to receive (also when it
     *                                is closed while this receive waits): the end of the channel
     * @throws IllegalStateException if it would have to wait and the caller is not a tasklet (of a tasklet
     *                               channel) or an event-loop coroutine (of a loop channel); if an event-loop
     *                               coroutine uses a tasklet channel
     */
    @Suspendable
    @SuppressWarnings("unchecked")
    public T receive() {
        Object v = single() ? receiveNow(false) : receiveShared();
        if (v == NOTHING) {
            Tasklet me = Scheduler.requireTasklet("wait to receive on", this);
            Waiter w = new Waiter(me, "receive on", this);
            receivers.add(w);
            Scheduler.blocking(me, w);
            try {
                Coroutine.yield();
            } catch (Throwable interrupted) {
                untaken(w);
                throw interrupted;
            }
            v = w.outcome == Waiter.CLOSED ? END : w.value;
        }
        if (v == END) throw ChannelClosedException.atEnd(this);
        return (T) v;
    }

    /** Iterates over the values received until the channel is closed and drained. */
    public ChannelIterator<T> iterator() {
        return new ChannelIterator<>(this);
    }

    /**
     * Closes the channel: see the class comment. Buffered values stay for receivers; waiting receivers and
     * waiting senders are woken (they run when their turn comes) with the end-of-channel signal and a
     * {@link ChannelClosedException} respectively.
     */
    public void close() {
        if (single()) {
            closeNow();
            return;
        }
        guard.lock();
        try {
            closeNow();
        } finally {
            guard.unlock();
        }
    }

    private void closeNow() {
        if (closed) return;
        closed = true;
        receivers.wakeAll(Waiter.CLOSED); // only waiting if the buffer is empty: nothing left for them
        senders.wakeAll(Waiter.CLOSED);
    }

    /** True once {@link #close()} has been called (values may still be buffered). */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Tasklets (or coroutines) waiting to send minus those waiting to receive, as Stackless's
     * {@code channel.balance}:
     * positive when senders wait, negative when receivers wait, 0 when nobody does. A tasklet waiting in a
     * {@link Select} counts once for each of its cases on this channel.
     */
    public int balance() {
        if (isTaskletPrimitive()) return senders.size() - receivers.size();
        guard.lock();
        try {
            return senders.liveSize() - receivers.liveSize();
        } finally {
            guard.unlock();
        }
    }

    /**
     * How many values wait to be received with no sender waiting: those buffered, and any value handed to a
     * receiver that was interrupted before it could take it (given back ahead of the buffer; the only way an
     * unbuffered channel's size is not 0).
     */
    public int size() {
        if (isTaskletPrimitive()) return waitingValues();
        guard.lock();
        try {
            return waitingValues();
        } finally {
            guard.unlock();
        }
    }

    private int waitingValues() {
        return buffered() + (givenBack == null ? 0 : givenBack.size());
    }

    private int buffered() {
        return buffer == null ? 0 : buffer.size();
    }

    /** How many values the buffer holds at most (0: unbuffered). */
    public int capacity() {
        return capacity;
    }

    /** Who runs on after a rendezvous (see {@link #setPreference}). */
    public Preference preference() {
        return preference;
    }

    /** Sets who runs on after a rendezvous; {@link Preference#RECEIVER} by default. Returns this channel. */
    public Channel<T> setPreference(Preference preference) {
        this.preference = Objects.requireNonNull(preference, "preference");
        return this;
    }

    @Override
    public String toString() {
        return "Channel[" + (name != null ? name + ", " : "") + "capacity " + capacity
                + (buffer != null || size() > 0 ? ", " + size() + " buffered" : "") + ", balance " + balance()
                + (closed ? ", closed" : "") + "]";
    }

    // ---- the non-waiting halves, shared with Select ----

    /** True if a send would not wait (or would throw because the channel is closed). */
    boolean canSend() {
        return closed || !receivers.isEmpty() || buffered() < capacity;
    }

    /** True if a receive would not wait (a value, or the end-of-channel signal). */
    boolean canReceive() {
        return buffered() > 0 || !senders.isEmpty() || closed || givenBack != null && !givenBack.isEmpty();
    }

    /** A send from a timer: never waits, never switches; false if the value did not fit. */
    boolean offer(Object value) {
        return !closed && handOver(value);
    }

    /**
     * Tasklet path: a receiver killed or raised into after a send handed it a value, before it could take it.
     * As with a lock or a permit, what was handed over goes on: to the next receiver, or else ahead of the buffer
     * (a closed channel's receivers still drain it).
     */
    void untaken(Waiter w) {
        giveBack(w, false, "that tasklet was interrupted before it could take it");
    }

    /** What {@link #untaken} and {@link #abandoned} do, on the tasklet or the shared path. */
    private void giveBack(Waiter w, boolean shared, String why) {
        if (w.outcome != Waiter.DONE || !w.receiving()) return; // a send completed: its value was delivered
        giveBack(w.value, w.departed, shared);
        LOG.log(System.Logger.Level.DEBUG, () -> "value " + w.value + " received on " + this + " by " + w.who()
                + " goes to the next receive: " + why);
    }

    /**
     * A value received but not taken goes to the longest-waiting receiver, or else ahead of the buffer, beyond
     * the capacity, for the next receive to take first: it was sent before what the buffer holds now, and a value
     * whose send completed must not be lost. Values given back keep the order in which they left the channel
     * ({@code departed}), whatever the order of the interruptions that bring them back.
     */
    private void giveBack(Object value, long departed, boolean shared) {
        Waiter r = shared ? receivers.pollClaim() : receivers.poll();
        if (r != null) {
            r.complete(Waiter.DONE, value);
            r.departed = departed;
            if (shared) r.wakeLater();
            else Scheduler.wakeLater(r.tasklet);
            return;
        }
        if (givenBack == null) givenBack = new ArrayList<>(2);
        int at = givenBack.size();
        while (at > 0 && givenBack.get(at - 1).departed() > departed) at--;
        givenBack.add(at, new GivenBack(value, departed));
    }

    private record GivenBack(Object value, long departed) {
    }

    /** To the longest-waiting receiver, woken when its turn comes, or into the buffer; false if neither. */
    private boolean handOver(Object value) {
        Waiter r = receivers.poll();
        if (r != null) {
            r.complete(Waiter.DONE, value);
            r.departed = ++departures;
            Scheduler.wakeLater(r.tasklet);
            return true;
        }
        if (buffered() >= capacity) return false;
        buffer.addLast(value == null ? NULL : value);
        return true;
    }

    /**
     * Sends without waiting if possible: false if it would have to wait (or, with {@code throwIfClosed} false, if
     * the channel is closed). On the tasklet path a woken receiver may run at once (the channel's preference);
     * on the {@code shared} path (under the lock) it runs when its loop gets to it, and a waiter whose select
     * another channel won is skipped.
     */
    @Suspendable
    boolean offerNow(Object value, boolean shared, boolean throwIfClosed) {
        if (closed) {
            if (throwIfClosed) throw ChannelClosedException.onSend(this);
            return false;
        }
        Waiter r = shared ? receivers.pollClaim() : receivers.poll();
        if (r != null) {
            r.complete(Waiter.DONE, value);
            r.departed = ++departures;
            if (shared) r.wakeLater();
            else Scheduler.wake(r.tasklet, preference == Preference.RECEIVER);
            return true;
        }
        if (buffered() < capacity) {
            buffer.addLast(value == null ? NULL : value);
            return true;
        }
        return false;
    }

    /**
     * Receives without waiting if possible: the value, {@link #END}, or {@link #NOTHING}. Waking a sender works as
     * {@link #offerNow} says for receivers.
     */
    @Suspendable
    Object receiveNow(boolean shared) {
        if (givenBack != null && !givenBack.isEmpty()) return givenBack.remove(0).value();
        Object v;
        if (buffered() > 0) {
            v = buffer.pollFirst();
            v = v == NULL ? null : v;
        } else {
            v = NOTHING;
        }
        Waiter s = shared ? senders.pollClaim() : senders.poll();
        if (s == null) return v != NOTHING ? v : closed ? END : NOTHING;
        if (v != NOTHING) { // its value takes the place just freed, so buffered order stays send order
            buffer.addLast(s.value == null ? NULL : s.value);
        } else {
            v = s.value;
        }
        s.completeKeepingValue(Waiter.DONE);
        if (shared) {
            s.wakeLater();
            return v;
        }
        long departed = ++departures;
        try {
            Scheduler.wake(s.tasklet, preference == Preference.SENDER);
        } catch (Throwable interrupted) { // raised into or killed while the sender ran first: v is not taken
            giveBack(v, departed, false);
            throw interrupted;
        }
        return v;
    }

    // ---- the shared path: event-loop coroutines, under the lock ----

    @Suspendable
    private void sendShared(T value) {
        Party me;
        Waiter w;
        guard.lock();
        try {
            if (offerNow(value, true, true)) return;
            me = requireParty("wait to send on");
            w = new Waiter(me, "send on", this, this);
            w.value = value;
            senders.add(w);
        } finally {
            guard.unlock();
        }
        me.blockOn(w);
        Coroutine.yield(); // the lock is released: a wake that comes before this is delivered after it
        if (w.outcome == Waiter.CLOSED) throw ChannelClosedException.onSend(this);
    }

    /** A receive on the shared path: the value or {@link #END}, after waiting if need be. */
    @Suspendable
    private Object receiveShared() {
        Party me;
        Waiter w;
        guard.lock();
        try {
            Object v = receiveNow(true);
            if (v != NOTHING) return v;
            me = requireParty("wait to receive on");
            w = new Waiter(me, "receive on", this, this);
            receivers.add(w);
        } finally {
            guard.unlock();
        }
        me.blockOn(w);
        Coroutine.yield();
        return w.outcome == Waiter.CLOSED ? END : w.value;
    }

    /**
     * A receiver was handed a value but its loop terminated before it could run: the value goes to a waiting
     * receiver, or else ahead of the buffer.
     */
    @Override
    void abandoned(Waiter w) {
        giveBack(w, true, "its event loop terminated before the coroutine could take it");
    }
}
