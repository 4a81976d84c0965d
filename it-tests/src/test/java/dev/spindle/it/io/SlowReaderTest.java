package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.Listener;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that does not read: the coroutine writing to it is held back by the socket (it suspends in
 * {@code writeAll} with a bounded amount written, its memory does not grow), the loop goes on serving others,
 * and a write timeout cuts the slow reader off.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowReaderTest {
    private static final long TOTAL = 64L << 20; // far more than any socket buffers hold

    @Test
    void aWriterToAClientThatDoesNotReadWaitsAndTheLoopServesOthers() throws Exception {
        AtomicLong written = new AtomicLong();
        try (EventLoop loop = new EventLoop("slow-reader")) {
            Listener stream = loop.serve(ANY_LOOPBACK, socket -> {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024); // one buffer, reused: nothing queues up
                while (written.get() < TOTAL) {
                    chunk.clear();
                    socket.writeAll(chunk);
                    written.addAndGet(chunk.capacity());
                }
                socket.shutdownOutput();
            });
            Listener echo = loop.serve(ANY_LOOPBACK, IoSupport.ECHO);
            try (Socket slow = new Socket("127.0.0.1", stream.localAddress().getPort())) {
                // the writer fills the socket's buffers, then suspends in writeAll
                IoSupport.eventually(() -> loop.dump().join().contains("writeAll"),
                        () -> "written so far: " + written.get());
                long held = written.get();
                assertTrue(held < TOTAL, "the writer was not held back: " + held + " bytes written");

                // meanwhile another connection of the same loop is served
                try (Socket other = new Socket("127.0.0.1", echo.localAddress().getPort())) {
                    OutputStream out = other.getOutputStream();
                    out.write("ping".getBytes());
                    byte[] back = other.getInputStream().readNBytes(4);
                    assertEquals("ping", new String(back));
                }
                assertTrue(written.get() < TOTAL, "still held back");

                // the slow reader catches up: everything arrives, and nothing was lost or duplicated
                InputStream in = slow.getInputStream();
                byte[] sink = new byte[1 << 16];
                long received = 0;
                for (int n; (n = in.read(sink)) >= 0; ) received += n;
                assertEquals(TOTAL, received);
            }
        }
    }

    @Test
    void aWriteTimeoutCutsOffAClientThatStopsReading() throws Exception {
        LinkedBlockingQueue<Throwable> outcome = new LinkedBlockingQueue<>();
        try (EventLoop loop = new EventLoop("write-timeout")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                socket.setWriteTimeout(Duration.ofMillis(200));
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                try {
                    for (long sent = 0; sent < TOTAL; sent += chunk.capacity()) {
                        chunk.clear();
                        socket.writeAll(chunk);
                    }
                    outcome.add(new AssertionError("wrote everything to a client that never read"));
                } catch (Throwable e) {
                    outcome.add(e);
                    throw e;
                }
            });
            try (Socket slow = new Socket("127.0.0.1", l.localAddress().getPort())) {
                Throwable timedOut = outcome.take();
                assertInstanceOf(SocketTimeoutException.class, timedOut);
                assertEquals("write to /127.0.0.1:" + slow.getLocalPort() + " timed out", timedOut.getMessage());
                IoSupport.eventually(() -> loop.liveTasks() == 1); // the connection's coroutine is gone
                InputStream in = slow.getInputStream();
                byte[] sink = new byte[1 << 16];
                while (in.read(sink) >= 0) { } // what was written arrives, then the server's close
            }
        }
    }
}
