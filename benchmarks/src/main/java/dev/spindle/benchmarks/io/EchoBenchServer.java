package dev.spindle.benchmarks.io;

import dev.spindle.io.ConnectionHandler;
import dev.spindle.io.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The echo servers the I/O benchmark compares, one per process: {@code spindle} (one {@code EventLoop}, a
 * coroutine per connection), {@code threads} (a platform thread per connection, blocking sockets),
 * {@code virtual} (a virtual thread per connection; JDK 21+), {@code nio} (a hand-written single-thread
 * callback-style selector loop: the ceiling for one event loop). Prints {@code READY} once listening and serves
 * until killed. Run by {@code benchmarks/io-bench.sh}.
 *
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp benchmarks/target/spindle-benchmarks.jar \
 *     dev.spindle.benchmarks.io.EchoBenchServer spindle 9000
 * </pre>
 */
public final class EchoBenchServer {
    private EchoBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        int port = Integer.parseInt(args[1]);
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
        switch (variant) {
            case "spindle":
                spindle(addr);
                break;
            case "threads":
                perConnection(addr, Executors.newCachedThreadPool());
                break;
            case "virtual":
                perConnection(addr, (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                        .invoke(null));
                break;
            case "nio":
                nio(addr);
                break;
            default:
                throw new IllegalArgumentException("variant: spindle, threads, virtual or nio, not " + variant);
        }
    }

    static final ConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(64);
        while (socket.read(buf) >= 0) {
            buf.flip();
            socket.writeAll(buf);
            buf.clear();
        }
    };

    private static void spindle(InetSocketAddress addr) throws IOException {
        EventLoopGroup group = new EventLoopGroup(1);
        group.serve(addr, ECHO);
        System.out.println("READY");
    }

    private static void perConnection(InetSocketAddress addr, ExecutorService pool) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(addr, 65535);
        System.out.println("READY");
        for (;;) {
            Socket s = server.accept();
            pool.execute(() -> {
                byte[] buf = new byte[64];
                try (s) {
                    s.setTcpNoDelay(true);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
                } catch (IOException ignored) {
                    // the client went away
                }
            });
        }
    }

    /** The hand-written loop: a buffer per connection, OP_WRITE only while a write is incomplete. */
    private static void nio(InetSocketAddress addr) throws IOException {
        Selector sel = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(addr, 65535);
        server.configureBlocking(false);
        server.register(sel, SelectionKey.OP_ACCEPT);
        System.out.println("READY");
        for (;;) {
            sel.select(key -> {
                try {
                    if (key.isAcceptable()) {
                        for (SocketChannel c; (c = server.accept()) != null; ) {
                            c.configureBlocking(false);
                            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                            c.register(sel, SelectionKey.OP_READ, ByteBuffer.allocate(64));
                        }
                        return;
                    }
                    SocketChannel c = (SocketChannel) key.channel();
                    ByteBuffer buf = (ByteBuffer) key.attachment();
                    if (key.isWritable()) {
                        c.write(buf);
                        if (buf.hasRemaining()) return;
                        buf.clear();
                        key.interestOps(SelectionKey.OP_READ);
                    }
                    if (key.isReadable()) {
                        int n = c.read(buf);
                        if (n < 0) {
                            c.close();
                            return;
                        }
                        buf.flip();
                        c.write(buf);
                        if (buf.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_WRITE);
                        } else {
                            buf.clear();
                        }
                    }
                } catch (IOException e) {
                    try {
                        key.channel().close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            });
        }
    }
}
