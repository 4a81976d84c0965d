package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Coroutine.State;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The life cycle of a coroutine, its illegal transitions, and the logical stack of a suspended one. */
class StateTest {

    @Test
    void transitionsFromNewThroughSuspendedToDone() {
        List<State> seenInside = new ArrayList<>();
        List<String> namesInside = new ArrayList<>();
        Coroutine c = new Coroutine("states", () -> {
            seenInside.add(Coroutine.current().state());
            namesInside.add(Coroutine.current().name());
            pause();
            seenInside.add(Coroutine.current().state());
            pause();
        });
        assertEquals(State.NEW, c.state());
        assertFalse(c.isDone());
        assertEquals("states", c.name());
        assertEquals("Coroutine[states, NEW]", c.toString());

        assertTrue(c.resume());
        assertEquals(State.SUSPENDED, c.state());
        assertFalse(c.isDone());
        assertEquals("Coroutine[states, SUSPENDED]", c.toString());
        assertTrue(c.resume());
        assertEquals(State.SUSPENDED, c.state());

        assertFalse(c.resume());
        assertEquals(State.DONE, c.state());
        assertTrue(c.isDone());
        assertEquals(List.of(State.RUNNING, State.RUNNING), seenInside);
        assertEquals(List.of("states"), namesInside);
        assertEquals("states", c.name());
    }

    @Test
    void anUnnamedCoroutineHasNoNameInAnyState() {
        List<String> namesInside = new ArrayList<>();
        Coroutine c = new Coroutine(() -> {
            namesInside.add(Coroutine.current().name());
            pause();
        });
        assertNull(c.name());
        assertTrue(c.resume());
        assertNull(c.name());
        assertTrue(c.toString().endsWith(", SUSPENDED]"), c.toString());
        assertFalse(c.resume());
        assertNull(c.name());
        assertEquals(Collections.singletonList(null), namesInside);
    }

    @Test
    void bodyThatNeverSuspendsIsDoneAfterOneResume() {
        int[] runs = new int[1];
        Coroutine c = new Coroutine(() -> runs[0]++);
        assertFalse(c.resume());
        assertTrue(c.isDone());
        assertEquals(1, runs[0]);
    }

    @Test
    void resumeAfterDoneThrows() {
        int[] runs = new int[1];
        Coroutine c = new Coroutine(() -> {
            runs[0]++;
            pause();
        });
        assertEquals(1, Co.drive(c));
        IllegalStateException e = assertThrows(IllegalStateException.class, c::resume);
        assertTrue(e.getMessage().contains("it is done") && e.getMessage().contains("while isDone() is false"),
                e.getMessage());
        assertEquals(State.DONE, c.state());
        assertEquals(1, runs[0], "the body must not run again");
    }

    @Test
    void resumeAfterAnExceptionEscapedThrows() {
        Coroutine c = new Coroutine(() -> {
            pause();
            throw new UnsupportedOperationException("escaped");
        });
        assertTrue(c.resume());
        assertThrows(UnsupportedOperationException.class, c::resume);
        assertTrue(c.isDone());
        assertThrows(IllegalStateException.class, c::resume);
    }

    @Test
    void resumingItselfFromInsideThrowsAndTheCoroutineGoesOn() {
        AtomicReference<Throwable> fromInside = new AtomicReference<>();
        List<String> log = new ArrayList<>();
        Coroutine c = new Coroutine(() -> {
            log.add("before");
            try {
                Coroutine.current().resume();
                log.add("resumed itself");
            } catch (IllegalStateException e) {
                fromInside.set(e);
            }
            pause();
            log.add("after");
        });
        assertTrue(c.resume());
        assertInstanceOf(IllegalStateException.class, fromInside.get());
        assertEquals(State.SUSPENDED, c.state());
        assertFalse(c.resume());
        assertEquals(List.of("before", "after"), log);
    }

    @Test
    void innerCoroutineResumingItsOuterCoroutineThrows() {
        AtomicReference<Throwable> fromInner = new AtomicReference<>();
        Coroutine[] outer = new Coroutine[1];
        outer[0] = new Coroutine(() -> {
            Coroutine inner = new Coroutine(() -> {
                try {
                    outer[0].resume();
                } catch (IllegalStateException e) {
                    fromInner.set(e);
                }
                pause();
            });
            while (inner.resume()) {
                pause();
            }
        });
        assertEquals(1, Co.drive(outer[0]));
        assertInstanceOf(IllegalStateException.class, fromInner.get());
    }

