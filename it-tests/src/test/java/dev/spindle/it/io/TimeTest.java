package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.DeadlineExceededException;
import dev.spindle.io.EventLoop;
import dev.spindle.io.Listener;
import dev.spindle.io.SocketInput;
import dev.spindle.io.TcpServer;
import dev.spindle.io.TcpSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** sleep, timeouts that fire and timeouts that do not; a timed-out wait leaves nothing registered. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimeTest {
    @Test
    void sleepersWakeInDeadlineOrder() {
        try (EventLoop loop = new EventLoop("sleep")) {
            List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 5; i >= 1; i--) {
                int n = i;
                done.add(loop.spawn(() -> {
                    EventLoop.sleep(Duration.ofMillis(20L * n));
                    order.add(n);
                }).completion());
            }
            done.forEach(CompletableFuture::join);
            assertEquals(List.of(1, 2, 3, 4, 5), order);
        }
    }

    /** A timeout of zero or less: the body runs, but its first suspension, a yield included, throws at once. */
    @Test
    void aZeroTimeoutStopsTheBodyAtItsFirstSuspension() {
        try (EventLoop loop = new EventLoop("zero")) {
            int[] yields = {0};
            String r = loop.submit(() -> {
                String noSuspension = EventLoop.withTimeout(Duration.ZERO, () -> "ran");
                try {
                    EventLoop.withTimeout(Duration.ofMillis(-1), () -> {
                        for (;;) {
                            EventLoop.yieldNow();
                            yields[0]++;
                        }
                    });
                    return "returned";
                } catch (DeadlineExceededException e) {
                    EventLoop.yieldNow(); // outside the scope again: waits work
                    return noSuspension + ", then timed out after " + yields[0] + " yields";
                }
            }).join();
            assertEquals("ran, then timed out after 0 yields", r);
        }
    }

    @Test
    void manyPendingTimersMostlyCancelled() {
        try (EventLoop loop = new EventLoop("timers")) {
            int n = 100_000;
            // every coroutine sets a long timeout it never reaches: 100,000 pending timers, each cancelled
            CompletableFuture<Integer> f = loop.submit(() -> {
                int[] finished = new int[1];
                List<dev.spindle.io.Task> tasks = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    tasks.add(EventLoop.current().spawn(() -> {
                        EventLoop.withTimeout(Duration.ofHours(1), () -> EventLoop.yieldNow()); // no result
                        finished[0]++;
                    }));
                }
                for (dev.spindle.io.Task t : tasks) EventLoop.await(t.completion());
                return finished[0];
            });
            assertEquals(n, f.join());
        }
    }

    @Test
    void withTimeoutInterruptsAWaitingReadAndTheSocketStaysUsable() throws Exception {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (EventLoop loop = new EventLoop("deadline")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                SocketInput in = new SocketInput(socket, 256);
                try {
                    EventLoop.withTimeout(Duration.ofMillis(50), () -> in.readLine(200)); // its IOException needs no wrapper
                    events.add("read a line?!");
                } catch (DeadlineExceededException e) {
                    events.add("timed out");
                }
                events.add("then " + in.readLine(200)); // the same socket reads again: the interest was withdrawn
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                assertEquals("timed out", events.take()); // the client sends nothing until the timeout fired
                client.getOutputStream().write("late\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("then late", events.take());
            }
        }
    }

    /**
     * A suspension refused inside a withTimeout (the body reached through a plain lambda) drops that scope's frames
     * without their finally blocks; its deadline goes with them instead of striking the coroutine's next wait. An
     * enclosing scope, whose frame was not dropped, keeps its deadline.
     */
    @Test
    void aWithTimeoutWhoseFramesARefusalDroppedLeavesNoDeadlineBehind() throws Exception {
        try (EventLoop loop = new EventLoop("refused-scope")) {
            java.util.function.Supplier<Object> plain = () -> EventLoop.withTimeout(Duration.ofMillis(50), () -> {
                EventLoop.sleep(Duration.ofSeconds(5));
                return "slept";
            });
            String outcome = loop.submit(() -> {
                try {
                    plain.get();
                    return "not refused?!";
                } catch (IllegalStateException refused) {
                    // the caller goes on (the README advises against it; it must at least not be struck later)
                }
                try {
                    EventLoop.sleep(Duration.ofMillis(200)); // past the dropped scope's deadline
                } catch (DeadlineExceededException e) {
                    return "struck by the dropped deadline";
                }
                Object inner = EventLoop.withTimeoutOrNull(Duration.ofMillis(100), () -> {
                    try {
                        plain.get();
                    } catch (IllegalStateException refused) {
                        // as above, inside a scope that stays
                    }
                    EventLoop.sleep(Duration.ofSeconds(5));
                    return "slept";
                });
                return "went on; the enclosing scope timed out: " + (inner == null);
            }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("went on; the enclosing scope timed out: true", outcome);
        }
    }

    /**
     * Data that reached the socket before the deadline, while the loop was too busy to see it: the read (and a
     * read timeout's wait) goes on with it, as a wait completed by a job or a future does.
     */
    @Test
    void dataThatArrivedBeforeTheDeadlineIsNotUndoneByItWhenTheLoopWasBusy() throws Exception {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (EventLoop loop = new EventLoop("kept")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                SocketInput in = new SocketInput(socket, 256);
                events.add("waiting"); // in the same step as the wait: an action runs after it
                try {
                    events.add(EventLoop.withTimeout(Duration.ofMillis(200), () -> in.readLine(200)));
                } catch (DeadlineExceededException e) {
                    events.add("timed out");
                }
                socket.setReadTimeout(Duration.ofMillis(200));
                events.add("waiting");
                try {
                    events.add(in.readLine(200));
                } catch (SocketTimeoutException e) {
                    events.add("read timed out");
                }
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                for (String line : new String[] {"in time", "in time again"}) {
                    assertEquals("waiting", events.take());
                    IoSupport.holdTheLoopWhile(loop, // past the deadline, with the line there
                            () -> client.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII)),
                            () -> {
                                try {
                                    Thread.sleep(400);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
                    assertEquals(line, events.take());
                }
            }
        }
    }

    @Test
    void withTimeoutInterruptsAnAcceptAndTheServerStillAccepts() throws Exception {
        try (EventLoop loop = new EventLoop("accept-deadline")) {
            CompletableFuture<TcpServer> bound = new CompletableFuture<>();
            CompletableFuture<String> outcome = loop.submit(() -> {
                try (TcpServer server = TcpServer.bind(EventLoop.current(), ANY_LOOPBACK, 16)) {
                    String first;
                    try {
                        EventLoop.withTimeout(Duration.ofMillis(30), () -> server.accept());
                        first = "accepted?!";
                    } catch (DeadlineExceededException e) {
                        first = "timed out";
                    }
                    bound.complete(server); // only now does a client connect
                    try (TcpSocket s = server.accept()) { // the withdrawn wait left the server usable
                        return first + ", then accepted " + (s.peer() != null);
                    }
                }
            });
            try (Socket client = new Socket("127.0.0.1", bound.join().localAddress().getPort())) {
                assertEquals("timed out, then accepted true", outcome.join());
            }
        }
    }

    @Test
    void anAcceptTimeoutThrowsSocketTimeoutExceptionAndTheServerStillAccepts() throws Exception {
        try (EventLoop loop = new EventLoop("accept-timeout")) {
            CompletableFuture<TcpServer> bound = new CompletableFuture<>();
            CompletableFuture<String> outcome = loop.submit(() -> {
                try (TcpServer server = TcpServer.bind(EventLoop.current(), ANY_LOOPBACK, 16)) {
                    server.setAcceptTimeout(Duration.ofMillis(30));
                    String first;
                    try {
                        server.accept();
                        first = "accepted?!";
                    } catch (SocketTimeoutException e) {
                        first = e.getMessage();
                    }
                    server.setAcceptTimeout(Duration.ZERO);
                    bound.complete(server);
                    try (TcpSocket s = server.accept()) {
                        return first + ", then accepted";
                    }
                }
            });
            try (Socket client = new Socket("127.0.0.1", bound.join().localAddress().getPort())) {
                assertTrue(outcome.join().matches("accept on /127\\.0\\.0\\.1:\\d+ timed out, then accepted"),
                        outcome.join());
            }
        }
    }

    /**
     * A connection the server's kernel does not answer (its accept queue is full, so it drops the SYN): the
     * connect timeout ends the attempt with SocketTimeoutException naming the address, and the loop goes on.
     */
    @Test
    void aConnectTimeoutThrowsSocketTimeoutException() throws Exception {
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             EventLoop loop = new EventLoop("connect-timeout")) {
            java.util.List<Socket> queued = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) { // fills the accept queue, whose length the kernel rounds
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        queued.add(s);
                    } catch (SocketTimeoutException unanswered) {
                        s.close();
                        break;
                    }
                }
                String outcome = loop.submit(() -> {
                    try (TcpSocket s = TcpSocket.connect(full.getLocalSocketAddress(), Duration.ofMillis(50))) {
                        return "connected?!";
                    } catch (SocketTimeoutException e) {
                        return e.getMessage();
                    }
                }).join();
                assertEquals("connect to " + full.getLocalSocketAddress() + " timed out", outcome);
                IoSupport.eventually(() -> loop.liveTasks() == 0, () -> loop.dump().join()); // the body has ended
                assertTrue(loop.dump().join().contains(" 0 open channels"),
                        "the attempt is closed: " + loop.dump().join());
            } finally {
                for (Socket s : queued) s.close();
            }
        }
    }

    @Test
    void withTimeoutInterruptsAnAwaitAndALateCompletionIsIgnored() {
        try (EventLoop loop = new EventLoop("await-deadline")) {
            CompletableFuture<String> never = new CompletableFuture<>();
            String outcome = loop.submit(() -> {
                String first;
                try {
                    first = EventLoop.withTimeout(Duration.ofMillis(30), () -> EventLoop.await(never));
                } catch (DeadlineExceededException e) {
                    first = "timed out";
                }
                never.complete("late"); // its wake finds the coroutine no longer waiting for it...
                long t0 = System.nanoTime();
                EventLoop.sleep(Duration.ofMillis(20)); // ...so it does not cut this sleep short
                boolean slept = System.nanoTime() - t0 >= Duration.ofMillis(20).toNanos();
                String next = EventLoop.await(CompletableFuture.completedFuture("next"));
                return first + ", slept " + slept + ", then " + next;
            }).join();
            assertEquals("timed out, slept true, then next", outcome);
        }
    }

    /**
     * A future that never completes, awaited with a timeout: the wait's callback lets go of the task, so a task
     * that ended is not kept reachable by the future, and leaves the future (a "done" signal polled with a
     * deadline again and again does not pile up callbacks).
     */
    @Test
    void aTimedOutAwaitLeavesNothingOnTheFuture() throws Exception {
        try (EventLoop loop = new EventLoop("await-retain")) {
            CompletableFuture<String> never = new CompletableFuture<>();
            dev.spindle.io.Task t = loop.spawn(() -> {
                byte[] onTheStack = new byte[1 << 20]; // what the coroutine's frames would keep
                try {
                    EventLoop.withTimeout(Duration.ofMillis(1), () -> EventLoop.await(never));
                } catch (DeadlineExceededException e) {
                    onTheStack[0] = 1;
                }
            });
            t.completion().join();
            java.lang.ref.WeakReference<dev.spindle.io.Task> ended = new java.lang.ref.WeakReference<>(t);
            t = null;
            for (int i = 0; i < 50 && ended.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(null, ended.get(), "the ended task is still reachable");
            int timeouts = loop.submit(() -> {
                int n = 0;
                for (int i = 0; i < 1000; i++) {
                    try {
                        EventLoop.withTimeout(Duration.ofNanos(1), () -> EventLoop.await(never));
                    } catch (DeadlineExceededException e) {
                        n++;
                    }
                }
                return n;
            }).join();
            assertEquals(1000, timeouts);
            assertEquals(0, never.getNumberOfDependents(), "callbacks left on the future by withdrawn waits");
        }
    }

    @Test
    void withTimeoutThatDoesNotFireReturnsTheValue() {
        try (EventLoop loop = new EventLoop("no-deadline")) {
            assertEquals("done", loop.submit(() -> EventLoop.withTimeout(Duration.ofMinutes(5), () -> {
                EventLoop.sleep(Duration.ofMillis(1));
                return "done";
            })).join());
            assertEquals("outer", loop.submit(() -> EventLoop.withTimeout(Duration.ofMinutes(5), () -> {
                try {
                    EventLoop.withTimeout(Duration.ofMillis(1), () -> EventLoop.sleep(Duration.ofMinutes(10)));
                } catch (DeadlineExceededException inner) {
                    return "outer";
                }
                return "inner?!";
            })).join());
        }
    }

    /**
     * An outer deadline that passes inside an inner withTimeout comes out of it as a DeadlineExceededException; a
     * handler meant for the inner timeout may catch it, but the outer body cannot wait any more after that.
     */
    @Test
    void anOuterDeadlineCaughtByAnInnerHandlerStrikesAgainAtTheNextWait() {
        try (EventLoop loop = new EventLoop("nested-deadlines")) {
            List<String> steps = new ArrayList<>();
            CompletableFuture<String> outcome = loop.submit(() -> {
                try {
                    return EventLoop.withTimeout(Duration.ofMillis(50), () -> {
                        try {
                            EventLoop.withTimeout(Duration.ofMinutes(5), () -> EventLoop.sleep(Duration.ofMinutes(10)));
                        } catch (DeadlineExceededException meantForTheInner) {
                            steps.add("inner handler");
                        }
                        EventLoop.sleep(Duration.ofMinutes(10));
                        return "outer body ran on past its deadline";
                    });
                } catch (DeadlineExceededException outer) {
                    steps.add("outer deadline");
                }
                EventLoop.sleep(Duration.ofMillis(1)); // outside the scope: waits as usual
                return "after the outer scope";
            });
            assertEquals("after the outer scope", outcome.join());
            assertEquals(List.of("inner handler", "outer deadline"), steps);
        }
    }

    /**
     * The same when the inner and the outer deadline fire in one turn of the loop (it was busy past both): the
     * inner scope, ending, does not take the outer deadline with it.
     */
    @Test
    void anOuterDeadlineThatFiresInTheSameTurnAsAnInnerOneStillStrikes() {
        try (EventLoop loop = new EventLoop("nested-same-turn")) {
            List<String> steps = new ArrayList<>();
            CompletableFuture<String> outcome = loop.submit(() -> {
                long entered = System.nanoTime();
                try {
                    return EventLoop.withTimeout(Duration.ofMillis(30), () -> {
                        try {
                            EventLoop.withTimeout(Duration.ofMillis(5), () -> {
                                EventLoop.current().spawn("busy", () -> { // runs while this one sleeps
                                    while (System.nanoTime() - entered < Duration.ofMillis(100).toNanos()) {
                                        Thread.onSpinWait(); // the loop is busy until both deadlines have passed
                                    }
                                });
                                EventLoop.sleep(Duration.ofMinutes(10));
                            });
                        } catch (DeadlineExceededException meantForTheInner) {
                            steps.add("inner handler");
                        }
                        // bounds the test if the outer deadline was lost: this one says PT5S
                        EventLoop.withTimeout(Duration.ofSeconds(5), () -> EventLoop.sleep(Duration.ofMinutes(10)));
                        return "outer body ran on past its deadline";
                    });
                } catch (DeadlineExceededException outer) {
                    steps.add("outer deadline");
                    return outer.getMessage();
                }
            });
            assertEquals("timed out after PT0.03S", outcome.join());
            assertEquals(List.of("inner handler", "outer deadline"), steps);
        }
    }

    /**
     * A body's checked exception comes out of withTimeout as it is (a void body and one with a result), and out of
     * submit's future: socket code needs no wrapping.
     */
    @Test
    void theBodysCheckedExceptionsComeOutAsTheyAre() throws Exception {
        try (EventLoop loop = new EventLoop("checked")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> { }); // closes each connection at once
            String outcome = loop.submit(() -> {
                TcpSocket s = TcpSocket.connect(l.localAddress());
                String first, second;
                try {
                    EventLoop.withTimeout(Duration.ofMinutes(1), () -> s.readFully(ByteBuffer.allocate(4)));
                    first = "read?!";
                } catch (EOFException e) {
                    first = "EOF";
                }
                try {
                    second = "" + EventLoop.withTimeout(Duration.ofMinutes(1), () -> s.read(ByteBuffer.allocate(4)));
                } catch (IOException e) {
                    second = e.toString();
                }
                s.close();
                return first + ", then " + second;
            }).join();
            assertEquals("EOF, then -1", outcome);
            l.close();
            CompletableFuture<TcpSocket> refused = loop.submit(() -> TcpSocket.connect(l.localAddress()));
            CompletionException e = assertThrows(CompletionException.class, refused::join);
            assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
        }
    }

    @Test
    void aReadTimeoutRaisesSocketTimeoutException() throws Exception {
        try (EventLoop loop = new EventLoop("read-timeout")) {
            LinkedBlockingQueue<Throwable> got = new LinkedBlockingQueue<>();
            Listener l = loop.serve(ANY_LOOPBACK, socket -> {
                for (Runnable negative : List.<Runnable>of(() -> socket.setReadTimeout(Duration.ofMillis(-30)),
                        () -> socket.setWriteTimeout(Duration.ofNanos(-1)))) {
                    try {
                        negative.run();
                        got.add(new AssertionError("a negative timeout was taken"));
                    } catch (IllegalArgumentException refused) {
                        // as Socket.setSoTimeout: not silently "none"
                    }
                }
                socket.setReadTimeout(Duration.ofMillis(30));
                try {
                    socket.read(ByteBuffer.allocate(10));
                } catch (SocketTimeoutException e) {
                    got.add(e);
                }
            });
            try (Socket client = new Socket("127.0.0.1", l.localAddress().getPort())) {
                Throwable e = got.take();
                assertTrue(e instanceof SocketTimeoutException, String.valueOf(e));
                // names the operation and the peer, as the client's end sees it
                assertEquals("read from /127.0.0.1:" + client.getLocalPort() + " timed out", e.getMessage());
                assertEquals(-1, client.getInputStream().read()); // and the handler's end closed the socket
            }
        }
    }

    @Test
    void timeOperationsOutsideALoopAreRefused() {
        assertThrows(IllegalStateException.class, () -> EventLoop.sleep(Duration.ofMillis(1)));
    }


    @Test
    void withTimeoutOrNullAnswersItsOwnDeadlineWithNullAndLetsAnOuterOneThrough() throws Exception {
        try (EventLoop loop = new EventLoop("or-null")) {
            String outcome = loop.submit(() -> {
                int missed = 0;
                try {
                    return EventLoop.withTimeout(Duration.ofMillis(300), () -> { // the session
                        int own = 0;
                        for (;;) { // a retry loop whose handling of its own timeout never waits
                            String r = EventLoop.withTimeoutOrNull(Duration.ofMillis(20),
                                    () -> {
                                        EventLoop.sleep(Duration.ofSeconds(10));
                                        return "slept";
                                    });
                            if (r != null) return r;
                            if (++own > 100_000) return "spun past the session's deadline";
                        }
                    });
                } catch (DeadlineExceededException session) {
                    return "session ended: " + session.getMessage();
                }
            }).get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("session ended: timed out after PT0.3S", outcome);
            assertEquals("quick", loop.submit(() -> EventLoop.withTimeoutOrNull(Duration.ofSeconds(5), () -> "quick"))
                    .get(15, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    /**
     * A deadline that falls due while the coroutine waits in the run queue after {@code yieldNow()} is thrown by
     * that yield (as Kotlin's {@code yield()} resumes with the cancellation): a yield was handed nothing that the
     * deadline would undo. The loop cannot fire the timer while the body spins, so it fires just after the yield.
     */
    @Test
    void aDeadlineThatFallsDueWhileQueuedAfterAYieldIsThrownByTheYield() {
        try (EventLoop loop = new EventLoop("yield-deadline")) {
            String r = loop.submit(() -> {
                StringBuilder b = new StringBuilder();
                try {
                    EventLoop.withTimeout(Duration.ofMillis(20), () -> {
                        spin(Duration.ofMillis(60));
                        EventLoop.yieldNow();
                        b.append("ran on after the deadline; ");
                        EventLoop.yieldNow();
                    });
                    b.append("returned");
                } catch (DeadlineExceededException e) {
                    b.append("timed out");
                }
                return b.toString();
            }).join();
            assertEquals("timed out", r);
        }
    }

    /** Keeps the loop's thread busy for {@code d}: no timer fires meanwhile. */
    static void spin(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) Thread.onSpinWait();
    }
}
