package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static dev.spindle.it.io.IoSupport.ECHO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Listener;
import dev.spindle.io.TcpSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Echo round trips with checked payloads: many clients at once, and partial reads and writes. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EchoTest {
    @Test
    void manyConcurrentClientsGetTheirOwnBytesBack() throws Exception {
        try (EventLoopGroup servers = new EventLoopGroup(2); EventLoopGroup clients = new EventLoopGroup(2)) {
            Listener l = servers.serve(ANY_LOOPBACK, ECHO);
            List<CompletableFuture<Integer>> done = new ArrayList<>();
            for (int c = 0; c < 500; c++) {
                int seed = c;
                done.add(clients.next().submit(() -> {
                    try (TcpSocket s = TcpSocket.connect(l.localAddress())) {
                        int rounds = 0;
                        for (int r = 0; r < 10; r++, rounds++) {
                            byte[] msg = IoSupport.pattern(32 + (seed + r) % 200, seed + r);
                            s.writeAll(ByteBuffer.wrap(msg));
                            ByteBuffer back = ByteBuffer.allocate(msg.length);
                            s.readFully(back);
                            assertArrayEquals(msg, back.array());
                        }
                        return rounds;
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (CompletableFuture<Integer> f : done) assertEquals(10, f.join());
            assertEquals(500, l.accepted());
        }
    }

    @Test
    void tinySocketBuffersForcePartialReadsAndWrites() throws Exception {
        byte[] payload = IoSupport.pattern(4 << 20, 3);
        try (EventLoop loop = new EventLoop("tiny")) {
            // (SO_RCVBUF only before connecting: shrinking it on a live connection can stall it in the kernel)
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                socket.setOption(StandardSocketOptions.SO_SNDBUF, 2048);
                ECHO.handle(socket);
            });
            int[] reads = new int[1];
            byte[] back = loop.submit(() -> {
                try (TcpSocket s = TcpSocket.connect(l.localAddress(), ch -> {
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, 2048);
                    ch.setOption(StandardSocketOptions.SO_SNDBUF, 2048);
                })) {
                    // writer and reader at once on one socket: neither side can hold the whole payload
                    loop.spawn("writer", () -> {
                        try {
                            s.writeAll(ByteBuffer.wrap(payload));
                            s.shutdownOutput();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    ByteBuffer in = ByteBuffer.allocate(payload.length);
                    while (in.hasRemaining() && s.read(in) >= 0) reads[0]++;
                    assertEquals(-1, s.read(ByteBuffer.allocate(1)));
                    return in.array();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertArrayEquals(payload, back);
            org.junit.jupiter.api.Assertions.assertTrue(reads[0] > 100, "reads: " + reads[0]);
        }
    }
}
