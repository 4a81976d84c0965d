package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static dev.spindle.it.Co.sInt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Coroutines inside coroutines, coroutines moving between threads, and many suspensions. */
class NestingAndThreadsTest {

    @Test
    void coroutineDrivesAnotherCoroutine() {
        List<String> log = new ArrayList<>();
        Coroutine outer = new Coroutine("outer", () -> {
            log.add("outer start");
            Coroutine inner = new Coroutine("inner", () -> {
                for (int k = 0; k < 3; k++) {
                    log.add("inner " + sInt(k));
                }
                log.add("inner end");
            });
            int innerSuspensions = 0;
            while (inner.resume()) { // each suspension of inner comes back here, not to outer's driver
                innerSuspensions++;
                log.add("outer saw inner suspend");
                Coroutine.yield(); // outer suspends while holding the suspended inner in a local
            }
            log.add("outer end " + innerSuspensions + " " + inner.isDone());
        });
        while (outer.resume()) {
            log.add("driver");
        }
        assertEquals(List.of("outer start", "outer saw inner suspend", "driver", "inner 0",
                "outer saw inner suspend", "driver", "inner 1", "outer saw inner suspend", "driver", "inner 2",
                "inner end", "outer end 3 true"), log);
    }

    @Suspendable
    static void pauseAtTheBottom(int depth) {
        if (depth == 0) {
            pause();
            return;
        }
        String s = "x" + depth; // a reference and a long saved in each frame
        long a = depth;
        pauseAtTheBottom(depth - 1);
        if (a + s.length() < 0) throw new AssertionError();
    }

    /** Suspends at varying depths, so that its frames are saved in different places each time. */
    @Suspendable
    static void pauseForEver() {
        for (int i = 0; ; i++) {
            pauseAtTheBottom(i % 17);
            pause();
        }
    }

