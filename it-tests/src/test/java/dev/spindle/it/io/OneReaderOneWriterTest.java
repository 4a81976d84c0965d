package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.Listener;
import dev.spindle.io.TcpSocket;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TCP socket has one reader and one writer at a time. A second one is refused while the first waits even when
 * the socket has data (or room) for it at once: otherwise it would take bytes from the middle of the first one's
 * read, or splice its own into the middle of the first one's {@code writeAll}.
 *
 * <p>To give the second one data (or room) that the selector has not yet reported to the first, the loop's thread
 * is held in an action while the client sends (or drains); the action then starts the second coroutine, which
 * runs before the loop's next select.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OneReaderOneWriterTest {
    private static final long TOTAL = 64L << 20; // far more than the sockets' buffers hold

    @Test
    void aSecondReaderIsRefusedWhileTheFirstWaitsEvenWithDataThere() throws Exception {
        CompletableFuture<TcpSocket> waiting = new CompletableFuture<>();
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        try (EventLoop loop = new EventLoop("one-reader")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                waiting.complete(socket); // in the same step as the read's wait: an action runs after it
                ByteBuffer buf = ByteBuffer.allocate(64);
                int n = socket.read(buf);
                first.complete(new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                TcpSocket socket = waiting.get(10, TimeUnit.SECONDS);
                IoSupport.holdTheLoopWhile(loop, () -> client.getOutputStream().write("hello".getBytes()),
                        () -> loop.spawn("second reader", () -> second.complete(attempt(() -> {
                            int n = socket.read(ByteBuffer.allocate(64));
                            return "read " + n + " bytes";
                        }))));
                String refusal = second.get(10, TimeUnit.SECONDS);
                assertTrue(refusal.contains("cannot read from") && refusal.contains("second reader")
                        && refusal.contains("already waits"), refusal);
                assertEquals("hello", first.get(10, TimeUnit.SECONDS), "the first reader got every byte");
            }
        }
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstWaitsEvenWithRoomThere() throws Exception {
        CompletableFuture<TcpSocket> writing = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        try (EventLoop loop = new EventLoop("one-writer")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                writing.complete(socket);
                ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
                for (long sent = 0; sent < TOTAL; sent += zeros.capacity()) {
                    zeros.clear();
                    socket.writeAll(zeros); // the client does not read yet: it waits in here
                }
                socket.shutdownOutput();
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                TcpSocket socket = writing.get(10, TimeUnit.SECONDS);
                InputStream in = client.getInputStream();
                byte[] drained = new byte[1 << 20];
                IoSupport.holdTheLoopWhile(loop, () -> in.readNBytes(drained, 0, drained.length), // makes room
                        () -> loop.spawn("second writer", () -> second.complete(attempt(() -> {
                            socket.writeAll(ByteBuffer.wrap("#".getBytes()));
                            return "wrote";
                        }))));
                String refusal = second.get(10, TimeUnit.SECONDS);
                assertTrue(refusal.contains("cannot write to") && refusal.contains("second writer")
                        && refusal.contains("already waits"), refusal);
                long received = drained.length;
                for (byte b : drained) assertEquals(0, b);
                byte[] rest = new byte[1 << 16];
                for (int n; (n = in.read(rest)) >= 0; received += n) {
                    for (int i = 0; i < n; i++) assertEquals(0, rest[i], "a byte spliced in at " + (received + i));
                }
                assertEquals(TOTAL, received, "exactly the first writer's bytes");
            }
        }
    }

    private interface Attempt {
        @dev.spindle.Suspendable
        String run() throws Exception;
    }

    @dev.spindle.Suspendable
    private static String attempt(Attempt a) {
        try {
            return a.run();
        } catch (IllegalStateException refused) {
            return refused.getMessage();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
