package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.Listener;
import dev.spindle.io.Task;
import dev.spindle.io.TcpServer;
import dev.spindle.io.TcpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection's coroutine from start to end: what it is suspended in, who closes its socket, how its task
 * reports the end, and the loop's hold on channels that never waited.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionLifeTest {
    /** The handler of the first test, a method of its own so that its frame has a name to look for. */
    static void echo(TcpSocket socket) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64);
        while (socket.read(buf) >= 0) {
            buf.flip();
            socket.writeAll(buf);
            buf.clear();
        }
    }

    @Test
    void anIdleConnectionIsSuspendedInTheHandlersFramesOnlyRoundAfterRound() throws Exception {
        try (EventLoop loop = new EventLoop("frames")) {
            Listener l = loop.serve(ANY_LOOPBACK, ConnectionLifeTest::echo);
            try (SocketChannel c = SocketChannel.open(l.localAddress())) {
                for (int round = 0; round < 3; round++) {
                    c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    ByteBuffer back = ByteBuffer.allocate(3);
                    while (back.hasRemaining()) c.read(back);
                    // no wrapper of the loop's between the coroutine's start and the handler: nothing stays saved
                    // below the handler while it reads again
                    List<String> frames = framesOfConnection(loop.dump().join());
                    assertEquals(2, frames.size(), frames::toString);
                    assertTrue(frames.get(0).startsWith("dev.spindle.io.TcpSocket.read("), frames::toString);
                    assertTrue(frames.get(1).startsWith(ConnectionLifeTest.class.getName() + ".echo("),
                            frames::toString);
                }
            }
        }
    }

    /** A dump names a connection's task as its logs do, and says what a waiting task waits for. */
    @Test
    void aDumpNamesConnectionsAsTheLogsDoAndWhatTheyWaitFor() throws Exception {
        try (EventLoop loop = new EventLoop("dump-names")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> EventLoop.sleep(Duration.ofMinutes(5)));
            try (SocketChannel c = SocketChannel.open(l.localAddress())) {
                String line = "Task[conn /127.0.0.1:" + ((InetSocketAddress) c.getLocalAddress()).getPort()
                        + ", WAITING] on a timer (sleep of PT5M)";
                String dump = loop.dump().join();
                while (!dump.contains("sleep of")) dump = loop.dump().join(); // until the handler sleeps
                assertTrue(dump.contains(line), dump);
            }
        }
    }

    /** The "at" lines under the connection's task in a loop's dump (the acceptor's are left out). */
    private static List<String> framesOfConnection(String dump) {
        List<String> frames = new ArrayList<>();
        boolean in = false;
        for (String line : dump.split("\n")) {
            String t = line.trim();
            if (!t.startsWith("at ")) {
                in = t.startsWith("Task[conn ");
            } else if (in) {
                frames.add(t.substring(3));
            }
        }
        return frames;
    }

    @Test
    void theSocketIsClosedWhenTheHandlerReturnsOrThrowsWithoutClosingIt() throws Exception {
        try (EventLoop loop = new EventLoop("close")) {
            Listener returns = loop.serve(ANY_LOOPBACK, socket -> socket.read(ByteBuffer.allocate(1)));
            Listener throwsUp = loop.serve(ANY_LOOPBACK, socket -> {
                socket.read(ByteBuffer.allocate(1));
                throw new IllegalStateException("handler failed on purpose (this test)");
            });
            for (Listener l : List.of(returns, throwsUp)) {
                try (SocketChannel c = SocketChannel.open(l.localAddress())) {
                    c.write(ByteBuffer.wrap(new byte[] {1}));
                    assertEquals(-1, c.read(ByteBuffer.allocate(1))); // blocks until the server's side closes
                }
            }
            IoSupport.eventually(() -> loop.liveTasks() == 2); // only the two acceptors
        }
    }

    /** As ServerSocket.close(): once close() returns to a thread outside the loops, the port can be served again. */
    @Test
    void aClosedListenersPortCanBeServedAgainAtOnce() throws Exception {
        try (EventLoop loop = new EventLoop("reserve")) {
            Listener first = loop.serve(ANY_LOOPBACK, ConnectionLifeTest::echo);
            InetSocketAddress port = new InetSocketAddress("127.0.0.1", first.localAddress().getPort());
            try (SocketChannel c = SocketChannel.open(port)) { // the listener has waited in the selector
                c.write(ByteBuffer.wrap(new byte[] {1}));
                assertEquals(1, c.read(ByteBuffer.allocate(1)));
            }
            first.close();
            assertFalse(first.isOpen());
            Listener second = loop.serve(port, ConnectionLifeTest::echo);
            try (SocketChannel c = SocketChannel.open(port)) {
                c.write(ByteBuffer.wrap(new byte[] {2}));
                ByteBuffer got = ByteBuffer.allocate(1);
                assertEquals(1, c.read(got));
                assertEquals(2, got.get(0));
            }
            second.close();
        }
    }

    @Test
    void aTaskReportsItsEndWhetherItsCompletionIsAskedForBeforeOrAfter() throws Exception {
        try (EventLoop loop = new EventLoop("ends")) {
            CountDownLatch go = new CountDownLatch(1);
            Task early = loop.spawn(() -> EventLoop.blocking(() -> {
                go.await();
                return null;
            }));
            CompletableFuture<Void> askedBefore = early.completion();
            assertFalse(early.isDone());
            go.countDown();
            askedBefore.join();
            assertTrue(early.isDone());
            assertTrue(early.completion() == askedBefore);

            Task failing = loop.spawn(() -> {
                throw new IllegalStateException("failed on purpose (this test)");
            });
            IoSupport.eventually(failing::isDone);
            CompletionException e = assertThrows(CompletionException.class, () -> failing.completion().join());
            assertEquals("failed on purpose (this test)", e.getCause().getMessage());
        }
    }

    @Test
    void aCallerThatCompletesTheFutureItselfDoesNotEndTheTask() throws Exception {
        try (EventLoop loop = new EventLoop("futures")) {
            CountDownLatch go = new CountDownLatch(1);
            Task t = loop.spawn(() -> EventLoop.blocking(() -> {
                go.await();
                return null;
            }));
            t.completion().complete(null);
            assertFalse(t.isDone());
            go.countDown();
            IoSupport.eventually(t::isDone);
        }
    }

    @Test
    void aReadTimeoutBelowAMillisecondStillTimesOut() throws Exception {
        try (EventLoop loop = new EventLoop("timeouts")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> socket.read(ByteBuffer.allocate(1))); // never writes
            Throwable thrown = loop.submit(() -> {
                try (TcpSocket s = TcpSocket.connect(l.localAddress())) {
                    s.setReadTimeout(Duration.ofNanos(1));
                    s.read(ByteBuffer.allocate(1));
                    return null;
                } catch (IOException e) {
                    return e;
                }
            }).join();
            assertTrue(thrown instanceof SocketTimeoutException, String.valueOf(thrown));
            assertEquals("read from " + l.localAddress() + " timed out", thrown.getMessage()); // names the peer
        }
    }

    @Test
    void channelsThatNeverWaitedAreClosedWhenTheLoopCloses() throws Exception {
        EventLoop loop = new EventLoop("never-waited");
        TcpServer server = TcpServer.bind(loop, ANY_LOOPBACK, 0); // bound from this thread, never accepted on
        TcpSocket client = loop.submit(() -> { // connected, never read from or written to
            try {
                return TcpSocket.connect(server.localAddress());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).join();
        assertTrue(server.isOpen() && client.isOpen());
        loop.close();
        assertFalse(server.isOpen());
        assertFalse(client.isOpen());
        assertEquals(server.localAddress().toString(), client.peer()); // still known for messages once closed
    }
}
