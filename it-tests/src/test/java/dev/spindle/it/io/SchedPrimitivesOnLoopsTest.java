package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.DeadlineExceededException;
import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Task;
import dev.spindle.sched.Channel;
import dev.spindle.sched.ChannelClosedException;
import dev.spindle.sched.ChannelIterator;
import dev.spindle.sched.Condition;
import dev.spindle.sched.Event;
import dev.spindle.sched.Latch;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Select;
import dev.spindle.sched.Semaphore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dev.spindle.sched primitives used by event-loop coroutines: within one loop, and across the loops (threads)
 * of a group. Every test checks an outcome that holds in every interleaving (sums, counts, maxima), never a timing;
 * waits for "the coroutine is now blocked" poll a condition bounded by the test's timeout.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SchedPrimitivesOnLoopsTest {

    // ---- one loop ----

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void producerAndConsumerOnOneLoop(int capacity) {
        int n = 2_000;
        try (EventLoop loop = new EventLoop("one")) {
            Channel<Integer> ch = new Channel<>("numbers", capacity);
            loop.spawn("producer", () -> {
                for (int i = 1; i <= n; i++) ch.send(i);
                ch.close();
            });
            long sum = loop.submit(() -> {
                long s = 0;
                int expected = 1;
                for (ChannelIterator<Integer> it = ch.iterator(); it.hasNext(); ) {
                    int v = it.next();
                    if (v != expected++) throw new AssertionError("out of order: " + v);
                    s += v;
                }
                return s;
            }).join();
            assertEquals((long) n * (n + 1) / 2, sum);
            assertEquals(0, ch.balance());
        }
    }

    @Test
    void schedulerSwitchesFromALoopCoroutinePointToTheLoopsOwn() {
        try (EventLoop loop = new EventLoop("one")) {
            CompletableFuture<Void> sleeping = loop.submit(() -> {
                Scheduler.sleep(Duration.ofMillis(1));
                return null;
            });
            CompletableFuture<Void> scheduling = loop.submit(() -> {
                Scheduler.schedule();
                return null;
            });
            for (CompletableFuture<Void> f : List.of(sleeping, scheduling)) {
                Throwable t = assertThrows(CompletionException.class, f::join).getCause();
                assertInstanceOf(IllegalStateException.class, t);
                assertTrue(t.getMessage().matches("cannot (sleep|call Scheduler.schedule\\(\\)) in event-loop coroutine"
                        + " .*: only a tasklet of a Scheduler can do that. On an event loop, call EventLoop.yieldNow\\(\\)"
                        + " where a tasklet calls Scheduler.schedule\\(\\), and EventLoop.sleep\\(duration\\) for"
                        + " Scheduler.sleep\\(duration\\)"), t.getMessage());
            }
        }
    }

    // ---- across loops ----

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void manyProducersAndConsumersAcrossLoopsLoseAndDuplicateNothing(int loops) throws Exception {
        for (int capacity : new int[] {0, 3}) {
            int producersPerLoop = 4, consumersPerLoop = 3, each = 500;
            int producers = loops * producersPerLoop;
            int total = producers * each;
            AtomicIntegerArray seen = new AtomicIntegerArray(total);
            AtomicLong sum = new AtomicLong();
            try (EventLoopGroup group = new EventLoopGroup(loops)) {
                Channel<Integer> ch = new Channel<>("values", capacity);
                Latch producing = new Latch("producers", producers);
                List<CompletableFuture<Void>> all = new ArrayList<>();
                int p = 0;
                for (EventLoop loop : group.loops()) {
                    for (int k = 0; k < producersPerLoop; k++, p++) {
                        int base = p * each;
                        all.add(loop.spawn(() -> {
                            try {
                                for (int i = 0; i < each; i++) {
                                    ch.send(base + i);
                                    if (i % 7 == 0) EventLoop.yieldNow();
                                }
                            } finally {
                                producing.countDown();
                            }
                        }).completion());
                    }
                    for (int k = 0; k < consumersPerLoop; k++) {
                        all.add(loop.spawn(() -> {
                            for (ChannelIterator<Integer> it = ch.iterator(); it.hasNext(); ) {
                                int v = it.next();
                                seen.incrementAndGet(v);
                                sum.addAndGet(v);
                            }
                        }).completion());
                    }
                }
                all.add(group.loops().get(loops - 1).spawn("closer", () -> {
                    producing.await();
                    ch.close();
                }).completion());
                CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
                assertEquals(0, ch.balance());
                assertEquals(0, ch.size());
            }
            for (int v = 0; v < total; v++) assertEquals(1, seen.get(v), "value " + v + " received once");
            assertEquals((long) total * (total - 1) / 2, sum.get());
        }
    }

    /**
     * The tasklets of a scheduler run inside a loop coroutine are owners of their own on a loop mutex, not their
     * loop coroutine: two of them cannot both hold it (they may take it without waiting, with tryLock).
     */
    @Test
    void twoTaskletsOfASchedulerInsideALoopCoroutineCannotBothHoldALoopMutex() {
        Mutex m = new Mutex("loops'");
        try (EventLoop loop = new EventLoop("nested")) {
            List<String> log = loop.submit(() -> {
                m.lock(); // now a primitive of the loop coroutines
                m.unlock();
                List<String> l = new ArrayList<>();
                Scheduler s = new Scheduler();
                s.spawn("A", () -> {
                    l.add("A " + m.tryLock());
                    Scheduler.schedule();
                    m.unlock();
                    l.add("A unlocked");
                });
                s.spawn("B", () -> {
                    l.add("B " + m.tryLock());
                    try {
                        m.unlock();
                    } catch (IllegalMonitorStateException notB) {
                        l.add("B may not unlock");
                    }
                    Scheduler.schedule();
                    l.add("B " + m.tryLock());
                    m.unlock();
                });
                s.run();
                l.add("the loop coroutine " + m.tryLock());
                m.unlock();
                return l;
            }).join();
            assertEquals(List.of("A true", "B false", "B may not unlock", "A unlocked", "B true",
                    "the loop coroutine true"), log);
        }
    }

    /**
     * A primitive used first, at the same moment, by a tasklet on one thread and by a loop coroutine on another is
     * claimed by one side. If the tasklets claimed it (their path takes no lock), the loop coroutine is refused:
     * when both sends went through, the loop coroutines own the channel, and a loop coroutine can receive.
     */
    @Test
    @Timeout(60)
    void aPrimitiveClaimedAtOnceByATaskletAndALoopCoroutineIsNeverUsedByBothWithoutTheLock() throws Exception {
        int n = 20_000;
        List<Channel<Integer>> channels = new ArrayList<>();
        for (int i = 0; i < n; i++) channels.add(new Channel<>(4));
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        Thread tasklets = new Thread(() -> {
            Scheduler s = new Scheduler();
            s.spawn(() -> sendAll(channels, together));
            s.run();
        }, "tasklets");
        tasklets.start();
        try (EventLoop loop = new EventLoop("claims")) {
            loop.submit(() -> {
                sendAll(channels, together);
                return null;
            }).join();
            tasklets.join();
            int both = loop.submit(() -> {
                int k = 0;
                for (Channel<Integer> c : channels) {
                    if (c.size() < 2) continue;
                    k++;
                    c.receive(); // refused if the tasklets own it: then both used it, one side without the lock
                }
                return k;
            }).join();
            assertTrue(both > 0, "no channel was used by both sides: the race was not run");
        }
    }

    private static void sendAll(List<Channel<Integer>> channels, java.util.concurrent.CyclicBarrier together) {
        for (Channel<Integer> c : channels) {
            try {
                together.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            try {
                c.send(1);
            } catch (IllegalStateException claimedByTheTasklets) {
                // the loop coroutine's, refused
            }
        }
    }

    /**
     * Go's rule on the shared path too: of several ready cases each is taken equally often, so none starves,
     * wherever the cases that are not ready stand among them.
     */
    @Test
    void aSelectOnALoopTakesEachReadyCaseEquallyOften() {
        try (EventLoop loop = new EventLoop("select")) {
            int[] chosen = loop.submit(() -> {
                Channel<Integer> a = new Channel<>("a", 1);
                Channel<Integer> never = new Channel<>("never", 1);
                Channel<Integer> c = new Channel<>("c", 1);
                int[] counts = new int[3];
                for (int i = 0; i < 3000; i++) {
                    if (a.size() == 0) a.send(i);
                    if (c.size() == 0) c.send(i);
                    counts[Select.select(Select.receive(a), Select.receive(never), Select.receive(c)).index()]++;
                }
                return counts;
            }).join();
            // 1,500 each expected; 1,200 is eleven standard deviations away
            assertTrue(chosen[0] > 1200 && chosen[2] > 1200 && chosen[1] == 0, java.util.Arrays.toString(chosen));
        }
    }

    @Test
    void aMutexProtectsAReadYieldWriteCounterAcrossLoops() {
        int tasksPerLoop = 6, rounds = 200;
        int[] counter = {0};
        try (EventLoopGroup group = new EventLoopGroup(4)) {
            Mutex m = new Mutex("counter");
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (EventLoop loop : group.loops()) {
                for (int k = 0; k < tasksPerLoop; k++) {
                    all.add(loop.spawn(() -> {
                        for (int i = 0; i < rounds; i++) {
                            m.withLock(() -> {
                                int seen = counter[0];
                                EventLoop.yieldNow(); // others run here, on this loop and on the others
                                counter[0] = seen + 1;
                            });
                        }
                    }).completion());
                }
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
            assertFalse(m.isLocked());
            assertEquals(0, m.queueLength());
            int expected = 4 * tasksPerLoop * rounds;
            assertEquals(expected, group.loops().get(0).submit(() -> m.withLock(() -> counter[0])).join());
        }
    }

    @Test
    void aConditionHandsWorkBetweenLoops() {
        int items = 2_000;
        try (EventLoopGroup group = new EventLoopGroup(3)) {
            Mutex m = new Mutex("queue");
            Condition notEmpty = m.newCondition();
            Condition notFull = m.newCondition();
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            AtomicLong sum = new AtomicLong();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int base = p * items;
                all.add(group.loops().get(p).spawn(() -> {
                    for (int i = 0; i < items; i++) {
                        int v = base + i;
                        m.withLock(() -> {
                            while (queue.size() >= 5) notFull.await();
                            queue.add(v);
                            notEmpty.signal();
                        });
                    }
                }).completion());
            }
            for (int c = 0; c < 3; c++) {
                all.add(group.loops().get(c).spawn(() -> {
                    for (;;) {
                        int v = m.withLock(() -> {
                            while (queue.isEmpty()) notEmpty.await();
                            int x = queue.poll();
                            notFull.signal();
                            return x;
                        });
                        if (v < 0) return;
                        sum.addAndGet(v);
                    }
                }).completion());
            }
            CompletableFuture.allOf(all.get(0), all.get(1)).join();
            group.loops().get(0).submit(() -> {
                for (int c = 0; c < 3; c++) {
                    m.withLock(() -> {
                        while (queue.size() >= 5) notFull.await();
                        queue.add(-1);          // one stop sign per consumer
                        notEmpty.signalAll();
                    });
                }
                return null;
            }).join();
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
            long n = 2L * items;
            assertEquals(n * (n - 1) / 2, sum.get());
        }
    }

    @Test
    void aSemaphoreLimitsConcurrencyAcrossLoops() {
        int permits = 3;
        AtomicInteger inside = new AtomicInteger(), max = new AtomicInteger(), done = new AtomicInteger();
        try (EventLoopGroup group = new EventLoopGroup(4)) {
            Semaphore s = new Semaphore("slots", permits);
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (EventLoop loop : group.loops()) {
                for (int k = 0; k < 8; k++) {
                    all.add(loop.spawn(() -> {
                        for (int i = 0; i < 50; i++) {
                            s.withPermit(() -> {
                                max.accumulateAndGet(inside.incrementAndGet(), Math::max);
                                EventLoop.yieldNow();
                                EventLoop.yieldNow();
                                inside.decrementAndGet();
                            });
                        }
                        done.incrementAndGet();
                    }).completion());
                }
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
            assertEquals(32, done.get());
            assertTrue(max.get() <= permits, "at most " + permits + " inside at once, saw " + max.get());
            assertEquals(permits, s.availablePermits());
            assertEquals(0, s.queueLength());
        }
    }

    @Test
    void anEventAndALatchReleaseTasksOfSeveralLoops() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(4)) {
            Event go = new Event("go");
            Latch arrived = new Latch("arrived", 4 * 5);
            Latch finished = new Latch("finished", 4 * 5);
            AtomicInteger released = new AtomicInteger();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (EventLoop loop : group.loops()) {
                for (int k = 0; k < 5; k++) {
                    all.add(loop.spawn(() -> {
                        arrived.countDown();
                        go.await();
                        released.incrementAndGet();
                        finished.countDown();
                        finished.await();        // everyone waits for everyone, on every loop
                    }).completion());
                }
            }
            CompletableFuture<Void> watcher = group.loops().get(1).submit(() -> {
                arrived.await();
                return null;
            });
            watcher.join();
            assertEquals(0, released.get(), "nobody passes the event before it is set");
            go.set();                             // from a plain thread
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
            assertEquals(20, released.get());
            assertEquals(0, finished.count());
            assertTrue(go.isSet());
        }
    }

    @Test
    void selectOverChannelsFedByDifferentLoops() {
        int n = 1_000;
        try (EventLoopGroup group = new EventLoopGroup(3)) {
            Channel<Integer> a = new Channel<>("a");
            Channel<Integer> b = new Channel<>("b", 2);
            Channel<String> acks = new Channel<>("acks", 1);
            group.loops().get(0).spawn(() -> {
                for (int i = 0; i < n; i++) a.send(i);
                a.close();
            });
            group.loops().get(1).spawn(() -> {
                for (int i = 0; i < n; i++) b.send(n + i);
                b.close();
            });
            AtomicInteger acked = new AtomicInteger();
            group.loops().get(1).spawn(() -> {
                for (ChannelIterator<String> it = acks.iterator(); it.hasNext(); ) {
                    it.next();
                    acked.incrementAndGet();
                }
            });
            long sum = group.loops().get(2).submit(() -> {
                long s = 0;
                boolean aOpen = true, bOpen = true;
                int received = 0;
                Select.Case<Integer> fromA = Select.receive(a);
                Select.Case<Integer> fromB = Select.receive(b);
                while (aOpen || bOpen) {
                    Select.Selected got = aOpen && bOpen ? Select.select(fromA, fromB)
                            : Select.select(aOpen ? fromA : fromB);
                    if (got.isClosed()) {
                        if (got.is(fromA)) aOpen = false; else bOpen = false;
                        continue;
                    }
                    s += (Integer) got.value();
                    if (++received % 10 == 0) {
                        // a select with a send case and a default branch: never waits
                        Select.Selected sent = Select.trySelect(Select.send(acks, "ack"));
                        if (sent.isDefault()) acks.send("ack"); // the buffer was full: wait for room
                    }
                }
                acks.close();
                return s;
            }).join();
            long total = 2L * n;
            assertEquals(total * (total - 1) / 2, sum);
        }
    }

    @Test
    void selectsOnBothSidesAcrossLoopsMatchUp() {
        // two selecting parties meet: each case claim must be decided once, whatever order the loops run in
        int rounds = 2_000;
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            Channel<Integer> x = new Channel<>("x");
            Channel<Integer> y = new Channel<>("y");
            CompletableFuture<Long> sender = group.loops().get(0).submit(() -> {
                long s = 0;
                for (int i = 0; i < rounds; i++) {
                    Select.Selected got = Select.select(Select.send(x, i), Select.send(y, -i));
                    s += got.index();
                }
                x.close();
                y.close();
                return s;
            });
            CompletableFuture<Long> receiver = group.loops().get(1).submit(() -> {
                long s = 0;
                int n = 0;
                Select.Case<Integer> rx = Select.receive(x), ry = Select.receive(y);
                for (;;) {
                    Select.Selected got = Select.select(ry, rx);
                    if (got.isClosed()) break;
                    s += Math.abs((Integer) got.value());
                    n++;
                }
                if (n != rounds) throw new AssertionError(n + " received, " + rounds + " sent");
                return s;
            });
            sender.join();
            assertEquals((long) rounds * (rounds - 1) / 2, receiver.join());
        }
    }

    @Test
    void closeWakesWaitersOnSeveralLoops() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(4)) {
            Channel<Integer> in = new Channel<>("in");
            Channel<Integer> out = new Channel<>("out");
            List<CompletableFuture<String>> outcomes = new ArrayList<>();
            for (EventLoop loop : group.loops()) {
                outcomes.add(loop.submit(() -> {
                    try {
                        in.receive();
                        return "received?!";
                    } catch (ChannelClosedException e) {
                        return e.onSend() ? "send failed?!" : "end";
                    }
                }));
                outcomes.add(loop.submit(() -> {
                    try {
                        out.send(1);
                        return "sent?!";
                    } catch (ChannelClosedException e) {
                        return e.onSend() ? "send failed" : "end?!";
                    }
                }));
            }
            eventually(() -> in.balance() == -4 && out.balance() == 4, () -> IoSupport.dump(group.loops()));
            in.close();
            out.close();
            for (int i = 0; i < outcomes.size(); i++) {
                assertEquals(i % 2 == 0 ? "end" : "send failed", outcomes.get(i).join());
            }
            assertEquals(0, in.balance());
            assertEquals(0, out.balance());
        }
    }

    // ---- timeouts and shutdown ----

    @Test
    void withTimeoutWithdrawsAReceiveAndTheChannelStillWorks() {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            Channel<String> ch = new Channel<>("late");
            EventLoop a = group.loops().get(0), b = group.loops().get(1);
            String outcome = a.submit(() -> {
                try {
                    return EventLoop.withTimeout(Duration.ofMillis(30), () -> ch.receive());
                } catch (DeadlineExceededException e) {
                    return "timed out";
                }
            }).join();
            assertEquals("timed out", outcome);
            assertEquals(0, ch.balance(), "the timed-out receiver is not waiting any more");
            // a sender now waits for a real receiver: the value is not handed to the one that left
            CompletableFuture<Void> sent = b.submit(() -> {
                ch.send("hello");
                return null;
            });
            assertEquals("hello", a.submit(() -> ch.receive()).join());
            sent.join();
        }
    }

    @Test
    void withTimeoutWithdrawsAMutexLockAndTheMutexStillWorks() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            Mutex m = new Mutex("held");
            Event release = new Event("release");
            EventLoop a = group.loops().get(0), b = group.loops().get(1);
            CompletableFuture<Void> holder = b.submit(() -> {
                m.lock();
                try {
                    release.await();
                } finally {
                    m.unlock();
                }
                return null;
            });
            eventually(m::isLocked);
            String outcome = a.submit(() -> {
                try {
                    EventLoop.withTimeout(Duration.ofMillis(30), () -> {
                        m.lock();
                        return null;
                    });
                    return "locked?!";
                } catch (DeadlineExceededException e) {
                    return "timed out";
                }
            }).join();
            assertEquals("timed out", outcome);
            assertEquals(0, m.queueLength());
            release.set();
            holder.join();
            assertEquals("locked", a.submit(() -> m.withLock(() -> "locked")).join());
            assertFalse(m.isLocked());
        }
    }

    @Test
    void withTimeoutWithdrawsASelectAConditionWaitAndAnAcquire() {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            EventLoop a = group.loops().get(0), b = group.loops().get(1);
            Channel<Integer> x = new Channel<>("x"), y = new Channel<>("y", 1);
            Mutex m = new Mutex("m");
            Condition never = m.newCondition();
            Semaphore none = new Semaphore("none", 0);
            List<String> outcomes = a.submit(() -> {
                List<String> o = new ArrayList<>();
                try {
                    EventLoop.withTimeout(Duration.ofMillis(20),
                            () -> Select.select(Select.receive(x), Select.receive(y)));
                    o.add("selected?!");
                } catch (DeadlineExceededException e) {
                    o.add("select timed out");
                }
                try {
                    m.withLock(() -> EventLoop.withTimeout(Duration.ofMillis(20), () -> {
                        never.await();
                        return null;
                    }));
                    o.add("signalled?!");
                } catch (DeadlineExceededException e) {
                    o.add("await timed out, mutex " + (m.isLocked() ? "held?!" : "released"));
                }
                try {
                    EventLoop.withTimeout(Duration.ofMillis(20), () -> {
                        none.acquire();
                        return null;
                    });
                    o.add("acquired?!");
                } catch (DeadlineExceededException e) {
                    o.add("acquire timed out");
                }
                return o;
            }).join();
            assertEquals(List.of("select timed out", "await timed out, mutex released", "acquire timed out"), outcomes);
            assertEquals(0, x.balance());
            assertEquals(0, y.balance());
            assertEquals(0, never.queueLength());
            assertEquals(0, none.queueLength());
            // everything still works, across the two loops
            CompletableFuture<Integer> got =
                    a.submit(() -> (Integer) Select.select(Select.receive(x), Select.receive(y)).value());
            b.submit(() -> {
                y.send(5);
                none.release();
                return null;
            }).join();
            assertEquals(5, got.join());
            a.submit(() -> {
                none.acquire();
                return null;
            }).join();
            assertEquals(0, none.availablePermits());
        }
    }

    @Test
    void aValueOrLockHandedOverAsATimeoutFallsDueIsNotLost() throws Exception {
        // Loop a is kept busy while a value and a lock are handed to its waiting coroutines and their timeouts
        // (most likely) fall due. A hand-off that completed first wins: the coroutine gets the value or the lock,
        // and the timeout is dropped. Whichever came first, nothing is lost: a value handed over is received, a
        // lock handed over is held and released; a wait the timeout withdrew was handed nothing.
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            EventLoop a = group.loops().get(0), b = group.loops().get(1);
            Channel<String> ch = new Channel<>("handed");
            Mutex m = new Mutex("handed");
            Event release = new Event("release");
            CompletableFuture<Boolean> holder = b.submit(() -> {
                m.lock();
                release.await();
                m.unlock(); // hands the lock to the coroutine of loop a if it still waits
                return m.isLocked();
            });
            eventually(m::isLocked);
            CompletableFuture<String> got = a.submit(() -> {
                try {
                    return EventLoop.withTimeout(Duration.ofMillis(200), () -> ch.receive());
                } catch (DeadlineExceededException e) {
                    return "timed out";
                }
            });
            CompletableFuture<String> locked = a.submit(() -> {
                String r;
                try {
                    r = EventLoop.withTimeout(Duration.ofMillis(200), () -> {
                        m.lock();
                        return "locked";
                    });
                } catch (DeadlineExceededException e) {
                    return "timed out";
                }
                EventLoop.yieldNow(); // a timeout that lost is not thrown later either
                m.unlock();
                return r;
            });
            eventually(() -> ch.balance() == -1 && m.queueLength() == 1);
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            a.execute(() -> {
                blocked.countDown();
                try {
                    busy.await(); // holds loop a's thread, deliberately
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            boolean valueHanded, lockHanded;
            try {
                blocked.await();
                valueHanded = !Select.trySelect(Select.send(ch, "value")).isDefault();
                release.set();
                lockHanded = holder.join();
                Thread.sleep(300); // lets both timeouts fall due; the outcome is checked the same way if not
            } finally {
                busy.countDown();
            }
            assertEquals(valueHanded ? "value" : "timed out", got.join());
            assertEquals(lockHanded ? "locked" : "timed out", locked.join());
            eventually(() -> !m.isLocked());
            assertEquals(0, ch.balance());
            assertEquals(0, m.queueLength());
        }
    }

    @Test
    void shutdownOfALoopWithdrawsItsWaitingCoroutine() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            EventLoop doomed = new EventLoop("doomed");
            Channel<Integer> ch = new Channel<>("orphan");
            Channel<Integer> buffered = new Channel<>("orphan-buffered", 1);
            Mutex m = new Mutex("orphan");
            Event release = new Event("release");
            CompletableFuture<Void> holder = group.loops().get(0).submit(() -> {
                m.lock();
                release.await();
                m.unlock();
                return null;
            });
            eventually(m::isLocked);
            Task receiver = doomed.spawn("receiver", () -> ch.receive());
            Task bufferedReceiver = doomed.spawn("buffered receiver", () -> buffered.receive());
            Task locker = doomed.spawn("locker", () -> m.lock());
            eventually(() -> ch.balance() == -1 && buffered.balance() == -1 && m.queueLength() == 1);
            doomed.shutdown(Duration.ZERO).join();
            for (Task t : List.of(receiver, bufferedReceiver, locker)) {
                assertThrows(CancellationException.class, () -> t.completion().join(), t.name());
            }
            assertEquals(0, ch.balance());
            assertEquals(0, m.queueLength());
            EventLoop other = group.loops().get(1);
            // nobody receives on ch any more: a send has to wait (a default branch is taken)
            assertTrue(other.submit(() -> Select.trySelect(Select.send(ch, 1)).isDefault()).join());
            // a buffered value stays in the buffer for a live receiver
            other.submit(() -> {
                buffered.send(7);
                return null;
            }).join();
            assertEquals(1, buffered.size());
            assertEquals(7, other.submit(() -> buffered.receive()).join());
            // and the mutex is still usable
            release.set();
            holder.join();
            assertFalse(m.isLocked());
            assertEquals("ok", other.submit(() -> m.withLock(() -> "ok")).join());
        }
    }

    @Test
    void whatWasHandedToACoroutineWhoseLoopDiesIsGivenBack() throws Exception {
        // The loop's thread is held while a value, a lock and a permit are handed to its waiting coroutines; then
        // it stops (an OutOfMemoryError from an action, as a failure of the JVM would) before they could run. On
        // its way out it gives back what they were handed: the value goes to the next receiver, the lock and the
        // permit are passed on.
        try (EventLoopGroup group = new EventLoopGroup(1)) {
            EventLoop other = group.loops().get(0);
            EventLoop doomed = new EventLoop("dies");
            Channel<String> ch = new Channel<>("handed");
            Mutex m = new Mutex("handed");
            Semaphore sem = new Semaphore("handed", 0);
            Event release = new Event("release");
            CompletableFuture<Void> holder = other.submit(() -> {
                m.lock();
                release.await();
                m.unlock();
                return null;
            });
            eventually(m::isLocked);
            Task receiver = doomed.spawn("receiver", () -> ch.receive());
            Task locker = doomed.spawn("locker", () -> m.lock());
            Task acquirer = doomed.spawn("acquirer", () -> sem.acquire());
            eventually(() -> ch.balance() == -1 && m.queueLength() == 1 && sem.queueLength() == 1);
            CompletableFuture<String> next = other.submit(() -> ch.receive()); // the second receiver in line
            eventually(() -> ch.balance() == -2);
            CountDownLatch go = new CountDownLatch(1), held = new CountDownLatch(1);
            doomed.execute(() -> {
                held.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new OutOfMemoryError("the loop stops before its coroutines run again (deliberately, in a test)");
            });
            try {
                held.await();
                assertFalse(Select.trySelect(Select.send(ch, "value")).isDefault()); // to the doomed receiver
                release.set();                                                       // the lock: to the locker
                holder.join();
                sem.release();                                                       // the permit: to the acquirer
                assertEquals(-1, ch.balance(), "one receiver left waiting: the second");
            } finally {
                go.countDown();
            }
            doomed.termination().join();
            for (Task t : List.of(receiver, locker, acquirer)) {
                assertThrows(CancellationException.class, () -> t.completion().join(), t.name());
            }
            assertEquals("value", next.join());
            assertFalse(m.isLocked());
            assertEquals(1, sem.availablePermits());
            assertEquals(0, ch.balance());
        }
    }

    // ---- mixing ----

    @Test
    void aTaskletChannelRefusesLoopCoroutinesAndViceVersa() {
        Scheduler s = new Scheduler();
        Channel<Integer> tasklets = new Channel<>("tasklets-only", 1);
        s.spawn(() -> tasklets.send(1));
        s.run();
        Channel<Integer> loops = new Channel<>("loops-only");
        try (EventLoop loop = new EventLoop("mix")) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> loop.submit(() -> tasklets.receive()).join());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("tasklets-only"), e.getCause().getMessage());
            assertTrue(e.getCause().getMessage().contains("belongs to the tasklets of a Scheduler"),
                    e.getCause().getMessage());

            CompletableFuture<Void> waiting = loop.submit(() -> {
                loops.send(2);
                return null;
            });
            Throwable[] refused = new Throwable[2];
            Scheduler s2 = new Scheduler();
            Channel<Integer> ownChannel = new Channel<>("own");
            s2.spawn(() -> {
                assertEquals(2, loops.receive());  // no wait needed: a loop coroutine is sending
                try {
                    loops.receive();                // would have to wait: refused
                } catch (IllegalStateException ex) {
                    refused[0] = ex;
                }
                Select.trySelect(Select.receive(ownChannel)); // a tasklet channel from now on
                try {
                    Select.select(Select.receive(ownChannel), Select.receive(loops)); // refused, naming loops-only
                } catch (IllegalStateException ex) {
                    refused[1] = ex;
                }
            });
            eventually(() -> loops.balance() == 1);
            s2.run();
            waiting.join();
            for (Throwable r : refused) {
                assertInstanceOf(IllegalStateException.class, r);
                assertTrue(r.getMessage().contains("loops-only"), r.getMessage());
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ---- stress ----

    @Test
    void thousandsOfHandOffsBetweenTwoLoops() {
        int pairs = 8, trips = 2_000;
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            List<CompletableFuture<Long>> results = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                Channel<Integer> there = new Channel<>("there" + p);
                Channel<Integer> back = new Channel<>("back" + p, p % 2); // rendezvous and buffered
                EventLoop pingLoop = group.loops().get(p % 2), echoLoop = group.loops().get((p + 1) % 2);
                echoLoop.spawn(() -> {
                    for (ChannelIterator<Integer> it = there.iterator(); it.hasNext(); ) back.send(it.next() + 1);
                    back.close();
                });
                results.add(pingLoop.submit(() -> {
                    long s = 0;
                    for (int i = 0; i < trips; i++) {
                        if (i % 3 == 0) {
                            Select.select(Select.send(there, i));
                        } else {
                            there.send(i);
                        }
                        int r = i % 5 == 0 ? (Integer) Select.select(Select.receive(back)).value() : back.receive();
                        if (r != i + 1) throw new AssertionError("sent " + i + ", got back " + r);
                        s += r;
                    }
                    there.close();
                    return s;
                }));
            }
            for (CompletableFuture<Long> r : results) assertEquals((long) trips * (trips + 1) / 2, r.join());
        }
    }

    @Test
    void aSignalReceivedBeforeADeadlineThatCutsTheWaitShortGoesToTheNextWaiter() throws Exception {
        try (EventLoop a = new EventLoop("A"); EventLoop b = new EventLoop("B"); EventLoop c = new EventLoop("C")) {
            Mutex m = new Mutex("m");
            Condition cond = m.newCondition();
            List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Object> first = a.submit(() -> {
                m.lock();
                try {
                    EventLoop.withTimeout(Duration.ofMillis(100), () -> {
                        cond.await();
                        log.add("first returned");
                    });
                } catch (DeadlineExceededException e) {
                    log.add("first cut short");
                } finally {
                    m.unlock();
                }
                return null;
            });
            eventually(() -> cond.queueLength() == 1);
            CompletableFuture<Object> second = b.submit(() -> {
                m.withLock(() -> {
                    cond.await();
                    log.add("second woke");
                });
                return null;
            });
            c.submit(() -> {
                for (;;) {
                    m.lock();
                    if (cond.queueLength() == 2) break;
                    m.unlock();
                    EventLoop.sleep(Duration.ofMillis(1));
                }
                cond.signal(); // the first waiter's, most likely before its deadline
                EventLoop.sleep(Duration.ofMillis(400)); // which then passes while it waits to take m back
                m.unlock();
                return null;
            }).get(30, java.util.concurrent.TimeUnit.SECONDS);
            first.get(30, java.util.concurrent.TimeUnit.SECONDS);
            // one signal: the first waiter acts on it, or it reaches the second (before, it was lost with the first)
            boolean firstActed = log.contains("first returned"), secondWoke;
            try {
                second.get(10, java.util.concurrent.TimeUnit.SECONDS);
                secondWoke = true;
            } catch (java.util.concurrent.TimeoutException notSignalled) {
                secondWoke = false;
                c.submit(() -> {
                    m.withLock(cond::signalAll);
                    return null;
                }).get(30, java.util.concurrent.TimeUnit.SECONDS);
                second.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertTrue(firstActed != secondWoke, log.toString());
        }
    }
}
