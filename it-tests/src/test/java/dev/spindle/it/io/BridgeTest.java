package dev.spindle.it.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableCallable;
import dev.spindle.io.DeadlineExceededException;
import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** await and blocking: suspended while others run, resumed on the coroutine's own loop. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BridgeTest {
    /**
     * Blocking a loop's thread on a future of that loop's own work would hang it for ever: refused, saying to
     * await instead. Another loop's work, or work already done, may be waited for.
     */
    @Test
    void waitingOnALoopsOwnThreadForItsOwnWorkIsRefused() throws Exception {
        try (EventLoop loop = new EventLoop("self"); EventLoop other = new EventLoop("other")) {
            List<String> outcomes = loop.submit(() -> {
                List<String> out = new ArrayList<>();
                CompletableFuture<String> mine = loop.submit(() -> "mine");
                List<java.util.concurrent.Callable<?>> waits = List.of(mine::join, mine::get,
                        () -> mine.get(1, TimeUnit.SECONDS), () -> mine.thenApply(String::length).join(),
                        () -> loop.spawn(() -> { }).completion().join(), () -> loop.dump().join(),
                        () -> loop.termination().join());
                for (java.util.concurrent.Callable<?> wait : waits) {
                    try {
                        out.add("waited: " + wait.call());
                    } catch (IllegalStateException refused) {
                        out.add(refused.getMessage().contains("EventLoop.await") ? "refused" : refused.getMessage());
                    }
                }
                out.add("awaited " + EventLoop.await(mine) + ", then " + mine.join()); // done: no wait
                out.add("other loop's " + other.submit(() -> "work").join()); // not this loop's: it goes on
                return out;
            }).get(10, TimeUnit.SECONDS);
            List<String> expected = new ArrayList<>(java.util.Collections.nCopies(7, "refused"));
            expected.add("awaited mine, then mine");
            expected.add("other loop's work");
            assertEquals(expected, outcomes);
        }
        EventLoopGroup group = new EventLoopGroup(2);
        String fromAction = group.loops().get(1).submit(() -> {
            try {
                group.shutdown(Duration.ofSeconds(5)).join();
                return "waited";
            } catch (IllegalStateException refused) {
                return refused.getMessage();
            }
        }).get(10, TimeUnit.SECONDS);
        assertTrue(fromAction.startsWith("join() on ") && fromAction.contains("EventLoop.await"), fromAction);
        group.close();
    }

    /** The loop's suspending operations outside one of its coroutines: refused, naming the operation. */
    @Test
    void loopOperationsOutsideALoopCoroutineAreRefusedNamingThem() {
        IllegalStateException plainThread = assertThrows(IllegalStateException.class,
                () -> EventLoop.blocking(() -> 1));
        assertTrue(plainThread.getMessage().startsWith("cannot call EventLoop.blocking here"), plainThread.getMessage());
        Coroutine plainCoroutine = new Coroutine(() -> EventLoop.sleep(Duration.ofMillis(1)));
        IllegalStateException inCoroutine = assertThrows(IllegalStateException.class, plainCoroutine::resume);
        assertTrue(inCoroutine.getMessage().startsWith("cannot call EventLoop.sleep here"), inCoroutine.getMessage());
        assertTrue(inCoroutine.getMessage().contains("EventLoop.spawn"), inCoroutine.getMessage());
    }

    /**
     * A socket's operations from another loop's coroutine or from a plain thread: refused, naming the operation
     * and the socket, even those that would not have had to wait (a write with room in the send buffer).
     */
    @Test
    void socketOperationsFromElsewhereAreRefusedNamingTheSocket() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2, "elsewhere", java.util.concurrent.Executors.newFixedThreadPool(1));
             java.net.ServerSocket peerServer = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            EventLoop home = group.loops().get(0), other = group.loops().get(1);
            dev.spindle.io.TcpSocket s = home.submit(() -> dev.spindle.io.TcpSocket.connect(
                    peerServer.getLocalSocketAddress())).join();
            dev.spindle.io.TcpServer server = dev.spindle.io.TcpServer.bind(home, IoSupport.ANY_LOOPBACK, 0);
            dev.spindle.io.UdpSocket udp = dev.spindle.io.UdpSocket.bind(home, IoSupport.ANY_LOOPBACK);
            try (java.net.Socket peer = peerServer.accept()) {
                java.util.List<String> fromOtherLoop = other.submit(() -> {
                    java.util.List<String> m = new java.util.ArrayList<>();
                    java.util.List<dev.spindle.io.IoRunnable<java.io.IOException>> ops = java.util.List.of(
                            () -> s.read(java.nio.ByteBuffer.allocate(10)),
                            () -> s.writeAll(java.nio.ByteBuffer.wrap("x".getBytes())), // room: no wait
                            () -> server.accept(),
                            () -> udp.receive(java.nio.ByteBuffer.allocate(10)),
                            () -> udp.send(java.nio.ByteBuffer.wrap("x".getBytes()), udp.localAddress()));
                    for (dev.spindle.io.IoRunnable<java.io.IOException> op : ops) {
                        try {
                            op.run();
                            m.add("went through");
                        } catch (IllegalStateException e) {
                            m.add(e.getMessage().replaceAll("task-\\d+", "task-N"));
                        }
                    }
                    return m;
                }).join();
                String where = " in elsewhere-1-task-N, a coroutine of elsewhere-1: the channel belongs to elsewhere-0,"
                        + " and a socket stays on its loop (hand the work to a coroutine of elsewhere-0)";
                assertEquals(java.util.List.of("cannot read from " + s.peer() + where,
                        "cannot write to " + s.peer() + where,
                        "cannot accept on " + server.localAddress() + where,
                        "cannot receive on " + udp.localAddress() + where,
                        "cannot send to " + udp.localAddress() + where), fromOtherLoop);
                IllegalStateException plain = assertThrows(IllegalStateException.class,
                        () -> s.writeAll(java.nio.ByteBuffer.wrap("x".getBytes())));
                assertTrue(plain.getMessage().startsWith("cannot write to " + s.peer() + " here: only a coroutine of an"
                        + " EventLoop can"), plain.getMessage());
                plain = assertThrows(IllegalStateException.class, () -> s.read(java.nio.ByteBuffer.allocate(10)));
                assertTrue(plain.getMessage().startsWith("cannot read from " + s.peer() + " here"), plain.getMessage());
            }
        }
    }

    @Test
    void awaitResumesOnTheLoopWhateverThreadCompletes() {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            for (EventLoop loop : group.loops()) {
                CompletableFuture<String> later = new CompletableFuture<>();
                CompletableFuture<Thread> resumedOn = loop.submit(() -> {
                    String v = EventLoop.await(later);
                    assertEquals("value", v);
                    return Thread.currentThread();
                });
                new Thread(() -> later.complete("value")).start();
                assertSame(loop.thread(), resumedOn.join());
            }
        }
    }

    @Test
    void awaitRethrowsTheCause() {
        try (EventLoop loop = new EventLoop("await-fail")) {
            CompletableFuture<String> failing = new CompletableFuture<>();
            CompletableFuture<String> f = loop.submit(() -> {
                try {
                    return EventLoop.await(failing);
                } catch (IllegalArgumentException e) {
                    return "caught " + e.getMessage();
                }
            });
            failing.completeExceptionally(new IllegalArgumentException("no"));
            assertEquals("caught no", f.join());
        }
    }

    /** A cancellation comes out of await as the future holds it, on every JDK (from 23 getNow wraps it). */
    @Test
    void awaitRethrowsTheFuturesOwnCancellation() {
        try (EventLoop loop = new EventLoop("await-cancelled")) {
            for (boolean waits : new boolean[] {true, false}) {
                CompletableFuture<String> cancelled = new CompletableFuture<>();
                CancellationException mine = new CancellationException("mine");
                if (!waits) cancelled.completeExceptionally(mine);
                CompletableFuture<Object> f = loop.submit(() -> {
                    try {
                        return EventLoop.await(cancelled);
                    } catch (CancellationException e) {
                        return e;
                    }
                });
                if (waits) cancelled.completeExceptionally(mine);
                assertSame(mine, f.join());
            }
        }
    }

    /** A stage that offers no CompletableFuture (toCompletableFuture is optional): awaited through its callback. */
    @Test
    void awaitAStageThatOffersNoCompletableFuture() {
        try (EventLoop loop = new EventLoop("await-stage")) {
            CompletableFuture<String> behind = new CompletableFuture<>();
            CompletionStage<String> stage = (CompletionStage<String>) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {CompletionStage.class}, (proxy, method, args) -> {
                        if (method.getName().equals("toCompletableFuture")) throw new UnsupportedOperationException();
                        return method.invoke(behind, args);
                    });
            CompletableFuture<String> f = loop.submit(() -> EventLoop.await(stage) + " on " + Thread.currentThread().getName());
            new Thread(() -> behind.complete("value")).start();
            assertEquals("value on " + loop.thread().getName(), f.join());
        }
    }

    @Test
    void blockingRunsOnAWorkerWhileTheLoopServesOthers() {
        try (EventLoop loop = new EventLoop("blocking")) {
            CountDownLatch otherRan = new CountDownLatch(1);
            AtomicReference<Thread> worker = new AtomicReference<>();
            CompletableFuture<Thread> f = loop.submit(() -> {
                String r = EventLoop.blocking(() -> {
                    worker.set(Thread.currentThread());
                    otherRan.await(); // only returns if the loop runs another coroutine meanwhile
                    return "slow result";
                });
                assertEquals("slow result", r);
                return Thread.currentThread();
            });
            loop.spawn(() -> otherRan.countDown());
            assertSame(loop.thread(), f.join());
            assertNotSame(loop.thread(), worker.get());
        }
    }

    @Test
    void blockingWorkWithNoResultMayThrowCheckedExceptions() {
        try (EventLoop loop = new EventLoop("blocking-void")) {
            AtomicReference<Thread> worker = new AtomicReference<>();
            CompletableFuture<String> f = loop.submit(() -> {
                EventLoop.blocking(() -> Thread.sleep(1)); // void, and throws InterruptedException
                EventLoop.blocking(() -> worker.set(Thread.currentThread()));
                try {
                    EventLoop.blocking(() -> {
                        throw new java.io.IOException("disk");
                    });
                    return "no exception?!";
                } catch (Exception e) {
                    return e.getClass().getSimpleName() + " " + e.getMessage();
                }
            });
            assertEquals("IOException disk", f.join());
            assertNotSame(loop.thread(), worker.get());
        }
    }

    @Test
    void blockingCutShortByATimeoutInterruptsTheWorker() throws Exception {
        try (EventLoop loop = new EventLoop("blocking-timeout")) {
            CountDownLatch interrupted = new CountDownLatch(1);
            CompletableFuture<String> f = loop.submit(() -> {
                try {
                    return EventLoop.withTimeout(Duration.ofMillis(20), () -> EventLoop.blocking(() -> {
                        try {
                            new CountDownLatch(1).await();
                        } catch (InterruptedException e) {
                            interrupted.countDown();
                        }
                        return "never";
                    }));
                } catch (DeadlineExceededException e) {
                    return "timed out";
                }
            });
            assertEquals("timed out", f.join());
            interrupted.await();
        }
    }

    /** blocking() on a loop whose worker pool was shut down: the refusal names the loop and the call. */
    @Test
    void blockingOnAShutDownPoolIsRefusedNamingTheLoop() {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
        pool.shutdown();
        try (EventLoop loop = new EventLoop("dead-pool", pool)) {
            String msg = loop.submit(() -> {
                try {
                    return "ran " + EventLoop.blocking(() -> 1) + "?!";
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    return e.getMessage();
                }
            }).join();
            assertTrue(msg.startsWith("EventLoop.blocking on dead-pool: the loop's worker pool refused the job"), msg);
        }
    }

    @Test
    void checkedExceptionsOfBlockingWorkComeOutUnchanged() {
        try (EventLoop loop = new EventLoop("blocking-fail")) {
            CompletableFuture<Object> f = loop.submit(() -> EventLoop.blocking(() -> {
                throw new java.io.FileNotFoundException("x");
            }));
            Throwable e = assertThrows(java.util.concurrent.CompletionException.class, f::join);
            assertTrue(e.getCause() instanceof java.io.FileNotFoundException, e.toString());
        }
    }

    /**
     * Only the CompletionException a future adds is taken off: one the code threw itself, or an
     * ExecutionException (from a Future.get() in blocking work, or a future failed with one), comes out as it is.
     */
    @Test
    void wrapperExceptionsTheCodeThrewItselfComeOutAsTheyAre() throws Exception {
        ExecutionException executionFailure = new ExecutionException("outer", new java.io.IOException("inner"));
        CompletionException completionFailure = new CompletionException("outer", new java.io.IOException("inner"));
        try (EventLoop loop = new EventLoop("wrappers")) {
            List<SuspendableCallable<Object>> bodies = List.of(
                    () -> EventLoop.blocking(() -> CompletableFuture.failedFuture(executionFailure.getCause()).get()),
                    () -> EventLoop.blocking(() -> {
                        throw completionFailure;
                    }),
                    () -> EventLoop.await(CompletableFuture.failedFuture(executionFailure)),
                    () -> EventLoop.await(CompletableFuture.supplyAsync(() -> {
                        throw new IllegalArgumentException("dependent");
                    }).thenApply(v -> v)));
            List<String> caught = new ArrayList<>();
            for (SuspendableCallable<Object> body : bodies) {
                caught.add(loop.submit(() -> {
                    try {
                        return "no exception: " + body.call();
                    } catch (Exception e) {
                        return e == executionFailure ? "the ExecutionException"
                                : e == completionFailure ? "the CompletionException" : e.toString();
                    }
                }).get(10, TimeUnit.SECONDS).toString());
            }
            assertEquals(List.of("java.util.concurrent.ExecutionException: java.io.IOException: inner",
                    "the CompletionException", "the ExecutionException",
                    "java.lang.IllegalArgumentException: dependent"), caught);
            CompletableFuture<Object> submitted = loop.submit(() -> {
                throw executionFailure;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> submitted.get(10, TimeUnit.SECONDS));
            assertSame(executionFailure, e.getCause());
        }
    }

    @Test
    void coroutinesSpawnedFromAnotherThreadAreCountedAliveAtOnce() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(1)) {
            EventLoop loop = group.next();
            CountDownLatch busy = new CountDownLatch(1), release = new CountDownLatch(1);
            loop.execute(() -> { // holds the loop's thread: the starts below wait in its inbox
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            busy.await();
            for (int i = 0; i < 10; i++) loop.spawn(() -> EventLoop.sleep(Duration.ofMillis(1)));
            loop.submit(() -> 1);
            assertEquals(11, loop.liveTasks());
            assertEquals(11, group.liveTasks());
            release.countDown();
            IoSupport.eventually(() -> loop.liveTasks() == 0);
        }
    }

    /** A submitted coroutine's future completes once it has ended, not while it still counts as live. */
    @Test
    void aSubmittedCoroutineIsNoLongerLiveOnceItsFutureCompletes() throws Exception {
        try (EventLoop loop = new EventLoop("submitted-ends")) {
            for (int i = 0; i < 500; i++) {
                int round = i;
                assertEquals(round, loop.submit(() -> EventLoop.blocking(() -> round)).join());
                assertEquals(0, loop.liveTasks(), "round " + i);
                loop.submit(() -> round).join();
                assertEquals(0, loop.liveTasks(), "round " + i + ", without waiting");
            }
            CompletableFuture<Object> failed = loop.submit(() -> {
                throw new java.io.IOException("failed on purpose (this test)");
            });
            assertThrows(CompletionException.class, failed::join);
            assertEquals(0, loop.liveTasks());
        }
    }

    @Test
    void executeFromAnotherThreadWakesASleepingLoop() throws Exception {
        try (EventLoop loop = new EventLoop("wake")) {
            loop.submit(() -> null).join(); // now idle in select, with no timer
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            loop.execute(() -> ran.complete(Thread.currentThread()));
            assertSame(loop.thread(), ran.join());
        }
    }

    /**
     * A coroutine that restores the interrupt status (after catching InterruptedException), or another thread
     * that interrupts the loop's thread: the loop clears it (a status left set makes every select return at once),
     * and the coroutines that run later do not see it.
     */
    @Test
    void anInterruptOfTheLoopThreadIsClearedAndReachesNoOtherCoroutine() throws Exception {
        try (EventLoop loop = new EventLoop("interrupted")) {
            assertEquals(true, loop.submit(() -> {
                Thread.currentThread().interrupt();
                return Thread.currentThread().isInterrupted(); // its own status, while it runs
            }).join());
            assertEquals(false, loop.submit(() -> Thread.currentThread().isInterrupted()).join());
            loop.thread().interrupt(); // the loop is idle in select, with no timer
            IoSupport.eventually(() -> !loop.thread().isInterrupted()); // cleared with no work to do
            assertEquals(false, loop.submit(() -> {
                EventLoop.sleep(Duration.ofMillis(1));
                return Thread.currentThread().isInterrupted();
            }).join());
        }
    }

    @Test
    void anActionThatThrowsAnErrorIsLoggedAndTheLoopGoesOn() throws Exception {
        try (EventLoop loop = new EventLoop("action-error")) {
            loop.execute(() -> {
                throw new AssertionError("an assertion in an action, for the test (expected in the log)");
            });
            assertEquals("alive", loop.submit(() -> "alive").get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    /**
     * A blocking job that finished before the deadline, whose coroutine had not run yet when the deadline passed
     * (its loop was busy): the coroutine goes on with the job's result, and the body returns it.
     */
    @Test
    void aJobThatFinishedBeforeTheDeadlineIsNotUndoneByIt() throws Exception {
        try (EventLoop loop = new EventLoop("kept")) {
            CompletableFuture<String> result = loop.submit(() -> EventLoop.withTimeout(Duration.ofMillis(200), () ->
                    EventLoop.blocking(() -> {
                        loop.execute(() -> { // holds the loop's thread past the deadline, before it sees the result
                            try {
                                Thread.sleep(400);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        return "committed";
                    })));
            assertEquals("committed", result.get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    /**
     * The same when the loop has more actions queued than it runs in a turn ahead of the wake-up, so that the
     * deadline comes before it: a future or a job that completed before the deadline still gives its value.
     */
    @Test
    void aFutureOrJobThatCompletedBeforeTheDeadlineIsNotUndoneByALongInbox() throws Exception {
        assertEquals("value", completedBehindALongInbox(false));
        assertEquals("committed", completedBehindALongInbox(true));
    }

    private static String completedBehindALongInbox(boolean job) throws Exception {
        CompletableFuture<Void> completed = new CompletableFuture<>(); // the wait's outcome was handed over
        java.util.concurrent.ExecutorService pool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>()) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) { // the job returned and its result went out
                completed.complete(null);
            }
        };
        try (EventLoop loop = new EventLoop("long-inbox", pool)) {
            CompletableFuture<String> f = new CompletableFuture<>();
            CountDownLatch jobGo = new CountDownLatch(1);
            CompletableFuture<Long> waiting = new CompletableFuture<>();
            CompletableFuture<String> result = loop.submit(() -> {
                try {
                    return EventLoop.withTimeout(Duration.ofMillis(200), () -> {
                        waiting.complete(System.nanoTime()); // the deadline is at most 200 ms after this
                        return job ? EventLoop.blocking(() -> {
                            jobGo.await();
                            return "committed";
                        }) : EventLoop.await(f);
                    });
                } catch (DeadlineExceededException e) {
                    return "timed out";
                }
            });
            long since = waiting.join();
            CountDownLatch holding = new CountDownLatch(1);
            loop.execute(() -> { // holds the loop until the wait has completed and the deadline has passed
                holding.countDown();
                while (!completed.isDone() || System.nanoTime() - since <= Duration.ofMillis(200).toNanos()) {
                    Thread.onSpinWait();
                }
            });
            holding.await();
            for (int i = 0; i < 5000; i++) loop.execute(() -> { }); // more than a turn's worth, before the wake-up
            if (job) {
                jobGo.countDown();
            } else {
                f.complete("value");
                completed.complete(null);
            }
            return result.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A job whose caller got its result was not cut short: its {@code Future} is not cancelled and its worker not
     * interrupted (before, the wake-up withdrew the wait like a timeout, and often caught the job still running).
     */
    @Test
    void aJobThatReturnedIsNeitherCancelledNorInterrupted() throws Exception {
        AtomicInteger cancelled = new AtomicInteger(), interrupted = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>()) {
            @Override
            protected void afterExecute(Runnable job, Throwable failure) {
                if (job instanceof Future<?> f && f.isCancelled()) cancelled.incrementAndGet();
                if (Thread.currentThread().isInterrupted()) interrupted.incrementAndGet();
            }
        };
        try (EventLoop loop = new EventLoop("jobs-returned", pool)) {
            int sum = loop.submit(() -> {
                int s = 0;
                for (int i = 0; i < 5000; i++) s += EventLoop.blocking(() -> 1);
                return s;
            }).get(15, TimeUnit.SECONDS);
            assertEquals(5000, sum);
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(0, cancelled.get(), "jobs cancelled after they returned");
        assertEquals(0, interrupted.get(), "workers interrupted after their job returned");
    }
}
