package dev.spindle.io;

import dev.spindle.Suspendable;

/**
 * The body of a connection's coroutine, given to {@link EventLoop#serve} or {@link EventLoopGroup#serve}. It
 * reads and writes like blocking code; the socket is closed when it returns or throws, and what it throws is
 * logged with the connection, never stopping the loop (at WARNING; at DEBUG if it is how connections end every
 * day, a reset or a timeout: see {@link EventLoop}).
 *
 * <pre>{@code
 * ConnectionHandler echo = socket -> {
 *     ByteBuffer buf = ByteBuffer.allocate(4096);
 *     while (socket.read(buf) >= 0) {
 *         buf.flip();
 *         socket.writeAll(buf);
 *         buf.clear();
 *     }
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionHandler {
    /** Serves one accepted connection; may suspend. */
    @Suspendable
    void handle(TcpSocket socket) throws Exception;
}
