package dev.spindle.io;

import dev.spindle.Suspendable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * A channel of one loop and the coroutines waiting on it: at most one waits to read (or accept) and one to
 * write (or connect), so a proxy can pump both ways at once. Interest in an operation is set only while someone
 * waits for it, so the selector reports nothing nobody asked for.
 */
final class IoHandle {
    final EventLoop loop;
    final SelectableChannel channel;
    private SelectionKey key;
    private Task reader;
    private Task writer;
    private boolean closed;

    IoHandle(EventLoop loop, SelectableChannel channel) throws IOException {
        this.loop = loop;
        this.channel = channel;
        try {
            channel.configureBlocking(false);
            loop.opened(this);
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Suspends the calling coroutine until {@code op} is ready (then the caller retries its operation), the
     * timeout passes ({@link SocketTimeoutException}) or the channel is closed ({@link AsynchronousCloseException}).
     */
    @Suspendable
    void await(int op, long timeoutNanos, String verb, Object target) throws IOException {
        // the description is only built when it is needed (an error, a timeout): waits are the hot path
        Task t = loop.requireTaskOf(verb);
        if (closed) throw new ClosedChannelException();
        boolean read = (op & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0;
        if ((read ? reader : writer) != null) {
            throw new IllegalStateException("cannot " + verb + " " + target + " from " + t.name() + ": "
                    + (read ? reader : writer).name() + " already waits to do that on this channel");
        }
        if (key == null) {
            key = channel.register(loop.selector, op, this);
        } else {
            key.interestOps(key.interestOps() | op);
        }
        if (read) {
            reader = t;
        } else {
            writer = t;
        }
        EventLoop.park(t, () -> withdraw(read, op), timeoutNanos,
                () -> new SocketTimeoutException(verb + " " + target + " timed out"));
    }

    private void withdraw(boolean read, int op) {
        if (read) {
            reader = null;
        } else {
            writer = null;
        }
        if (key.isValid()) key.interestOps(key.interestOps() & ~op);
    }

    /** The selector reports {@code key} ready. */
    void ready(SelectionKey key) {
        int ops = key.readyOps();
        if (reader != null && (ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            loop.wake(reader, null, null);
        }
        if (writer != null && (ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            loop.wake(writer, null, null);
        }
    }

    boolean isOpen() {
        return !closed && channel.isOpen();
    }

    /** Closes the channel; coroutines waiting on it get an {@link AsynchronousCloseException}. Loop thread. */
    void close() {
        if (closed) return;
        closed = true;
        if (reader != null) loop.wake(reader, null, new AsynchronousCloseException());
        if (writer != null) loop.wake(writer, null, new AsynchronousCloseException());
        closeChannel();
    }

    /** Closes the channel from any thread, waking waiters on the loop when it still runs. */
    void closeFromAnyThread() {
        if (loop.inLoop()) {
            close();
            return;
        }
        try {
            loop.execute(this::close);
        } catch (java.util.concurrent.RejectedExecutionException terminated) {
            closeChannel();
        }
    }

    void closeChannel() {
        EventLoop.closeQuietly(channel);
        loop.closed(this);
    }
}
