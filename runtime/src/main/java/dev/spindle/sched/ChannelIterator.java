package dev.spindle.sched;

import dev.spindle.Suspendable;
import java.util.NoSuchElementException;

/**
 * Receives from a {@link Channel} until it is closed and drained: Stackless's {@code for x in channel}, Go's
 * {@code for x := range ch}. Not a {@code java.util.Iterator}: a for-each loop calls that interface's
 * {@code hasNext()}, which cannot suspend, so the loop is written out:
 *
 * <pre>{@code
 * for (ChannelIterator<Job> it = jobs.iterator(); it.hasNext(); ) {
 *     Job job = it.next();
 *     ...
 * }
 * }</pre>
 *
 * {@code hasNext()} is where the tasklet waits for the next value.
 *
 * @param <T> the type of the values
 */
public final class ChannelIterator<T> {
    private final Channel<T> channel;
    private Object next = Channel.NOTHING;

    ChannelIterator(Channel<T> channel) {
        this.channel = channel;
    }

    /** Waits for the next value; false once the channel is closed and drained. */
    @Suspendable
    public boolean hasNext() {
        if (next == Channel.NOTHING) {
            try {
                next = channel.receive();
            } catch (ChannelClosedException end) {
                next = Channel.END;
            }
        }
        return next != Channel.END;
    }

    /**
     * The next value, waiting for it if needed.
     *
     * @throws NoSuchElementException once the channel is closed and drained
     */
    @Suspendable
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) throw new NoSuchElementException("end of " + channel);
        Object v = next;
        next = Channel.NOTHING;
        return (T) v;
    }
}
