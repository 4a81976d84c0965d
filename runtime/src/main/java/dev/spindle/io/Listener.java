package dev.spindle.io;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listening socket whose connections an {@link EventLoop} or {@link EventLoopGroup} serves, as
 * {@link EventLoop#serve} returns it. Closing it stops accepting; connections already accepted go on.
 */
public final class Listener implements Closeable {
    private final TcpServer server;
    final AtomicLong accepted = new AtomicLong();

    Listener(TcpServer server) {
        this.server = server;
    }

    /** The address it listens on (with the actual port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** How many connections it has accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /**
     * Whether it still listens: false once it is closed (by {@link #close()} or its loop's shutdown) and the
     * system has closed its socket, so that a connection attempt is refused; that follows the close within the
     * loop's next turn.
     */
    public boolean isOpen() {
        return server.listening();
    }

    /**
     * Stops accepting. Any thread: outside the event loops it returns once the port is free to serve again; on
     * a loop's thread it returns at once, and {@link #isOpen()} turns false within the loop's next turn.
     */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "Listener[" + localAddress() + ", " + accepted() + " accepted" + (isOpen() ? "" : ", closed") + "]";
    }
}
