package dev.spindle.io;

import dev.spindle.Suspendable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Buffered reading from a {@link TcpSocket}: lines and exact byte counts for text protocols (HTTP, SMTP,
 * Redis). The buffer's capacity is fixed: it bounds how much a peer can make a connection hold, and what was read
 * past a line stays for the next call (which is what makes pipelined requests work). The buffer itself is lent by
 * the socket's loop and given back whenever it is empty and more input must be waited for, so a connection idle
 * between requests holds no buffer.
 *
 * <pre>{@code
 * SocketInput in = new SocketInput(socket, 8192);
 * String line;
 * while ((line = in.readLine(8192)) != null) {
 *     handle(line);
 * }
 * }</pre>
 */
public final class SocketInput {
    /** A line longer than the limit given to {@link #readLine(int)}: a protocol error, not a socket error. */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(int limit) {
            super("line longer than " + limit + " bytes");
        }
    }

    private final TcpSocket socket;
    private final int capacity;
    /** Unread bytes are between position and limit; null while nothing is buffered and none is lent. */
    private ByteBuffer buf;

    /** Reads {@code socket} through a heap buffer of {@code capacity} bytes (the longest line it can read). */
    public SocketInput(TcpSocket socket, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity < 1: " + capacity);
        this.socket = socket;
        this.capacity = capacity;
    }

    public TcpSocket socket() {
        return socket;
    }

    /** Bytes already received and not read yet. */
    public int buffered() {
        return buf == null ? 0 : buf.remaining();
    }

    /**
     * Reads a line ended by LF or CRLF, decoded as ISO-8859-1 (the bytes as they are, as HTTP headers
     * require), without its end.
     *
     * @param limit the longest line accepted, ending excluded; a limit above the buffer's capacity minus 2 (the
     *              line and its CRLF must fit in the buffer) is taken as that
     * @return the line, or null at end of stream before any byte of it
     * @throws LineTooLongException if no line end comes within {@code limit} bytes
     * @throws EOFException         if the stream ends in the middle of a line
     */
    @Suspendable
    public String readLine(int limit) throws IOException {
        int max = Math.min(limit, capacity - 2);
        int scanned = 0;
        if (buf == null && fill() < 0) return null;
        for (;;) {
            int start = buf.position();
            for (int i = start + scanned; i < buf.limit(); i++) {
                if (buf.get(i) == '\n') {
                    int end = i > start && buf.get(i - 1) == '\r' ? i - 1 : i;
                    if (end - start > max) throw new LineTooLongException(max);
                    String line = new String(buf.array(), start, end - start, StandardCharsets.ISO_8859_1);
                    buf.position(i + 1);
                    return line;
                }
            }
            scanned = buf.remaining();
            if (scanned > max + 1) throw new LineTooLongException(max);
            if (fill() < 0) {
                if (buf.remaining() == 0) return null;
                throw new EOFException("the stream ended in the middle of a line");
            }
        }
    }

    /** Reads some bytes into {@code dst}: buffered ones first, else straight from the socket (no copy). */
    @Suspendable
    public int read(ByteBuffer dst) throws IOException {
        if (buf != null && buf.hasRemaining()) {
            int n = Math.min(buf.remaining(), dst.remaining());
            ByteBuffer slice = buf.slice();
            slice.limit(n);
            dst.put(slice);
            buf.position(buf.position() + n);
            return n;
        }
        return socket.read(dst);
    }

    /**
     * Fills {@code dst} completely.
     *
     * @throws EOFException if the stream ends first
     */
    @Suspendable
    public void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) throw new EOFException("the stream ended " + dst.remaining() + " bytes short");
        }
    }

    /** Reads exactly {@code n} bytes into a new array. */
    @Suspendable
    public byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        readFully(ByteBuffer.wrap(b));
        return b;
    }

    /** Waits until at least one byte is buffered; false at end of stream. */
    @Suspendable
    public boolean awaitData() throws IOException {
        return buf != null && buf.hasRemaining() || fill() > 0;
    }

    /**
     * Reads more from the socket into the free end of the buffer; -1 at end of stream. With nothing buffered, it
     * gives the buffer back while it waits for input and borrows one again to read it. Afterwards there is a buffer.
     */
    @Suspendable
    private int fill() throws IOException {
        EventLoop loop = socket.loop();
        if (buf == null || !buf.hasRemaining()) {
            if (buf != null) {
                if (loop.inLoop()) loop.buffers.give(buf);
                buf = null;
            }
            socket.awaitReadable();
            buf = loop.inLoop() ? loop.buffers.take(capacity) : ByteBuffer.allocate(capacity);
            try {
                return socket.read(buf);
            } finally {
                buf.flip();
            }
        }
        buf.compact();
        try {
            return socket.read(buf);
        } finally {
            buf.flip();
        }
    }
}
