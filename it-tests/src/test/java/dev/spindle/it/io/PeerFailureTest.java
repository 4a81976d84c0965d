package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.Listener;
import dev.spindle.io.SocketInput;
import dev.spindle.io.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Peers that reset, half-close or make the handler throw: only their own coroutine ends. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PeerFailureTest {
    @Test
    void aResetPeerEndsItsCoroutineWithAnIOExceptionAndFreesTheSocket() throws Exception {
        LinkedBlockingQueue<Throwable> outcomes = new LinkedBlockingQueue<>();
        try (EventLoop loop = new EventLoop("reset")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                try {
                    ByteBuffer buf = ByteBuffer.allocate(1024);
                    while (socket.read(buf) >= 0) buf.clear(); // reads until the peer goes away
                    outcomes.add(new AssertionError("clean end of stream instead of a reset"));
                } catch (IOException e) {
                    outcomes.add(e);
                    throw e;
                }
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                client.getOutputStream().write("partial request".getBytes(StandardCharsets.US_ASCII));
                client.setSoLinger(true, 0); // close sends RST
            }
            assertTrue(outcomes.take() instanceof IOException);
            IoSupport.eventually(() -> loop.liveTasks() == 1); // only the acceptor is left
            // the loop goes on serving
            try (Socket again = new Socket("127.0.0.1", l.localAddress().getPort())) {
                again.setSoLinger(true, 0);
            }
            outcomes.take();
        }
    }

    @Test
    void aHalfClosedPeerStillGetsItsAnswer() throws Exception {
        try (EventLoop loop = new EventLoop("half")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                ByteBuffer all = ByteBuffer.allocate(1 << 16);
                while (socket.read(all) >= 0) { } // until the peer's FIN
                String got = new String(all.array(), 0, all.position(), StandardCharsets.US_ASCII);
                socket.writeAll(ByteBuffer.wrap(("got " + got.length() + " bytes\n").getBytes(StandardCharsets.US_ASCII)));
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                OutputStream out = client.getOutputStream();
                out.write(new byte[5000]);
                client.shutdownOutput();
                InputStream in = client.getInputStream();
                assertEquals("got 5000 bytes\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
            IoSupport.eventually(() -> loop.liveTasks() == 1);
        }
    }

    @Test
    void shuttingTheInputDownEndsReadsButNotWrites() throws Exception {
        try (EventLoop loop = new EventLoop("shut-in")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                socket.shutdownInput();
                int read = socket.read(ByteBuffer.allocate(16)); // at once, whatever the client sends
                socket.writeAll(ByteBuffer.wrap(("read " + read + "\n").getBytes(StandardCharsets.US_ASCII)));
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                assertEquals("read -1\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void anExceptionInOneConnectionDoesNotStopTheLoop() throws Exception {
        try (EventLoop loop = new EventLoop("throws")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                String line = new SocketInput(socket, 256).readLine(200);
                if (line.equals("boom")) throw new IllegalStateException("handler failure for the test (expected in the log)");
                socket.writeAll(ByteBuffer.wrap(("ok " + line + "\n").getBytes(StandardCharsets.US_ASCII)));
            });
            try (Socket bad = new Socket("127.0.0.1", l.localAddress().getPort())) {
                bad.getOutputStream().write("boom\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, bad.getInputStream().read()); // closed by the loop after the failure
            }
            try (Socket good = new Socket("127.0.0.1", l.localAddress().getPort())) {
                good.getOutputStream().write("fine\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ok fine\n", new String(good.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
    }

    /** The records with an exception that the loop's logger ({@code dev.spindle.io}) publishes meanwhile. */
    private static final class LoggedFailures implements AutoCloseable {
        private final java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.spindle.io");
        private final java.util.logging.Level before = jul.getLevel();
        final List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getThrown() != null) records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        LoggedFailures() {
            jul.setLevel(java.util.logging.Level.ALL);
            jul.addHandler(capture);
        }

        @Override
        public void close() {
            jul.removeHandler(capture);
            jul.setLevel(before);
        }
    }

    /**
     * A handler's own IOException is a failure to see at the default log level; a peer's reset is routine on a
     * server and goes to DEBUG (java.util.logging's FINE), where it does not flood the log.
     */
    @Test
    void aHandlersOwnIOExceptionIsAWarningAndAPeersResetIsDebug() throws Exception {
        try (LoggedFailures logged = new LoggedFailures(); EventLoop loop = new EventLoop("levels")) {
            List<java.util.logging.LogRecord> records = logged.records;
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                String line = new SocketInput(socket, 256).readLine(200);
                throw new IOException("the handler's own protocol error on '" + line + "' (expected in the log)");
            });
            try (Socket own = new Socket("127.0.0.1", l.localAddress().getPort())) {
                own.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, own.getInputStream().read());
            }
            IoSupport.eventually(() -> records.size() == 1);
            assertEquals(java.util.logging.Level.WARNING, records.get(0).getLevel());
            assertTrue(records.get(0).getMessage().contains("/127.0.0.1:"), "names the peer: " + records.get(0).getMessage());
            try (Socket reset = new Socket("127.0.0.1", l.localAddress().getPort())) {
                reset.getOutputStream().write("no end of line".getBytes(StandardCharsets.US_ASCII));
                reset.setSoLinger(true, 0);
            }
            IoSupport.eventually(() -> records.size() == 2);
            assertTrue(records.get(1).getThrown() instanceof java.net.SocketException, records.get(1).getThrown().toString());
            assertEquals(java.util.logging.Level.FINE, records.get(1).getLevel());
        }
    }

    /**
     * A peer that resets, or closes with data unread, while the server writes to it: the JDK's channels report
     * that as a plain IOException ("Connection reset by peer", "Broken pipe"), routine on a server too.
     */
    @Test
    void aPeerThatResetsOrClosesWhileTheServerWritesIsDebug() throws Exception {
        try (LoggedFailures logged = new LoggedFailures(); EventLoop loop = new EventLoop("write-reset")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                for (;;) socket.writeAll(chunk.clear()); // to a peer that reads a little, then goes
            });
            try (Socket peer = new Socket("127.0.0.1", l.localAddress().getPort())) {
                assertTrue(peer.getInputStream().read(new byte[1000]) > 0);
                peer.setSoLinger(true, 0); // its close resets
            }
            IoSupport.eventually(() -> logged.records.size() == 1);
            try (Socket peer = new Socket("127.0.0.1", l.localAddress().getPort())) {
                assertTrue(peer.getInputStream().read(new byte[1000]) > 0); // then closes with data unread
            }
            IoSupport.eventually(() -> logged.records.size() == 2);
            for (java.util.logging.LogRecord r : logged.records) {
                assertTrue(r.getThrown() instanceof IOException, String.valueOf(r.getThrown()));
                assertEquals(java.util.logging.Level.FINE, r.getLevel(), "logged at " + r.getLevel() + ": " + r.getThrown());
            }
        }
    }

    @Test
    void connectingToAClosedPortFailsInTheCoroutine() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EventLoop loop = new EventLoop("refused")) {
            CompletableFuture<TcpSocket> f = loop.submit(() -> {
                try {
                    return TcpSocket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Throwable e = assertThrows(java.util.concurrent.CompletionException.class, f::join).getCause();
            assertTrue(e.getCause() instanceof java.net.ConnectException, e.toString());
            assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + port), "names the address: " + e);
        }
    }

    /** As {@code Socket.connect}: an {@code UnknownHostException}, which a handler of IOException catches. */
    @Test
    void connectingToAnUnresolvedAddressIsAnIOException() throws Exception {
        try (EventLoop loop = new EventLoop("unresolved")) {
            String got = loop.submit(() -> {
                try (TcpSocket s = TcpSocket.connect(java.net.InetSocketAddress.createUnresolved("nowhere.invalid", 80))) {
                    return "connected";
                } catch (IOException e) {
                    return e.getClass().getSimpleName() + " " + e.getMessage();
                }
            }).get();
            assertEquals("UnknownHostException nowhere.invalid", got);
            String dump = loop.dump().get();
            assertTrue(dump.contains(" 0 open channels"), dump);
        }
    }

    /**
     * Peers that reset at the same moment: the selector reports all their sockets in one batch, and the coroutine
     * woken for the first closes the others before the loop gets to them.
     */
    @Test
    void aCoroutineClosingSocketsReportedReadyInTheSameBatchDoesNotStopTheLoop() throws Exception {
        int n = 10;
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             EventLoop loop = new EventLoop("batch")) {
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<String> held = loop.submit(() -> {
                List<TcpSocket> sockets = new ArrayList<>();
                for (int i = 0; i < n; i++) sockets.add(TcpSocket.connect(server.getLocalSocketAddress()));
                for (TcpSocket s : sockets) {
                    EventLoop.current().spawn(() -> {
                        try {
                            s.read(ByteBuffer.allocate(1));
                        } catch (IOException reset) {
                            // expected: the peer reset
                        }
                        for (TcpSocket other : sockets) if (other != s) other.close();
                    });
                }
                EventLoop.yieldNow(); // every reader waits now
                waiting.countDown();
                Thread.sleep(300); // holds the loop's thread while the resets arrive, so one select sees them all
                return "held";
            });
            List<Socket> accepted = new ArrayList<>();
            for (int i = 0; i < n; i++) accepted.add(server.accept());
            waiting.await();
            for (Socket a : accepted) {
                a.setSoLinger(true, 0);
                a.close();
            }
            assertEquals("held", held.join());
            assertEquals("alive", loop.submit(() -> "alive").join());
        }
    }
}
