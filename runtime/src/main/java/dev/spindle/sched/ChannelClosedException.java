package dev.spindle.sched;

/**
 * A {@link Channel} is closed: thrown by {@code receive()} once the channel is closed and drained (the end of
 * the channel, the Java spelling of Go's {@code v, ok := <-ch} with {@code ok == false}), and by {@code send()} on
 * a closed channel (where Go panics).
 */
public final class ChannelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Whether a send was refused (else a receive found the end). */
    private final boolean onSend;

    private ChannelClosedException(String message, boolean onSend) {
        super(message);
        this.onSend = onSend;
    }

    static ChannelClosedException atEnd(Channel<?> ch) {
        return new ChannelClosedException("end of " + ch + ": it is closed and every value sent has been"
                + " received", false);
    }

    static ChannelClosedException onSend(Channel<?> ch) {
        return new ChannelClosedException("cannot send on " + ch + ": it is closed", true);
    }

    /** True if a send failed; false if a receive found the end of the channel. */
    public boolean onSend() {
        return onSend;
    }
}
