package dev.spindle.io;

import dev.spindle.Suspendable;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;

/**
 * A UDP socket of one {@link EventLoop} whose {@link #receive} and {@link #send} suspend the calling coroutine
 * instead of blocking.
 *
 * <pre>{@code
 * UdpSocket udp = UdpSocket.bind(loop, new InetSocketAddress("127.0.0.1", 5353));
 * loop.submit(() -> {                     // submit, not spawn: its body may throw IOException
 *     ByteBuffer buf = ByteBuffer.allocate(1500);
 *     for (;;) {
 *         buf.clear();
 *         SocketAddress from = udp.receive(buf);
 *         buf.flip();
 *         udp.send(buf, from);               // echo the datagram
 *     }
 * });
 * }</pre>
 */
public final class UdpSocket implements Closeable {
    private final DatagramChannel ch;
    private final IoHandle io;
    /** Completed on the loop once its selector has let go of the closed channel ({@link IoHandle#closeReleasing}). */
    private final java.util.concurrent.CompletableFuture<Void> released = new java.util.concurrent.CompletableFuture<>();
    private long receiveTimeoutNanos;
    private long sendTimeoutNanos;

    private UdpSocket(DatagramChannel ch, IoHandle io) {
        this.ch = ch;
        this.io = io;
    }

    /** Opens a UDP socket of {@code loop} bound to {@code local} (port 0: any). Any thread. */
    public static UdpSocket bind(EventLoop loop, SocketAddress local) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.bind(local);
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(ch);
            throw e;
        }
        return new UdpSocket(ch, new IoHandle(loop, ch));
    }

    /**
     * Receives one datagram into {@code dst} (the part that does not fit is discarded, as UDP does).
     *
     * @return the sender's address
     * @throws java.net.SocketTimeoutException if the receive timeout passes first
     */
    @Suspendable
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        io.checkCaller("receive on", this); // described only if refused
        for (;;) {
            SocketAddress from = ch.receive(dst);
            if (from != null) return from;
            io.await(SelectionKey.OP_READ, receiveTimeoutNanos, "receive on", localAddress());
        }
    }

    /**
     * Sends {@code src} as one datagram to {@code target}, waiting while the send buffer is full.
     *
     * @throws java.net.UnknownHostException if {@code target} is an unresolved address (as {@code TcpSocket.connect})
     */
    @Suspendable
    public void send(ByteBuffer src, SocketAddress target) throws IOException {
        io.checkCaller("send to", target);
        // as TcpSocket.connect: an IOException naming the host (the channel would throw an unchecked
        // UnresolvedAddressException with no message)
        if (target instanceof InetSocketAddress a && a.isUnresolved()) {
            throw new java.net.UnknownHostException(a.getHostString());
        }
        while (ch.send(src, target) == 0 && src.hasRemaining()) {
            io.await(SelectionKey.OP_WRITE, sendTimeoutNanos, "send to", target);
        }
    }

    /** Each later receive waits at most {@code timeout}; zero: forever; negative: IllegalArgumentException. */
    public void setReceiveTimeout(Duration timeout) {
        receiveTimeoutNanos = EventLoop.socketTimeoutNanos(timeout, "setReceiveTimeout");
    }

    /**
     * Each later send waits at most {@code timeout} for room in the send buffer; zero: forever; negative:
     * IllegalArgumentException.
     */
    public void setSendTimeout(Duration timeout) {
        sendTimeoutNanos = EventLoop.socketTimeoutNanos(timeout, "setSendTimeout");
    }

    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Closes it; a coroutine waiting in receive or send gets an AsynchronousCloseException. Any thread. Called
     * outside the event loops it returns once the address is free to bind again (as
     * {@code DatagramSocket.close()} does), which takes the loop a turn (a second at most if code blocks the loop's
     * thread); on a loop's thread, which must not wait, it returns at once, and the address is free after the
     * loop's next turn.
     */
    @Override
    public void close() {
        io.closeReleasing(released);
    }
}
