package dev.spindle.benchmarks.io;

import dev.spindle.io.ConnectionHandler;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.http.HttpResponse;
import dev.spindle.io.http.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Spindle's servers: one event loop, a coroutine per connection; HTTP through {@link HttpServer} as it ships. */
final class SpindleServer {
    private SpindleServer() {
    }

    static final ConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(64);
        while (socket.read(buf) >= 0) {
            buf.flip();
            socket.writeAll(buf);
            buf.clear();
        }
    };

    static void start(InetSocketAddress addr, boolean http) throws IOException {
        EventLoopGroup group = new EventLoopGroup(1);
        group.serve(addr, http ? new HttpServer(req -> HttpResponse.text(200, "Hello, World!")) : ECHO);
    }
}
