package dev.spindle.io;

import dev.spindle.Suspendable;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A listening TCP socket of one {@link EventLoop}, whose {@link #accept()} suspends the calling coroutine until
 * a connection arrives. {@link EventLoop#serve} and {@link EventLoopGroup#serve} run the usual accept loop; use
 * this for a loop of your own.
 *
 * <pre>{@code
 * TcpServer server = TcpServer.bind(loop, new InetSocketAddress("127.0.0.1", 0), 0);
 * loop.submit(() -> {                    // submit, not spawn: its body may throw accept()'s IOException
 *     for (;;) {
 *         TcpSocket s = server.accept();
 *         loop.spawn(() -> serve(s));       // a coroutine per connection; serve(s) catches its IOExceptions
 *     }
 * });
 * }</pre>
 */
public final class TcpServer implements Closeable {
    private final ServerSocketChannel ch;
    private final IoHandle io;
    private final SocketAddress local;
    /** Completed on the loop once its selector has let go of the closed channel ({@link IoHandle#closeReleasing}). */
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private long acceptTimeoutNanos;

    private TcpServer(ServerSocketChannel ch, IoHandle io) throws IOException {
        this.ch = ch;
        this.io = io;
        this.local = ch.getLocalAddress();
    }

    /**
     * Opens a server socket of {@code loop} bound to {@code address} (port 0: any free port). Any thread.
     *
     * @param backlog the accept queue's length; 0 or less for the system's default
     * @throws java.util.concurrent.RejectedExecutionException if the loop is shutting down or has terminated
     */
    public static TcpServer bind(EventLoop loop, SocketAddress address, int backlog) throws IOException {
        loop.refuseServeIfShuttingDown();
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(ch);
            throw e;
        }
        TcpServer server = new TcpServer(ch, new IoHandle(loop, ch));
        loop.servers.add(server); // closed by the loop's shutdown, which stops accepting at once
        if (loop.isShuttingDown()) { // and if that began meanwhile, perhaps without it
            server.close();
            loop.refuseServeIfShuttingDown();
        }
        return server;
    }

    /** Waits for the next connection and returns it as a socket of this server's loop. */
    @Suspendable
    public TcpSocket accept() throws IOException {
        SocketChannel c = acceptChannel();
        try {
            return new TcpSocket(io.loop, c);
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(c);
            throw e;
        }
    }

    /** The next connection as a bare channel, to hand to another loop. */
    @Suspendable
    SocketChannel acceptChannel() throws IOException {
        io.checkCaller("accept on", local);
        for (;;) {
            SocketChannel c = ch.accept();
            if (c != null) return c;
            io.await(SelectionKey.OP_ACCEPT, acceptTimeoutNanos, "accept on", local);
        }
    }

    /**
     * Each later {@link #accept()} waits at most {@code timeout} for a connection, then throws
     * {@link java.net.SocketTimeoutException} ({@code ServerSocket.setSoTimeout}); zero: forever.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public void setAcceptTimeout(Duration timeout) {
        acceptTimeoutNanos = EventLoop.socketTimeoutNanos(timeout, "setAcceptTimeout");
    }

    /** The bound address, with the port chosen if it was 0. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) local;
    }

    /** False from the moment it is closed (by {@link #close()} or its loop's shutdown). */
    public boolean isOpen() {
        return io.isOpen();
    }

    /**
     * Stops listening; a coroutine waiting in {@link #accept()} gets an AsynchronousCloseException. Any thread.
     * Called outside the event loops it returns once the port is free to bind again (as
     * {@code ServerSocket.close()} does), which takes the loop a turn (a second at most if code blocks the loop's
     * thread); on a loop's thread, which must not wait, it returns at once, and the port is free after the
     * loop's next turn (a {@link Listener}'s {@link Listener#isOpen()} tells when).
     */
    @Override
    public void close() {
        io.loop.servers.remove(this);
        io.closeReleasing(released);
    }

    /** Completed once the system has closed its socket (see {@link #close()}). */
    CompletableFuture<Void> released() {
        return released;
    }

    /**
     * Whether connections to it may still be completed: false once it is closed and the system has closed its
     * socket (a connection attempt is refused from then on), or its loop has ended.
     */
    boolean listening() {
        return !released.isDone() && !io.loop.termination().isDone();
    }

    @Override
    public String toString() {
        return "TcpServer[" + local + (isOpen() ? "" : ", closed") + "]";
    }
}
