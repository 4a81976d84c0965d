package dev.spindle.sched;

import dev.spindle.internal.Party;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.StringJoiner;

/**
 * The waiters of one blocked {@link Select}: the first case completed wins, and the others are withdrawn.
 *
 * <p>For tasklets, everything happens on one thread: the winner takes the losers out of their queues at once.
 * For a loop coroutine the channels may be guarded by different locks, held by different threads: whoever
 * completes a case first claims the group with a compare-and-set of {@link #winner} (Go's {@code selectDone}),
 * under the one channel lock it holds; losers stay in their queues, skipped by {@link WaitQueue#pollClaim}, until
 * the woken coroutine takes them out itself, one channel lock at a time.
 */
final class SelectGroup implements Blocker, Party.Wait {
    /** The winner of a select withdrawn by a timeout or a shutdown: no case may complete any more. */
    private static final Waiter WITHDRAWN = new Waiter((Tasklet) null, "withdrawn", null);
    private static final VarHandle WINNER;

    static {
        try {
            WINNER = MethodHandles.lookup().findVarHandle(SelectGroup.class, "winner", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Waiter[] waiters;
    /** The loop coroutine that selects, or null for a tasklet. */
    final Party party;
    volatile Waiter winner;

    SelectGroup(int cases, Party party) {
        waiters = new Waiter[cases];
        this.party = party;
    }

    /** True while no case has won and it was not withdrawn. */
    boolean isOpen() {
        return winner == null;
    }

    /** Claims the group for case {@code w}: always for a tasklet (one thread), the first claim for a party. */
    boolean claim(Waiter w) {
        return party == null || WINNER.compareAndSet(this, (Waiter) null, w);
    }

    void won(Waiter w) {
        if (party != null) return; // claimed already; the coroutine drops the losers when it resumes
        winner = w;
        for (Waiter other : waiters) {
            if (other != w && other.queue != null) other.queue.remove(other);
        }
    }

    /** The resumed coroutine takes its losing waiters out of their queues (each under its channel's lock). */
    void dropLosers() {
        for (Waiter w : waiters) {
            if (w != winner) unqueue(w);
        }
    }

    private static void unqueue(Waiter w) {
        w.owner.guard.lock();
        try {
            if (w.queue != null) w.queue.remove(w);
        } finally {
            w.owner.guard.unlock();
        }
    }

    @Override
    public String describe() {
        StringJoiner j = new StringJoiner(", ", "select one of [", "]");
        for (Waiter w : waiters) j.add(w.describeCase());
        return j.toString();
    }

    /** A tasklet is killed. */
    @Override
    public void withdraw() {
        for (Waiter w : waiters) {
            if (w.queue != null) w.queue.remove(w);
        }
    }

    /** A loop coroutine's select is cut short: withdraw every case, unless one has completed. */
    @Override
    public boolean cancel() {
        if (!WINNER.compareAndSet(this, (Waiter) null, WITHDRAWN)) return winner == WITHDRAWN;
        for (Waiter w : waiters) unqueue(w);
        return true;
    }

    @Override
    public void abandon() {
        Waiter w = winner;
        if (w == null || w == WITHDRAWN) return;
        w.owner.guard.lock();
        try {
            w.owner.abandoned(w);
        } finally {
            w.owner.guard.unlock();
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
