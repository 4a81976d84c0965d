package dev.spindle.sched;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.internal.Party;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * Waits on several channel operations at once and performs exactly one of them: Go's {@code select}, Quasar's
 * {@code Selector.select}. Each case is a receive from a channel or a send of a value to a channel.
 *
 * <pre>{@code
 * Select.Case<Integer> number = Select.receive(numbers);
 * Select.Case<String> word = Select.receive(words);
 * Select.Case<String> log = Select.send(logs, "tick");
 * for (;;) {
 *     Select.Selected s = Select.select(number, word, log);    // waits until one of them can happen
 *     if (s.isClosed()) break;                                 // a receive found its channel closed
 *     if (s.is(number)) total += s.value(number);
 *     else if (s.is(word)) System.out.println(s.value(word));
 *     else System.out.println("logged");
 * }
 * }</pre>
 *
 * <p>With a default branch, Go's {@code select { ...; default: }}: {@link #trySelect} never waits; if no case
 * can happen now it performs none and returns a result whose {@link Selected#isDefault()} is true.
 *
 * <pre>{@code
 * Select.Selected s = Select.trySelect(Select.receive(jobs));
 * if (s.isDefault()) idle(); else work(s.value());
 * }</pre>
 *
 * <p>When several cases are ready, one is taken uniformly at random, as Go's select (and Quasar's) does, so that a
 * case that is always ready cannot starve the others. On a round-robin {@link Scheduler} the random numbers come
 * from a fixed seed, so a program runs the same way every time; a {@link Scheduler#seeded seeded} scheduler picks
 * from its seed, so {@link Interleavings} tests every choice. A receive case whose channel is closed and
 * drained is ready, and reports {@link Selected#isClosed()}; a send case whose channel is closed throws
 * {@link ChannelClosedException} (Go panics). Channel preferences apply to the case performed as they do to a
 * plain send or receive. Case objects can be reused in a loop.
 *
 * <p>Over channels of event-loop coroutines (see {@link Channel}), which other threads may use at the same time,
 * a select takes every channel's lock in a fixed global order (Go's {@code selectgo} does the same), performs
 * the first case that can happen in a random order, or queues a waiter on every channel before letting go of
 * the locks; the first case completed, on whichever thread, claims the select atomically and the others are
 * withdrawn. A {@code withTimeout} or shutdown that cuts the wait short withdraws every case unless one had
 * already completed, in which case the select returns it. All the channels of one select serve the same kind
 * of coroutine.
 */
public final class Select {
    /** The {@link Selected#index()} of the default branch of {@link #trySelect}. */
    public static final int DEFAULT = -1;

    private Select() {
    }

    /**
     * One operation of a select: a receive, or a send of a fixed value.
     *
     * @param <T> the channel's value type
     */
    public static final class Case<T> {
        final Channel<T> channel;
        final boolean send;
        final T value;

        private Case(Channel<T> channel, boolean send, T value) {
            this.channel = Objects.requireNonNull(channel, "channel");
            this.send = send;
            this.value = value;
        }

        /** The channel of this case. */
        public Channel<T> channel() {
            return channel;
        }

        /** True for a send case, false for a receive case. */
        public boolean isSend() {
            return send;
        }

        @Override
        public String toString() {
            return (send ? "send on " : "receive on ") + channel;
        }
    }

    /** The outcome of a select: which case happened, and what it received. */
    public static final class Selected {
        private final int index;
        private final Case<?> chosen;
        private final Object value;
        private final boolean closed;

        Selected(int index, Case<?> chosen, Object value, boolean closed) {
            this.index = index;
            this.chosen = chosen;
            this.value = value;
            this.closed = closed;
        }

        /** The position of the case performed among the arguments, or {@link #DEFAULT}. */
        public int index() {
            return index;
        }

        /** The case performed, or null for the default branch. */
        public Case<?> selectedCase() {
            return chosen;
        }

        /** True if this case was performed. */
        public boolean is(Case<?> c) {
            return chosen == c;
        }

        /** True if no case was ready and {@link #trySelect} took the default branch. */
        public boolean isDefault() {
            return index == DEFAULT;
        }

        /** True if the case performed is a receive that found its channel closed and drained. */
        public boolean isClosed() {
            return closed;
        }

        /**
         * The value received by the case performed, which must be {@code c}: a typed accessor.
         *
         * @throws IllegalStateException if {@code c} was not performed, or it is a send, or found its channel
         *                               closed ({@link ChannelClosedException})
         */
        @SuppressWarnings("unchecked")
        public <T> T value(Case<T> c) {
            if (chosen != c) throw new IllegalStateException(c + " was not selected; " + this + " was");
            return (T) value();
        }

        /**
         * The value received by the case performed; {@link #value(Case)} is the typed form.
         *
         * @throws IllegalStateException if the default branch was taken, or the case performed is a send (a send
         *                               receives nothing: a null here would look like a received null)
         * @throws ChannelClosedException if the case performed is a receive that found its channel closed
         */
        public Object value() {
            if (chosen == null) throw new IllegalStateException("no case was selected: the default branch was");
            if (chosen.send) throw new IllegalStateException(chosen + " is a send: it received nothing");
            if (closed) throw ChannelClosedException.atEnd(chosen.channel);
            return value;
        }

        @Override
        public String toString() {
            return chosen == null ? "Selected[default]"
                    : "Selected[" + index + ": " + chosen + (closed ? ", closed" : "") + "]";
        }
    }

    /** A case that receives from {@code channel}. */
    public static <T> Case<T> receive(Channel<T> channel) {
        return new Case<>(channel, false, null);
    }

    /** A case that sends {@code value} to {@code channel}. */
    public static <T> Case<T> send(Channel<T> channel, T value) {
        return new Case<>(channel, true, value);
    }

    /**
     * Performs one of the cases, waiting until one can happen if none can now. Unlike Go, a case's channel may
     * not be null (build the list without the case instead), and a select of no cases is refused rather than
     * blocking forever.
     *
     * @throws IllegalArgumentException if there are no cases
     * @throws ChannelClosedException if the case performed is a send on a closed channel
     * @throws IllegalStateException  if it would have to wait and the caller is not a tasklet (or, on loop
     *                                channels, an event-loop coroutine); see {@link Channel} for mixing
     */
    @Suspendable
    public static Selected select(Case<?>... cases) {
        if (cases.length == 0) throw new IllegalArgumentException("select of no cases would wait forever");
        if (!allSingle(cases)) return selectShared(cases, true);
        Selected now = trySelect(cases);
        if (!now.isDefault()) return now;
        Tasklet me = Scheduler.requireTasklet("wait in a select", null);
        SelectGroup group = new SelectGroup(cases.length, null);
        for (int i = 0; i < cases.length; i++) {
            Case<?> c = cases[i];
            Waiter w = new Waiter(me, c.send ? "send on" : "receive on", c.channel);
            w.group = group;
            w.caseIndex = i;
            w.value = c.value;
            group.waiters[i] = w;
            (c.send ? c.channel.senders : c.channel.receivers).add(w);
        }
        try {
            Scheduler.park(me, group);
        } catch (Throwable interrupted) {
            Waiter won = group.winner; // a value handed to a receive case goes on: see Channel.untaken
            if (won != null) cases[won.caseIndex].channel.untaken(won);
            throw interrupted;
        }
        Waiter won = group.winner;
        Case<?> c = cases[won.caseIndex];
        boolean closed = won.outcome == Waiter.CLOSED;
        if (closed && c.send) throw ChannelClosedException.onSend(c.channel);
        return new Selected(won.caseIndex, c, c.send ? null : won.value, closed);
    }

    /**
     * Performs one of the cases that can happen now without waiting, or none: Go's {@code select} with a
     * {@code default} branch. Never waits, so it may be called outside a tasklet.
     *
     * @return the case performed, or a result whose {@link Selected#isDefault()} is true
     * @throws ChannelClosedException if the case performed is a send on a closed channel
     */
    @Suspendable
    public static Selected trySelect(Case<?>... cases) {
        if (!allSingle(cases)) return selectShared(cases, false);
        int ready = 0;
        for (Case<?> c : cases) {
            if (c.send ? c.channel.canSend() : c.channel.canReceive()) ready++;
        }
        if (ready == 0) return new Selected(DEFAULT, null, null, false);
        int k = Scheduler.chooseCase(ready);
        for (int i = 0; i < cases.length; i++) {
            Case<?> c = cases[i];
            if (!(c.send ? c.channel.canSend() : c.channel.canReceive()) || k-- > 0) continue;
            if (c.send) {
                c.channel.offerNow(c.value, false, true);
                return new Selected(i, c, null, false);
            }
            Object v = c.channel.receiveNow(false);
            return v == Channel.END ? new Selected(i, c, null, true) : new Selected(i, c, v, false);
        }
        throw new AssertionError("unreachable: " + ready + " cases were ready");
    }

    // ---- the shared path: channels of event-loop coroutines ----

    /**
     * The indexes of {@code n} cases in random order (a Fisher-Yates shuffle): trying the first that can happen
     * in it takes each ready case equally often, where scanning from a random start favours a ready case after
     * cases that are not.
     */
    private static int[] pollOrder(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = Scheduler.chooseCase(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** True if every channel takes the single-threaded tasklet path. */
    private static boolean allSingle(Case<?>[] cases) {
        boolean single = true;
        for (Case<?> c : cases) single &= c.channel.single(); // each is asked: it may refuse or be claimed
        return single;
    }

    /**
     * Go's select on channels that may be used by other threads: every channel's lock is taken, in the order of
     * the channels' ids so that two selects cannot deadlock; the first case that can happen now, in an order
     * shuffled at random (Go's poll order), happens; otherwise (if {@code block}) a waiter goes into each channel's queue before the locks are
     * released, so no hand-off can slip in between the check and the wait. The first case completed claims the
     * group (see {@link SelectGroup}).
     */
    @Suspendable
    private static Selected selectShared(Case<?>[] cases, boolean block) {
        Channel<?>[] locks = lockOrder(cases);
        Party me;
        SelectGroup group;
        int[] order = pollOrder(cases.length);
        for (Channel<?> ch : locks) ch.guard.lock();
        try {
            for (int i : order) {
                Case<?> c = cases[i];
                if (c.send) {
                    if (c.channel.offerNow(c.value, true, true)) return new Selected(i, c, null, false);
                } else {
                    Object v = c.channel.receiveNow(true);
                    if (v == Channel.END) return new Selected(i, c, null, true);
                    if (v != Channel.NOTHING) return new Selected(i, c, v, false);
                }
            }
            if (!block) return new Selected(DEFAULT, null, null, false);
            me = firstShared(cases).requireParty("wait in a select on");
            group = new SelectGroup(cases.length, me);
            for (int i = 0; i < cases.length; i++) {
                Case<?> c = cases[i];
                Waiter w = new Waiter(me, c.send ? "send on" : "receive on", c.channel, c.channel);
                w.group = group;
                w.caseIndex = i;
                w.value = c.value;
                group.waiters[i] = w;
                (c.send ? c.channel.senders : c.channel.receivers).add(w);
            }
        } finally {
            for (int i = locks.length - 1; i >= 0; i--) locks[i].guard.unlock();
        }
        me.blockOn(group);
        Coroutine.yield();
        Waiter won = group.winner;
        group.dropLosers();
        Case<?> c = cases[won.caseIndex];
        boolean closed = won.outcome == Waiter.CLOSED;
        if (closed && c.send) throw ChannelClosedException.onSend(c.channel);
        return new Selected(won.caseIndex, c, c.send ? null : won.value, closed);
    }

    /** The channel a refusal names: the first shared by loop coroutines (a tasklet may not wait on it). */
    private static Channel<?> firstShared(Case<?>[] cases) {
        for (Case<?> c : cases) {
            if (!c.channel.isTaskletPrimitive()) return c.channel;
        }
        return cases[0].channel;
    }

    /** The distinct channels of the cases, by id: the order every select takes their locks in. */
    private static Channel<?>[] lockOrder(Case<?>[] cases) {
        Channel<?>[] chs = new Channel<?>[cases.length];
        for (int i = 0; i < cases.length; i++) chs[i] = cases[i].channel;
        Arrays.sort(chs, Comparator.comparingLong(ch -> ch.id));
        int n = 0;
        for (int i = 0; i < chs.length; i++) {
            if (n == 0 || chs[n - 1] != chs[i]) chs[n++] = chs[i];
        }
        return n == chs.length ? chs : Arrays.copyOf(chs, n);
    }
}
