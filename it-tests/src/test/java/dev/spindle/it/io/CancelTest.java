package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.Listener;
import dev.spindle.io.Task;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Task.cancel(), as Kotlin's Job.cancel(): thrown where the task waits, and at every later suspension. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CancelTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void aWaitingTaskGetsCancellationWhereItWaitsAndAgainAtEachLaterWait() throws Exception {
        try (EventLoop loop = new EventLoop("cancel")) {
            CompletableFuture<Void> sleeping = new CompletableFuture<>();
            Task t = loop.spawn("sleeper", () -> {
                try {
                    sleeping.complete(null);
                    EventLoop.sleep(Duration.ofDays(1));
                    log.add("slept a day?!");
                } catch (CancellationException e) {
                    log.add("cancelled: " + e.getMessage());
                    throw e;
                } finally {
                    try {
                        EventLoop.sleep(Duration.ofMillis(1)); // cleanup that waits: fails at once
                        log.add("cleanup waited?!");
                    } catch (CancellationException again) {
                        log.add("cleanup cancelled too");
                    }
                }
            });
            sleeping.get(10, TimeUnit.SECONDS);
            t.cancel(); // from another thread
            assertThrows(CancellationException.class, () -> t.completion().join());
            Throwable end = t.completion().handle((v, e) -> e).join(); // as the task ended (join wraps it on 25)
            assertInstanceOf(CancellationException.class, end);
            assertEquals("sleeper was cancelled", end.getMessage());
            assertEquals(List.of("cancelled: sleeper was cancelled", "cleanup cancelled too"), log);
            t.cancel(); // done: nothing happens
            assertEquals("still serving", loop.submit(() -> "still serving").get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aTaskCancelledBeforeItStartsNeverRunsAndOneThatCancelsItselfStopsAtItsNextWait() throws Exception {
        try (EventLoop loop = new EventLoop("cancel-early")) {
            Task never = loop.submit(() -> {
                Task t = loop.spawn("never", () -> log.add("ran?!"));
                t.cancel(); // on the loop's thread, before its turn
                return t;
            }).get(10, TimeUnit.SECONDS);
            assertThrows(CancellationException.class, () -> never.completion().join());
            CompletableFuture<Task> itself = new CompletableFuture<>();
            Task self = loop.spawn("self", () -> {
                Task me = EventLoop.await(itself);
                me.cancel(); // while it runs
                log.add("goes on until it suspends");
                EventLoop.yieldNow();
                log.add("after the yield?!");
            });
            itself.complete(self);
            assertThrows(CancellationException.class, () -> self.completion().join());
            assertEquals(List.of("goes on until it suspends"), log);
        }
    }

    @Test
    void aBodyThatCatchesTheCancellationAndReturnsEndsNormally() throws Exception {
        try (EventLoop loop = new EventLoop("cancel-caught")) {
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            Task t = loop.spawn("catcher", () -> {
                try {
                    waiting.complete(null);
                    EventLoop.await(new CompletableFuture<>()); // never completes
                } catch (CancellationException e) {
                    log.add("caught");
                }
            });
            waiting.get(10, TimeUnit.SECONDS);
            t.cancel();
            t.completion().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("caught"), log);
        }
    }

    @Test
    void cancellingASubmittedFutureCancelsItsCoroutine() throws Exception {
        try (EventLoop loop = new EventLoop("cancel-submit")) {
            CompletableFuture<Void> reading = new CompletableFuture<>();
            Listener l = loop.serve(ANY_LOOPBACK, socket -> EventLoop.await(new CompletableFuture<>())); // sends nothing
            CompletableFuture<Integer> read = loop.submit(() -> {
                try (var s = dev.spindle.io.TcpSocket.connect(l.localAddress())) {
                    reading.complete(null);
                    return s.read(ByteBuffer.allocate(10)); // waits: the peer sends nothing
                } finally {
                    log.add("finally ran");
                }
            });
            reading.get(10, TimeUnit.SECONDS);
            assertTrue(read.cancel(true));
            IoSupport.eventually(() -> log.contains("finally ran"));
            assertEquals(List.of("finally ran"), log);
        }
    }

}
