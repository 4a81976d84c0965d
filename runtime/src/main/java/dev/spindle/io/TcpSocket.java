package dev.spindle.io;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A connected TCP socket of one {@link EventLoop}, with operations that suspend the calling coroutine instead
 * of blocking the thread. Buffers go straight to the channel: no copies. Its I/O methods must be called on its
 * loop's thread, from its coroutines, one reader and one writer at a time: a second reader (or writer) is refused
 * with an {@link IllegalStateException} while the first waits, even if it would not have to wait itself, so that no
 * bytes are taken from the middle of another's read or spliced into another's {@code writeAll}; from another
 * thread they throw one naming the socket, even when they would not have to wait. (An action that
 * {@link EventLoop#execute} runs on the loop's thread may call one that need not wait, such as a write with room
 * in the send buffer; one that would have to wait is refused there, since only a coroutine can.)
 * {@link #close()} may be called from anywhere.
 *
 * <pre>{@code
 * TcpSocket s = TcpSocket.connect(new InetSocketAddress("127.0.0.1", 7000));
 * s.setReadTimeout(Duration.ofSeconds(10));
 * s.writeAll(ByteBuffer.wrap(request));
 * ByteBuffer reply = ByteBuffer.allocate(32);
 * s.readFully(reply);                       // exactly 32 bytes, or EOFException
 * s.close();
 * }</pre>
 */
public final class TcpSocket extends IoHandle implements Closeable {
    /** Sets options on a channel before it connects (buffer sizes must be set then to take full effect). */
    @FunctionalInterface
    public interface Configurer {
        void configure(SocketChannel channel) throws IOException;
    }

    /**
     * The last read took less than it had room for, so the socket had nothing more then; true at first, since a
     * new connection's first bytes are rarely there yet.
     */
    private boolean drained = true;
    /** Closed as soon as its loop begins to shut down: see {@link #setCloseOnShutdown}. */
    boolean closeOnShutdown;
    /** In whole milliseconds, 0 for none: two ints where two longs would add 8 bytes to every socket. */
    private int readTimeoutMillis;
    private int writeTimeoutMillis;

    /** A connected channel (an accepted one). */
    TcpSocket(EventLoop loop, SocketChannel ch) throws IOException {
        this(loop, ch, true);
    }

    /** {@code ch}, connected or (for {@link #connect}) not yet. */
    private TcpSocket(EventLoop loop, SocketChannel ch, boolean isConnected) throws IOException {
        super(loop, ch);
        if (isConnected) connected();
    }

    private void connected() {
        try {
            ch().setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // only a latency optimisation
        }
    }

    /**
     * While set, a shutdown of the socket's loop closes it when it begins rather than when its grace period ends
     * (a coroutine waiting on it gets an {@link java.nio.channels.AsynchronousCloseException}): for a connection
     * that waits between requests, which has nothing in flight to finish. {@code HttpServer} sets it while it
     * waits for a kept-alive connection's next request. Loop thread.
     */
    public void setCloseOnShutdown(boolean close) {
        closeOnShutdown = close;
    }

    private SocketChannel ch() {
        return (SocketChannel) channel();
    }

    @Override
    Throwable timedOut(Task waiter) {
        String what = ch().isConnectionPending() ? "connect to " : reads(waiter) ? "read from " : "write to ";
        return new SocketTimeoutException(what + peer() + " timed out");
    }

    /** Connects to {@code remote} from a coroutine of an event loop; the socket belongs to that loop. */
    @Suspendable
    public static TcpSocket connect(SocketAddress remote) throws IOException {
        return connect(remote, Duration.ZERO, ch -> { });
    }

    /**
     * Connects to {@code remote}, waiting at most {@code timeout} for the connection ({@code Socket.connect}'s
     * timeout; zero: no limit but the system's).
     *
     * @throws java.net.SocketTimeoutException if the timeout passes first; the attempt is abandoned and closed
     * @throws java.net.ConnectException if the peer refuses (the message names {@code remote})
     * @throws java.net.UnknownHostException if {@code remote} is an unresolved address
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    @Suspendable
    public static TcpSocket connect(SocketAddress remote, Duration timeout) throws IOException {
        return connect(remote, timeout, ch -> { });
    }

    /**
     * Connects to {@code remote}, first letting {@code configure} set options on the channel (for example
     * {@code SO_RCVBUF}).
     */
    @Suspendable
    public static TcpSocket connect(SocketAddress remote, Configurer configure) throws IOException {
        return connect(remote, Duration.ZERO, configure);
    }

    /** {@link #connect(SocketAddress, Duration)} with options set by {@code configure} first. */
    @Suspendable
    public static TcpSocket connect(SocketAddress remote, Duration timeout, Configurer configure) throws IOException {
        EventLoop loop = EventLoop.requireTask("call TcpSocket.connect").loop();
        long timeoutNanos = EventLoop.socketTimeoutNanos(timeout, "TcpSocket.connect");
        // as Socket.connect, an IOException (the channel would throw an unchecked UnresolvedAddressException)
        if (remote instanceof InetSocketAddress a && a.isUnresolved()) throw new UnknownHostException(a.getHostString());
        SocketChannel ch = SocketChannel.open();
        TcpSocket s;
        try {
            configure.configure(ch);
            s = new TcpSocket(loop, ch, false);
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(ch);
            throw e;
        }
        try {
            if (!ch.connect(remote)) {
                long deadline = System.nanoTime() + timeoutNanos;
                do {
                    long left = timeoutNanos == 0 ? 0 : Math.max(1, deadline - System.nanoTime());
                    s.await(SelectionKey.OP_CONNECT, left, "connect to", remote);
                } while (!ch.finishConnect());
            }
            s.connected();
        } catch (ConnectException e) {
            s.closeOnLoop();
            ConnectException named = new ConnectException("connect to " + remote + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException | RuntimeException e) {
            s.closeOnLoop();
            throw e;
        }
        return s;
    }

    /**
     * Reads some bytes into {@code dst}, suspending until at least one is available.
     *
     * @return the number of bytes read (0 only if {@code dst} has no room), or -1 at end of stream
     * @throws java.net.SocketTimeoutException if the read timeout passes with no data
     */
    @Suspendable
    public int read(ByteBuffer dst) throws IOException {
        checkCaller("read from", this, SelectionKey.OP_READ);
        if (drained && dst.hasRemaining()) {
            // the last read emptied the socket: ask the selector rather than the socket, which would most likely
            // answer "nothing yet" and cost a system call per message for it
            drained = false;
            beginWait(SelectionKey.OP_READ, readTimeoutMillis * 1_000_000L, "read from", this);
            Coroutine.yield(); // await(..) inlined: every message waits here, one frame less to unwind and resume
        }
        for (;;) {
            int room = dst.remaining();
            int n = ch().read(dst);
            if (n != 0 || room == 0) {
                drained = n > 0 && n < room;
                return n;
            }
            beginWait(SelectionKey.OP_READ, readTimeoutMillis * 1_000_000L, "read from", this);
            Coroutine.yield();
        }
    }

    /**
     * Returns once the socket may have input: at once unless the last read emptied it, else when the selector
     * says so. Lets a reader hold no buffer while it waits.
     */
    @Suspendable
    void awaitReadable() throws IOException {
        checkCaller("read from", this, SelectionKey.OP_READ);
        if (!drained) return;
        drained = false;
        beginWait(SelectionKey.OP_READ, readTimeoutMillis * 1_000_000L, "read from", this);
        Coroutine.yield(); // as in read(): where an idle connection waits, one frame less
    }

    /**
     * Fills {@code dst} completely (exactly {@code dst.remaining()} bytes).
     *
     * @throws EOFException if the stream ends first ({@code dst} keeps what arrived)
     */
    @Suspendable
    public void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) throw new EOFException("connection to " + peer() + " ended " + dst.remaining()
                    + " bytes short");
        }
    }

    /** Writes all of {@code src}, suspending while the socket's send buffer is full (a slow reader). */
    @Suspendable
    public void writeAll(ByteBuffer src) throws IOException {
        checkCaller("write to", this, SelectionKey.OP_WRITE);
        while (src.hasRemaining()) {
            if (ch().write(src) == 0) await(SelectionKey.OP_WRITE, writeTimeoutMillis * 1_000_000L, "write to", this);
        }
    }

    /** Writes all of the buffers in order, with gathering writes (a header and a body without copying them). */
    @Suspendable
    public void writeAll(ByteBuffer... srcs) throws IOException {
        checkCaller("write to", this, SelectionKey.OP_WRITE);
        int last = srcs.length - 1;
        while (last >= 0 && !srcs[last].hasRemaining()) last--;
        while (last >= 0 && srcs[last].hasRemaining()) {
            if (ch().write(srcs) == 0) await(SelectionKey.OP_WRITE, writeTimeoutMillis * 1_000_000L, "write to", this);
        }
    }

    /** Ends the output side (the peer reads end of stream) while reading goes on: a half-close. */
    public void shutdownOutput() throws IOException {
        checkCaller("shut down the output to", this);
        ch().shutdownOutput();
    }

    /** Ends the input side: later reads return end of stream (-1) at once, while writing goes on. */
    public void shutdownInput() throws IOException {
        checkCaller("shut down the input from", this);
        ch().shutdownInput();
    }

    /**
     * Closes the socket and frees its descriptor. A coroutine waiting to read or write on it gets an
     * {@link java.nio.channels.AsynchronousCloseException}. Any thread; closing twice does nothing.
     */
    @Override
    public void close() {
        closeFromAnyThread();
    }

    /** True until closed (by either side's close, not by the peer's). */
    @Override
    public boolean isOpen() {
        return super.isOpen();
    }

    /**
     * Each later read waits at most {@code timeout} for data, then throws SocketTimeoutException; zero: forever.
     * Rounded up to a whole millisecond; beyond {@code Integer.MAX_VALUE} milliseconds (24 days) it is that.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void setReadTimeout(Duration timeout) {
        readTimeoutMillis = millis(EventLoop.socketTimeoutNanos(timeout, "setReadTimeout"));
    }

    /**
     * Each later write waits at most {@code timeout} for room, then throws SocketTimeoutException; zero: forever.
     * Rounded as {@link #setReadTimeout}'s.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void setWriteTimeout(Duration timeout) {
        writeTimeoutMillis = millis(EventLoop.socketTimeoutNanos(timeout, "setWriteTimeout"));
    }

    private static int millis(long nanos) {
        if (nanos == 0) return 0;
        return (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
    }

    public <T> TcpSocket setOption(SocketOption<T> option, T value) throws IOException {
        ch().setOption(option, value);
        return this;
    }



    /** The peer's address as text, as it appears in log messages. */
    public String peer() {
        // the channel keeps its peer's address even once closed, and its socket adaptor (made on the first call)
        // still gives it then: nothing kept here for messages that most connections never have
        SocketAddress remote = ch().socket().getRemoteSocketAddress();
        return remote != null ? remote.toString() : "unconnected";
    }

    public SocketAddress remoteAddress() throws IOException {
        return ch().getRemoteAddress();
    }

    public SocketAddress localAddress() throws IOException {
        return ch().getLocalAddress();
    }

    /** The loop this socket belongs to. */
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "TcpSocket[" + peer() + (isOpen() ? "" : ", closed") + "]";
    }
}