    @Test
    void resumingACoroutineRunningOnAnotherThreadThrows() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> log = new ArrayList<>();
        Coroutine c = new Coroutine(() -> {
            log.add("started");
            running.countDown();
            awaitUninterruptibly(release);
            pause();
            log.add("finished");
        });
        AtomicReference<Object> otherResult = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                otherResult.set(c.resume());
            } catch (Throwable t) {
                otherResult.set(t);
            }
        }, "spindle-test-runner");
        other.start();
        try {
            assertTrue(running.await(1, TimeUnit.MINUTES), "the body did not start");
            assertEquals(State.RUNNING, c.state());
            IllegalStateException e = assertThrows(IllegalStateException.class, c::resume);
            assertTrue(e.getMessage().contains("already running") && e.getMessage().contains("one thread at a time"),
                    e.getMessage());
        } finally {
            release.countDown();
            other.join(TimeUnit.MINUTES.toMillis(1));
        }
        assertFalse(other.isAlive());
        assertEquals(Boolean.TRUE, otherResult.get(), "the coroutine must have suspended normally");
        assertEquals(State.SUSPENDED, c.state());
        assertFalse(c.resume());
        assertEquals(List.of("started", "finished"), log);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(1, TimeUnit.MINUTES));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ---- the logical stack of a suspended coroutine ----

    /** The caller chains recorded by a direct run, one per suspension point passed. */
    private static final List<StackTraceElement[]> SNAPSHOTS = new ArrayList<>();

    /** Outside a coroutine: records its callers' frames; inside one: suspends. Called from the same line either way. */
    @Suspendable
    private static void suspendOrSnapshot() {
        if (Coroutine.current() == null) {
            SNAPSHOTS.add(StackWalker.getInstance().walk(s -> s.skip(1)
                    .map(StackWalker.StackFrame::toStackTraceElement).toArray(StackTraceElement[]::new)));
        } else {
            Coroutine.yield();
        }
    }

    @Suspendable
    private static void a() {
        b();
        suspendOrSnapshot();
    }

    @Suspendable
    private static void b() {
        c();
        suspendOrSnapshot();
    }

    @Suspendable
    private static void c() {
        suspendOrSnapshot();
    }

    /** Class, method and line of {@code n} frames from {@code from}. */
    private static List<String> describe(StackTraceElement[] frames, int from, int n) {
        assertTrue(frames.length >= from + n, "too few frames: " + Arrays.toString(frames));
        return Arrays.stream(frames).skip(from).limit(n).map(e -> e.getClassName() + "." + e.getMethodName() + ":"
                + e.getLineNumber()).toList();
    }

    private static List<String> names(StackTraceElement[] frames, int n) {
        assertTrue(frames.length >= n, "too few frames: " + Arrays.toString(frames));
        return Arrays.stream(frames).limit(n).map(StackTraceElement::getMethodName).toList();
    }

    @Test
    void stackTraceOfASuspendedCoroutineNamesTheMethodsInnermostFirst() {
        assertEquals(0, new Coroutine(() -> { }).stackTrace().length, "a new coroutine has no logical stack");

        Coroutine co = new Coroutine(StateTest::a);
        List<StackTraceElement[]> traces = new ArrayList<>();
        while (co.resume()) {
            traces.add(co.stackTrace());
        }
        assertEquals(0, co.stackTrace().length, "a finished coroutine has no logical stack");
        assertEquals(3, traces.size());

        // first suspension: suspendOrSnapshot <- c <- b <- a; then c has returned; then b has too
        assertEquals(List.of("suspendOrSnapshot", "c", "b", "a"), names(traces.get(0), 4));
        assertEquals(List.of("suspendOrSnapshot", "b", "a"), names(traces.get(1), 3));
        assertEquals(List.of("suspendOrSnapshot", "a"), names(traces.get(2), 2));
        for (StackTraceElement[] t : traces) {
            for (StackTraceElement e : t) {
                assertTrue(e.getLineNumber() > 0, "no line number in " + e + " of " + Arrays.toString(t));
            }
        }

        // each frame's line is that of the call it is suspended in: the same as the caller chain of a direct run
        SNAPSHOTS.clear();
        a();
        assertEquals(3, SNAPSHOTS.size());
        for (int k = 0; k < 3; k++) {
            int callers = 3 - k;
            assertEquals(describe(SNAPSHOTS.get(k), 0, callers), describe(traces.get(k), 1, callers),
                    "suspension " + k + ": " + Arrays.toString(traces.get(k)));
        }
    }

    /** {@code depth} calls down, a loop that suspends {@code yields} times; each caller adds after the call. */
    @Suspendable
    private static long loopBelow(int depth, int yields) {
        if (depth == 0) {
            long acc = 0;
            for (int i = 0; i < yields; i++) {
                Co.pause();
                acc = acc * 3 + i;
            }
            return acc;
        }
        return loopBelow(depth - 1, yields) * 7 + depth;
    }

    /**
     * The innermost frame suspends again while its callers are still saved: its new frame goes above theirs with
     * a link to where they start, which a suspended coroutine keeps after the words its frames use. Over these
     * depths the frames' words hit every size, also the one where the link fills the array exactly.
     */
    @Test
    void suspendedInALoopBelowSavedCallersAtEveryDepth() {
        int yields = 5;
        for (int depth = 0; depth <= 40; depth++) {
            int d = depth;
            long[] result = {-1};
            Coroutine co = new Coroutine(() -> result[0] = loopBelow(d, yields));
            int suspensions = 0;
            while (co.resume()) {
                suspensions++;
                StackTraceElement[] trace = co.stackTrace();
                assertEquals(d + 3, trace.length, "depth " + d + ": " + Arrays.toString(trace));
                assertEquals(List.of("pause", "loopBelow"), names(trace, 2));
                for (int k = 1; k <= d + 1; k++) assertEquals("loopBelow", trace[k].getMethodName());
            }
            assertEquals(yields, suspensions);
            assertEquals(loopBelow(d, yields), result[0], "depth " + d);
        }
    }
}