    /** A monitor thread reading the frames of a coroutine that another thread keeps resuming gets them or none. */
    @Test
    void stackTraceReadWhileAnotherThreadResumesIsWholeOrEmpty() throws Exception {
        Coroutine c = new Coroutine(NestingAndThreadsTest::pauseForEver);
        assertTrue(c.resume());
        StackTraceElement[] first = c.stackTrace();
        String expected = first[0].getMethodName(), outermost = first[first.length - 1].getMethodName();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread monitor = new Thread(() -> {
            try {
                while (!done.get()) {
                    StackTraceElement[] t = c.stackTrace();
                    // a read that overlapped a resume and a suspension as deep as the one before mixed them
                    if (t.length > 0 && !(t[0].getMethodName().equals(expected)
                            && t[t.length - 1].getMethodName().equals(outermost))) {
                        throw new AssertionError(Arrays.toString(t));
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "monitor");
        monitor.start();
        try {
            // (each resume waits for a read in progress: on a slow machine, the iterations are cut to 10 s)
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < 4_000_000 && failure.get() == null; i++) {
                if ((i & 0xfff) == 0 && System.nanoTime() > end) break;
                assertTrue(c.resume());
            }
        } finally {
            done.set(true);
            monitor.join();
        }
        assertNull(failure.get());
    }

    /**
     * A monitor polling state() of a coroutine that another thread runs sees it change: a read the JIT could hoist
     * out of the monitor's loop would spin for ever. (A release after the loop is compiled, which takes a moment;
     * if it is not yet, the test cannot fail, only miss.)
     */
    @Test
    void aMonitorPollingStateSeesTheCoroutineSuspendAndEnd() throws Exception {
        java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger();
        Coroutine c = new Coroutine(() -> {
            phase.set(1);
            while (phase.get() < 2) Thread.onSpinWait(); // released by the test
            pause();
        });
        Thread runner = new Thread(() -> {
            c.resume();
            while (phase.get() < 3) Thread.onSpinWait(); // released by the monitor, once it saw the suspension
            c.resume();
        }, "runner");
        runner.setDaemon(true);
        runner.start();
        while (phase.get() < 1) Thread.onSpinWait();
        long[] polls = new long[2];
        Thread monitor = new Thread(() -> {
            while (c.state() == Coroutine.State.RUNNING) polls[0]++;
            phase.set(3);
            while (!c.isDone()) polls[1]++;
        }, "monitor");
        monitor.setDaemon(true);
        monitor.start();
        Thread.sleep(1000); // the monitor's loop gets compiled meanwhile
        phase.set(2);
        monitor.join(10_000);
        assertFalse(monitor.isAlive(), "the monitor polled " + polls[0] + " and " + polls[1] + " times: " + c);
        assertTrue(c.isDone());
    }

    @Test
    void currentIsTheInnermostRunningCoroutine() {
        assertNull(Coroutine.current());
        Coroutine[] seen = new Coroutine[6];
        Coroutine[] self = new Coroutine[2];
        self[0] = new Coroutine(() -> {
            seen[0] = Coroutine.current();
            self[1] = new Coroutine(() -> {
                seen[1] = Coroutine.current();
                pause();
                seen[2] = Coroutine.current();
            });
            assertTrue(self[1].resume());
            seen[3] = Coroutine.current();
            pause();
            seen[4] = Coroutine.current();
            assertFalse(self[1].resume());
            seen[5] = Coroutine.current();
        });
        assertTrue(self[0].resume());
        assertNull(Coroutine.current());
        assertFalse(self[0].resume());
        assertNull(Coroutine.current());
        Coroutine outer = self[0];
        Coroutine inner = self[1];
        assertSame(outer, seen[0]);
        assertSame(inner, seen[1]);
        assertSame(inner, seen[2]);
        assertSame(outer, seen[3]);
        assertSame(outer, seen[4]);
        assertSame(outer, seen[5]);
    }

    @Test
    void threeLevelsOfNestingEachYieldingToItsOwnResumer() {
        StringBuilder trace = new StringBuilder();
        Coroutine level1 = new Coroutine(() -> {
            Coroutine level2 = new Coroutine(() -> {
                Coroutine level3 = new Coroutine(() -> {
                    trace.append("3a ");
                    pause();
                    trace.append("3b ");
                });
                trace.append("2a ");
                while (level3.resume()) {
                    trace.append("2<3 ");
                    pause();
                }
                trace.append("2b ");
            });
            while (level2.resume()) {
                trace.append("1<2 ");
                pause();
            }
            trace.append("1b ");
        });
        int suspensions = Co.drive(level1);
        assertEquals("2a 3a 2<3 1<2 3b 2b 1b ", trace.toString());
        assertEquals(1, suspensions);
    }

    /** Accumulates over several steps, suspending once (two calls deep) in each; records each step's thread. */
    @Suspendable
    private static long accumulate(int steps, List<String> threads) {
        long acc = 17;
        double scale = 1.5;
        for (int k = 0; k < steps; k++) {
            threads.add(Thread.currentThread().getName());
            acc = acc * 31 + step(k, scale);
            scale = scale * 1.25;
        }
        return acc + (long) scale;
    }

    @Suspendable
    private static long step(int k, double scale) {
        long local = (long) (k * scale * 1000);
        pause();
        return local ^ k;
    }

    @Test
    void resumedAlternatelyOnTwoThreads() throws Exception {
        int steps = 10;
        long expected = accumulate(steps, new ArrayList<>());

        ExecutorService[] pools = {
            Executors.newSingleThreadExecutor(r -> new Thread(r, "spindle-test-A")),
            Executors.newSingleThreadExecutor(r -> new Thread(r, "spindle-test-B"))
        };
        try {
            List<String> threads = new ArrayList<>();
            long[] result = new long[1];
            Coroutine c = new Coroutine(() -> result[0] = accumulate(steps, threads));
            List<String> resumers = new ArrayList<>();
            boolean suspended = true;
            for (int n = 0; suspended; n++) {
                ExecutorService pool = pools[n % 2];
                Future<String> name = pool.submit(() -> Thread.currentThread().getName());
                resumers.add(name.get());
                suspended = pool.submit(c::resume).get();
            }
            assertEquals(expected, result[0]);
            assertTrue(c.isDone());
            // each step of the body ran on the thread that resumed the coroutine for it
            assertEquals(resumers.subList(0, threads.size()), threads);
            assertTrue(threads.contains("spindle-test-A") && threads.contains("spindle-test-B"));
        } finally {
            for (ExecutorService pool : pools) {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
            }
        }
    }

    /** Like {@link #accumulate}, but each step also blocks its thread for a moment after it resumes. */
    @Suspendable
    private static long accumulateBlocking(int id, int steps) {
        long acc = id;
        String tag = "c" + id;
        for (int k = 0; k < steps; k++) {
            acc = acc * 31 + step(k, 0.5 + id) + tag.length();
            sleepBriefly(); // on a virtual thread: it unmounts, and may go on on another carrier thread
        }
        return acc;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A virtual thread per task (JDK 21+), found reflectively since this code is compiled for 17. */
    private static ExecutorService virtualThreadPerTaskExecutor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "virtual threads need JDK 21 or later");
            throw new AssertionError(e);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Two threads resume the same coroutine at the same moment, released together from a spinning start line,
     * many times over, half of them on a new coroutine and half on a suspended one: a resume that comes while the
     * other thread runs it is refused with IllegalStateException, and the body never runs on two threads at once.
     */
    @Test
    void twoThreadsResumingAtTheSameMomentNeverBothRunIt() throws Exception {
        int trials = 20_000;
        AtomicReference<Coroutine> target = new AtomicReference<>();
        AtomicInteger startLine = new AtomicInteger(), arrived = new AtomicInteger(), inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger(), ran = new AtomicInteger(), refused = new AtomicInteger();
        AtomicReference<Throwable> other = new AtomicReference<>();
        Runnable race = () -> {
            try {
                target.get().resume();
                ran.incrementAndGet();
            } catch (IllegalStateException e) {
                refused.incrementAndGet();
            } catch (Throwable t) {
                other.compareAndSet(null, t);
            }
            arrived.incrementAndGet();
        };
        Thread second = new Thread(() -> {
            for (int t = 1; t <= trials; t++) {
                while (startLine.get() != t) Thread.onSpinWait();
                race.run();
            }
        }, "second resumer");
        second.setDaemon(true);
        second.start();
        for (int t = 1; t <= trials; t++) {
            Coroutine c = new Coroutine(() -> {
                for (;;) {
                    if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
                    long until = System.nanoTime() + 2_000; // RUNNING long enough to see a late second resume
                    while (System.nanoTime() < until) Thread.onSpinWait();
                    inside.decrementAndGet();
                    Coroutine.yield();
                }
            });
            if (t % 2 == 1) c.resume();
            target.set(c);
            arrived.set(0);
            startLine.set(t);
            race.run();
            while (arrived.get() != 2) Thread.onSpinWait();
        }
        second.join(10_000);
        assertNull(other.get(), "only IllegalStateException may come out of a refused resume");
        assertEquals(0, overlaps.get(), "times the body ran on two threads at once");
        // the second may also run it once the first has suspended it again: then both ran, one after the other
        assertEquals(2 * trials, ran.get() + refused.get());
        assertTrue(refused.get() > 0, "some resumes came while the other thread ran it");
    }

    @Test
    void resumedOnVirtualThreadsThatBlockInsideTheBody() throws Exception {
        int n = 40;
        ExecutorService virtualThreads = virtualThreadPerTaskExecutor();
        try {
            long[] results = new long[n];
            List<Coroutine> coroutines = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int id = k;
                coroutines.add(new Coroutine(() -> results[id] = accumulateBlocking(id, 3 + id % 4)));
            }
            // in each round every unfinished coroutine is resumed once, each on a new virtual thread, all at once
            int rounds = 0;
            for (boolean anySuspended = true; anySuspended; rounds++) {
                List<Future<Boolean>> resumes = new ArrayList<>();
                for (Coroutine c : coroutines) {
                    if (!c.isDone()) resumes.add(virtualThreads.submit(c::resume));
                }
                anySuspended = false;
                for (Future<Boolean> resume : resumes) anySuspended |= resume.get(1, TimeUnit.MINUTES);
            }
            for (int k = 0; k < n; k++) {
                assertTrue(coroutines.get(k).isDone());
                assertEquals(accumulateBlocking(k, 3 + k % 4), results[k], "coroutine " + k);
            }
            assertEquals(3 + 3 + 1, rounds); // the longest body suspends six times and ends in the seventh resume
        } finally {
            virtualThreads.shutdownNow();
            assertTrue(virtualThreads.awaitTermination(1, TimeUnit.MINUTES));
        }
    }

    @Test
    void manyCoroutinesInterleavedRoundRobin() {
        int n = 200;
        List<Coroutine> coroutines = new ArrayList<>();
        long[] results = new long[n];
        for (int k = 0; k < n; k++) {
            int id = k;
            coroutines.add(new Coroutine("rr-" + k, () -> results[id] = accumulate(1 + id % 7, new ArrayList<>())));
        }
        // resume each in turn until all are done: every coroutine keeps its own frames
        boolean anySuspended = true;
        while (anySuspended) {
            anySuspended = false;
            for (Coroutine c : coroutines) {
                if (!c.isDone() && c.resume()) {
                    anySuspended = true;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            assertEquals(accumulate(1 + k % 7, new ArrayList<>()), results[k], "coroutine " + k);
        }
    }

    @Suspendable
    private static void yieldThreeDeep(int k) {
        level2(k);
    }

    @Suspendable
    private static void level2(int k) {
        level3(k);
    }

    @Suspendable
    private static void level3(int k) {
        Coroutine.yield();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int k = 0; k < 3; k++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aMillionYieldsInALoopInConstantMemory() {
        int total = 1_000_000;
        int[] count = new int[1];
        Coroutine c = new Coroutine(() -> {
            for (int k = 0; k < total; k++) {
                count[0]++;
                yieldThreeDeep(k);
            }
        });
        int suspensions = 0;
        long heapAt100k = 0;
        long heapAt1M = 0;
        while (c.resume()) {
            suspensions++;
            if (suspensions == 100_000) {
                heapAt100k = usedHeapAfterGc();
            } else if (suspensions == total) {
                heapAt1M = usedHeapAfterGc();
            }
        }
        assertEquals(total, count[0]);
        assertEquals(total, suspensions);
        assertTrue(c.isDone());
        // every suspension saves 4 frames; keeping them (even only a header and a reference each) would take
        // well over 16 MB for the 900k suspensions in between
        long growth = heapAt1M - heapAt100k;
        assertTrue(growth < 16L << 20, "used heap grew by " + (growth >> 10) + " KB between 100k and 1M yields");
    }

    static RuntimeException keptByInner;

    @Suspendable
    static void innerThrows() {
        Coroutine.yield();
        throw new IllegalStateException("inner");
    }

    @Suspendable
    static void innerKeeps() {
        try {
            innerThrows();
        } catch (IllegalStateException e) {
            keptByInner = e;
        }
    }

    @Suspendable
    static void outerThrowsWhatTheInnerKept(Coroutine inner) {
        Coroutine.yield();
        inner.resume();
        throw keptByInner;
    }

    @Suspendable
    static void outerCaller(Coroutine inner) {
        outerThrowsWhatTheInnerKept(inner);
    }

    @Test
    void anExceptionKeptByAnInnerCoroutineAndThrownByTheOuterShowsTheOutersSavedCallers() {
        Coroutine inner = new Coroutine(NestingAndThreadsTest::innerKeeps);
        inner.resume();
        Coroutine outer = new Coroutine(() -> outerCaller(inner));
        outer.resume();
        RuntimeException e = assertThrows(RuntimeException.class, outer::resume);
        List<String> methods = Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName).toList();
        assertTrue(methods.contains("innerThrows") && methods.contains("outerCaller") && !methods.contains("drive"),
                methods.toString());
    }

    @Test
    void whatACoroutineAsksToRunOnceSuspendedRunsAtItsOwnSuspensionNotAtOneOfACoroutineItResumes() {
        List<String> log = new ArrayList<>();
        Coroutine inner = new Coroutine("inner", Coroutine::yield);
        Coroutine outer = new Coroutine("outer", () -> {
            dev.spindle.internal.Hooks.whenSuspended(() -> log.add("ran, " + inner.state()));
            inner.resume(); // suspends: not the outer's suspension
            log.add("outer yields");
            Coroutine.yield();
        });
        outer.resume();
        assertEquals(List.of("outer yields", "ran, SUSPENDED"), log);
    }
}
