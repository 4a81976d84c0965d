package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.DeadlineExceededException;
import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Listener;
import dev.spindle.io.SocketInput;
import dev.spindle.io.TcpServer;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Shutdown stops accepting, lets in-flight work finish within the grace period, then closes the rest. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShutdownTest {
    @Test
    void inFlightRequestsFinishAndNewConnectionsAreRefused() throws Exception {
        CountDownLatch requestRead = new CountDownLatch(1);
        CountDownLatch mayAnswer = new CountDownLatch(1);
        EventLoop loop = new EventLoop("graceful");
        Listener l = loop.serve(ANY_LOOPBACK, socket -> {
            String line = new SocketInput(socket, 256).readLine(200);
            requestRead.countDown();
            EventLoop.blocking(() -> {
                mayAnswer.await();
                return null;
            });
            socket.writeAll(ByteBuffer.wrap(("done " + line + "\n").getBytes(StandardCharsets.US_ASCII)));
        });
        int port = l.localAddress().getPort();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write("work\n".getBytes(StandardCharsets.US_ASCII));
            requestRead.await();
            loop.shutdown(Duration.ofSeconds(30));
            IoSupport.eventually(() -> !l.isOpen());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
            mayAnswer.countDown();
            assertEquals("done work\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        loop.termination().join(); // the last coroutine ended: no need to wait out the grace period
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
    }

    /**
     * The JDK closes a registered channel's socket only when the selector lets go of it, at the loop's next
     * select: until then the system still completes connections. A listener says it is closed only after that,
     * so a connection attempt made once it says so is refused, however busy the loop was after the close.
     */
    /**
     * shutdown() returns once the ports refuse connections, however busy the loop is: for a loop and for a
     * group, whose loops all stop at once.
     */
    @Test
    void connectionsAreRefusedAsSoonAsShutdownReturns() throws Exception {
        for (int i = 0; i < 3; i++) {
            EventLoopGroup group = new EventLoopGroup(2);
            EventLoop loop = new EventLoop("refusing");
            Listener l1 = group.serve(ANY_LOOPBACK, socket -> EventLoop.sleep(Duration.ofSeconds(10)));
            Listener l2 = loop.serve(ANY_LOOPBACK, socket -> EventLoop.sleep(Duration.ofSeconds(10)));
            for (EventLoop busy : List.of(group.loops().get(0), loop)) busy.execute(() -> spin(100));
            CompletableFuture<Void> groupEnd = group.shutdown(Duration.ofMillis(200));
            CompletableFuture<Void> loopEnd = loop.shutdown(Duration.ofMillis(200));
            for (Listener l : List.of(l1, l2)) {
                assertFalse(l.isOpen());
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", l.localAddress().getPort()).close());
            }
            groupEnd.get(10, TimeUnit.SECONDS);
            loopEnd.get(10, TimeUnit.SECONDS);
        }
    }

    private static void spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - end < 0) Thread.onSpinWait();
    }

    /** A server of one's own (TcpServer.accept in a loop) stops accepting at the shutdown, like serve()'s. */
    @Test
    void aTcpServerOfTheLoopStopsAcceptingAtTheShutdown() throws Exception {
        EventLoop loop = new EventLoop("own-server");
        TcpServer server = TcpServer.bind(loop, ANY_LOOPBACK, 0);
        int port = server.localAddress().getPort();
        CountDownLatch first = new CountDownLatch(1);
        CompletableFuture<Void> accepting = loop.submit(() -> {
            for (;;) {
                server.accept().close();
                first.countDown();
            }
        });
        new Socket("127.0.0.1", port).close();
        first.await();
        loop.shutdown(Duration.ofSeconds(30));
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        ExecutionException e = assertThrows(ExecutionException.class, () -> accepting.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof AsynchronousCloseException, e.toString());
        loop.termination().get(10, TimeUnit.SECONDS); // its only coroutine ended: not held for the grace period
        assertThrows(RejectedExecutionException.class, () -> TcpServer.bind(loop, ANY_LOOPBACK, 0));
    }

    /**
     * Past the grace period a coroutine is cancelled at every suspension, not only the one it waited in, so a
     * finally block that waits does not strand the blocks around it (Kotlin's rule for a cancelled coroutine).
     */
    @Test
    void pastTheGraceEverySuspensionThrowsSoOuterFinallyBlocksRun() throws Exception {
        EventLoop loop = new EventLoop("finally");
        List<String> ran = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> f = loop.submit(() -> {
            try {
                try {
                    started.countDown();
                    EventLoop.sleep(Duration.ofSeconds(30));
                } finally {
                    ran.add("inner");
                    EventLoop.sleep(Duration.ofSeconds(30));
                    ran.add("after the inner sleep");
                }
            } finally {
                ran.add("outer");
            }
            return null;
        });
        started.await();
        loop.shutdown(Duration.ofMillis(50)).get(10, TimeUnit.SECONDS);
        assertThrows(CancellationException.class, () -> f.get(1, TimeUnit.SECONDS));
        assertEquals(List.of("inner", "outer"), ran);
    }

    /**
     * Past the grace, blocking work is not started for a coroutine that could not wait for it: it would run while
     * its caller is told it was cancelled. So with work after a withTimeout's deadline.
     */
    @Test
    void pastTheGraceOrADeadlineBlockingWorkIsNotStarted() throws Exception {
        EventLoop loop = new EventLoop("no-late-work");
        AtomicInteger ran = new AtomicInteger(), refused = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> f = loop.submit(() -> {
            try {
                EventLoop.withTimeout(Duration.ofMillis(1), () -> {
                    try {
                        EventLoop.sleep(Duration.ofSeconds(30));
                    } catch (DeadlineExceededException caught) {
                        tryBlocking(ran, refused);
                    }
                });
            } catch (DeadlineExceededException expected) {
                // the deadline, thrown again by blocking
            }
            try {
                started.countDown();
                EventLoop.sleep(Duration.ofSeconds(30));
            } finally {
                for (int i = 0; i < 20; i++) tryBlocking(ran, refused);
            }
            return null;
        });
        started.await();
        loop.shutdown(Duration.ofMillis(50)).get(10, TimeUnit.SECONDS);
        assertThrows(CancellationException.class, () -> f.get(1, TimeUnit.SECONDS));
        assertEquals(21, refused.get());
        assertEquals(0, ran.get(), "work ran for a caller told it was cancelled");
    }

    @dev.spindle.Suspendable
    private static void tryBlocking(AtomicInteger ran, AtomicInteger refused) {
        try {
            EventLoop.blocking(() -> ran.incrementAndGet());
        } catch (CancellationException | DeadlineExceededException late) {
            refused.incrementAndGet();
        }
    }

    /** A TcpServer bound while the shutdown begins is closed too, or refused: none listens once it returns. */
    @Test
    void aServerBoundAsTheShutdownBeginsDoesNotListenOnceItReturns() throws Exception {
        for (int round = 0; round < 5; round++) {
            EventLoop loop = new EventLoop("bind-race");
            CompletableFuture<Void> hold = new CompletableFuture<>();
            loop.spawn(() -> EventLoop.await(hold)); // keeps it in its grace period
            List<TcpServer> bound = new java.util.concurrent.CopyOnWriteArrayList<>();
            CountDownLatch binding = new CountDownLatch(1);
            Thread binder = new Thread(() -> {
                try {
                    for (;;) {
                        bound.add(TcpServer.bind(loop, ANY_LOOPBACK, 0));
                        binding.countDown();
                    }
                } catch (RejectedExecutionException | java.io.IOException shuttingDown) {
                    binding.countDown();
                }
            });
            binder.start();
            binding.await();
            loop.shutdown(Duration.ofSeconds(30));
            binder.join();
            for (TcpServer s : bound) {
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", s.localAddress().getPort()).close(),
                        s + " of " + bound.size());
            }
            hold.complete(null);
            loop.termination().get(10, TimeUnit.SECONDS);
        }
    }

    /** One that catches every cancellation and waits again does not keep the loop from ending. */
    @Test
    void aCoroutineThatIgnoresItsCancellationDoesNotKeepTheLoopAlive() throws Exception {
        EventLoop loop = new EventLoop("stubborn");
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> f = loop.submit(() -> {
            started.countDown();
            for (;;) {
                try {
                    EventLoop.sleep(Duration.ofSeconds(30));
                } catch (CancellationException ignored) {
                    // and wait again
                }
            }
        });
        started.await();
        loop.shutdown(Duration.ofMillis(50)).get(10, TimeUnit.SECONDS);
        assertTrue(f.isCompletedExceptionally());
    }

    /** The loop's thread begins the shutdown in its next turn, but the caller sees it called at once. */
    @Test
    void aLoopSaysItIsShuttingDownAsSoonAsShutdownReturns() {
        for (int i = 0; i < 3; i++) { // each shutdown() waits a second for the loop, which is held up
            EventLoop loop = new EventLoop("flag-" + i);
            CountDownLatch hold = new CountDownLatch(1);
            loop.execute(() -> {
                try {
                    hold.await(); // the loop's thread is busy: it cannot have begun the shutdown yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertFalse(loop.isShuttingDown());
            loop.shutdown(Duration.ofSeconds(5));
            assertTrue(loop.isShuttingDown());
            hold.countDown();
            loop.close();
            assertTrue(loop.isShuttingDown());
        }
    }

    /** What a loop accepted while it shut down runs, or is refused: a future that never completes is neither. */
    @Test
    void workSubmittedWhileTheLoopShutsDownRunsOrIsRefused() throws Exception {
        EventLoop loop = new EventLoop("grace");
        CountDownLatch lastCoroutineBusy = new CountDownLatch(1);
        CountDownLatch submitted = new CountDownLatch(1);
        CompletableFuture<Void> go = new CompletableFuture<>();
        loop.submit(() -> {
            EventLoop.await(go);
            lastCoroutineBusy.countDown();
            submitted.await(); // the loop's last coroutine: it ends once the work is queued
            return null;
        });
        loop.shutdown(Duration.ofSeconds(10));
        go.complete(null); // its wake-up is queued behind the shutdown's first step
        lastCoroutineBusy.await();
        CompletableFuture<Integer> duringGrace = loop.submit(() -> 42);
        submitted.countDown();
        assertEquals(42, duringGrace.get(10, TimeUnit.SECONDS));
        loop.termination().get(10, TimeUnit.SECONDS);

        for (int round = 0; round < 50; round++) {
            EventLoop racing = new EventLoop("race-" + round);
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            Thread submitter = new Thread(() -> {
                try {
                    for (;;) futures.add(racing.submit(() -> 1));
                } catch (RejectedExecutionException terminated) {
                    // the end of this round
                }
            });
            submitter.start();
            racing.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
            submitter.join();
            for (CompletableFuture<Integer> f : futures) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | java.util.concurrent.CancellationException refusedOrCancelled) {
                    // completed: fine
                }
            }
        }
    }

    /**
     * The end of the grace period and a coroutine's deadline fall due in one turn (the loop was busy past both):
     * the deadline comes first, and the shutdown's cancellation still reaches the coroutine at its next wait, so
     * the finally around that wait runs before the loop ends.
     */
    @Test
    void aShutdownThatFallsDueWithADeadlineStillCancelsTheCoroutine() throws Exception {
        EventLoop loop = new EventLoop("deadline-and-grace");
        List<String> steps = java.util.Collections.synchronizedList(new ArrayList<>());
        dev.spindle.io.Task t = loop.spawn(() -> {
            EventLoop.current().spawn("busy", () -> { // runs once the other one waits, its deadline set
                // shut down only now, so that the grace period ends after the deadline however long this call
                // takes (61 ms under -Xcomp, where it compiles as it goes)
                EventLoop.current().shutdown(Duration.ofMillis(20));
                long shutDown = System.nanoTime();
                while (System.nanoTime() - shutDown < Duration.ofMillis(200).toNanos()) {
                    Thread.onSpinWait(); // the loop is busy until the deadline and the grace period have passed
                }
            });
            try {
                EventLoop.withTimeout(Duration.ofMillis(10), () -> EventLoop.sleep(Duration.ofMinutes(10)));
            } catch (dev.spindle.io.DeadlineExceededException e) {
                steps.add("deadline");
            }
            try {
                EventLoop.sleep(Duration.ofMinutes(10));
                steps.add("slept?!");
            } catch (java.util.concurrent.CancellationException e) {
                steps.add("cancelled");
            } finally {
                steps.add("finally");
            }
        });
        loop.termination().get(10, TimeUnit.SECONDS);
        assertTrue(t.isDone());
        assertEquals(List.of("deadline", "cancelled", "finally"), steps);
    }

    /** serve() once the shutdown has begun is refused, naming the loop, rather than giving a closed listener. */
    @Test
    void serveDuringTheGracePeriodIsRefused() throws Exception {
        EventLoop loop = new EventLoop("serve-late");
        CompletableFuture<Void> release = new CompletableFuture<>();
        loop.submit(() -> EventLoop.await(release)); // keeps the loop in its grace period
        loop.shutdown(Duration.ofSeconds(30));
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                () -> loop.serve(ANY_LOOPBACK, socket -> { }));
        assertEquals("cannot serve on serve-late: the loop is shutting down", e.getMessage());
        release.complete(null);
        loop.termination().get(10, TimeUnit.SECONDS);
        e = assertThrows(RejectedExecutionException.class, () -> loop.serve(ANY_LOOPBACK, socket -> { }));
        assertEquals("cannot serve on serve-late: the loop has terminated", e.getMessage());
    }

    @Test
    void aListenerSaysItIsClosedOnlyOnceConnectionsAreRefused() throws Exception {
        try (EventLoop loop = new EventLoop("busy")) {
            Listener l = loop.serve(ANY_LOOPBACK, socket -> { });
            int port = l.localAddress().getPort();
            CountDownLatch closed = new CountDownLatch(1);
            loop.execute(() -> {
                l.close();
                closed.countDown();
                long end = System.nanoTime() + 200_000_000L;
                while (System.nanoTime() - end < 0) Thread.onSpinWait(); // busy before the loop's next select
            });
            closed.await();
            IoSupport.eventually(() -> !l.isOpen());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        }
    }

    @Test
    void afterTheGracePeriodIdleConnectionsAreClosed() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            Set<String> closed = ConcurrentHashMap.newKeySet();
            Listener l = group.serve(ANY_LOOPBACK, socket -> {
                try {
                    socket.read(ByteBuffer.allocate(10)); // a peer that never sends
                } finally {
                    closed.add(socket.peer());
                }
            });
            Socket[] clients = new Socket[4];
            for (int i = 0; i < clients.length; i++) clients[i] = new Socket("127.0.0.1", l.localAddress().getPort());
            IoSupport.eventually(() -> group.liveTasks() == 1 + clients.length);
            group.shutdown(Duration.ofMillis(50)).join();
            for (Socket c : clients) {
                assertEquals(-1, c.getInputStream().read());
                c.close();
            }
            assertEquals(clients.length, closed.size());
            assertTrue(group.loops().stream().allMatch(lp -> lp.termination().isDone()));
        }
    }

    @Test
    void connectionsAreSpreadOverTheLoopsOfAGroup() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            Listener l = group.serve(ANY_LOOPBACK, socket -> socket.writeAll(
                    ByteBuffer.wrap(Thread.currentThread().getName().getBytes(StandardCharsets.US_ASCII))));
            Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 6; i++) {
                try (Socket c = new Socket("127.0.0.1", l.localAddress().getPort())) {
                    threads.add(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                }
            }
            assertEquals(Set.of("spindle-0", "spindle-1"), threads);
        }
    }

    /** close() of a group from a coroutine of one of its loops is refused (it would wait for itself), as a loop's is. */
    @Test
    void aGroupRefusesCloseFromItsOwnCoroutine() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            for (EventLoop loop : group.loops()) {
                Throwable e = loop.submit(() -> {
                    group.close();
                    return "closed?!";
                }).handle((v, x) -> x != null ? x : new AssertionError(v)).get(10, TimeUnit.SECONDS);
                assertTrue(e instanceof IllegalStateException && e.getMessage().contains("would wait for itself"),
                        String.valueOf(e));
            }
            assertEquals("still running", group.next().submit(() -> "still running").get(10, TimeUnit.SECONDS));
        }
    }

    /** close() of a loop from its own coroutine is refused with advice, and no shutdown begins. */
    @Test
    void aLoopRefusesCloseFromItsOwnCoroutine() throws Exception {
        try (EventLoop loop = new EventLoop("self-close")) {
            Throwable e = loop.submit(() -> {
                loop.close();
                return "closed?!";
            }).handle((v, x) -> x != null ? x : new AssertionError(v)).get(10, TimeUnit.SECONDS);
            assertTrue(e instanceof IllegalStateException && e.getMessage().contains("self-close")
                    && e.getMessage().contains("shutdown(grace)"), String.valueOf(e));
            assertFalse(loop.isShuttingDown());
            assertEquals("still running", loop.submit(() -> "still running").get(10, TimeUnit.SECONDS));
        }
    }

    /** The end of the grace period while a coroutine waits in the run queue after a yield: thrown by that yield. */
    @Test
    void theEndOfTheGracePeriodWhileQueuedAfterAYieldIsThrownByTheYield() throws Exception {
        EventLoop loop = new EventLoop("yield-grace");
        CompletableFuture<Void> spinning = new CompletableFuture<>();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        loop.spawn(() -> {
            try {
                spinning.complete(null);
                TimeTest.spin(Duration.ofMillis(200));
                EventLoop.yieldNow();
                outcome.complete("ran on past the grace period");
            } catch (CancellationException e) {
                outcome.complete("cancelled at the yield");
            }
        });
        spinning.join();
        loop.shutdown(Duration.ofMillis(10)); // returns within a second even though the loop is busy
        loop.termination().get(10, TimeUnit.SECONDS);
        assertEquals("cancelled at the yield", outcome.getNow("no outcome"));
    }

    /**
     * What a submitted coroutine's future runs does not count it as live: not for one still alive when the loop
     * ends (it ignores every cancellation), nor for one refused past the grace period.
     */
    @Test
    void whatASubmittedFutureRunsNoLongerCountsItsCoroutine() throws Exception {
        EventLoop loop = new EventLoop("submitted-counted");
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> started = new CompletableFuture<>();
        CompletableFuture<Object> stubborn = loop.submit(() -> {
            started.complete(null);
            while (!stop.get()) {
                try {
                    TimeTest.spin(Duration.ofMillis(5)); // the loop's inbox is read between turns
                    EventLoop.yieldNow();
                } catch (CancellationException ignoredOnPurpose) {
                    // keeps the loop in its forced turns
                }
            }
            for (;;) {
                try {
                    EventLoop.yieldNow();
                } catch (CancellationException ignoredOnPurpose) {
                    // left to the loop's end
                }
            }
        });
        CompletableFuture<Integer> liveWhenItEnded = stubborn.handle((v, e) -> loop.liveTasks());
        started.get(10, TimeUnit.SECONDS); // a start still queued when the grace period ends would be refused
        loop.shutdown(Duration.ofMillis(1));
        for (;;) { // until one is refused: the loop sees the end of the grace period a turn after it
            CompletableFuture<Object> late = loop.submit(() -> "late");
            CompletableFuture<Integer> live = late.handle((v, e) -> loop.liveTasks());
            int seen = live.get(10, TimeUnit.SECONDS);
            Throwable outcome = late.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
            if (!(outcome instanceof RejectedExecutionException)) continue; // started, then run or cancelled
            assertEquals(1, seen, "only the stubborn coroutine, not the refused one");
            break;
        }
        stop.set(true);
        loop.termination().get(20, TimeUnit.SECONDS);
        assertEquals(0, liveWhenItEnded.get(10, TimeUnit.SECONDS));
    }
}
