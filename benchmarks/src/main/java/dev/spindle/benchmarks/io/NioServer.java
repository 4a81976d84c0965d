package dev.spindle.benchmarks.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The hand-written single-thread callback-style selector loop: the ceiling for one event loop. Each connection
 * is a key with its input buffer attached; OP_READ stays set, OP_WRITE only while a response is incomplete.
 */
final class NioServer {
    private final Selector sel;
    private final ServerSocketChannel server;
    private final boolean http;
    private final HttpRequestScanner scanner = new HttpRequestScanner();
    /** Responses go out of this one buffer; a connection gets its own copy only when the socket would not take it all. */
    private final ByteBuffer response = ByteBuffer.allocateDirect(4096);

    /** A connection: what it read and not used yet, and what it could not write yet. */
    private static final class Conn {
        final ByteBuffer in;
        ByteBuffer pending;
        boolean closeAfterWrite;

        Conn(int capacity) {
            in = ByteBuffer.allocate(capacity);
        }
    }

    NioServer(InetSocketAddress addr, boolean http) throws IOException {
        this.http = http;
        sel = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(addr, 65535);
        server.configureBlocking(false);
        server.register(sel, SelectionKey.OP_ACCEPT);
    }

    void startThread() {
        new Thread(() -> {
            try {
                for (;;) sel.select(this::ready);
            } catch (IOException e) {
                e.printStackTrace();
            }
        }, "nio-loop").start();
    }

    private void ready(SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                accept();
                return;
            }
            SocketChannel c = (SocketChannel) key.channel();
            Conn conn = (Conn) key.attachment();
            if (key.isWritable() && !flushPending(key, c, conn)) return;
            if (key.isReadable()) {
                int n = c.read(conn.in);
                if (n < 0) {
                    c.close();
                    return;
                }
                if (http) {
                    http(key, c, conn);
                } else {
                    conn.in.flip();
                    send(key, c, conn, conn.in);
                    conn.in.clear();
                }
            }
        } catch (IOException e) {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void accept() throws IOException {
        for (SocketChannel c; (c = server.accept()) != null; ) {
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.register(sel, SelectionKey.OP_READ, new Conn(http ? 512 : 64) /* echo: the 64 bytes the other echo servers use */);
        }
    }

    private void http(SelectionKey key, SocketChannel c, Conn conn) throws IOException {
        ByteBuffer in = conn.in;
        byte[] b = in.array();
        int start = 0;
        int end = in.position();
        response.clear();
        boolean close = false;
        for (int len; !close && (len = scanner.scan(b, start, end)) != HttpRequestScanner.INCOMPLETE; start += len) {
            if (len < 0) {
                response.put(Http1.BAD_REQUEST);
                close = true;
                break;
            }
            if (response.remaining() < Http1.RESPONSE.length) break; // a burst of pipelined requests: the rest later
            response.put(Http1.RESPONSE);
            close = scanner.close;
        }
        if (start == 0 && end == b.length && !close) { // a request larger than the buffer
            response.put(Http1.BAD_REQUEST);
            close = true;
        }
        in.position(start).limit(end);
        in.compact();
        response.flip();
        conn.closeAfterWrite = close;
        if (response.hasRemaining()) send(key, c, conn, response);
    }

    /** Writes {@code out}; what the socket does not take is kept for OP_WRITE. */
    private void send(SelectionKey key, SocketChannel c, Conn conn, ByteBuffer out) throws IOException {
        c.write(out);
        if (out.hasRemaining()) {
            conn.pending = ByteBuffer.allocate(out.remaining()).put(out).flip();
            key.interestOps(SelectionKey.OP_WRITE);
        } else if (conn.closeAfterWrite) {
            c.close();
        }
    }

    /** True once nothing is pending, reading resumed. */
    private boolean flushPending(SelectionKey key, SocketChannel c, Conn conn) throws IOException {
        c.write(conn.pending);
        if (conn.pending.hasRemaining()) return false;
        conn.pending = null;
        if (conn.closeAfterWrite) {
            c.close();
            return false;
        }
        key.interestOps(SelectionKey.OP_READ);
        return true;
    }
}
