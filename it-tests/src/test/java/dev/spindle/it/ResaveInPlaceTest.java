package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Frames resumed while their callers are still saved, and suspending again where they were resumed from, are
 * saved back where they were read (record by record, each with the same resumer as the one read at its place)
 * instead of in a new segment linked to their callers'. These tests take every path of that: records saved in
 * place; a record that does not match the one read at its place (recursion: a frame calls itself and the inner
 * call suspends at the same place as the outer one was), so those placed before it move out to a new segment;
 * and a suspension refused after a record went in place, or before any was saved.
 */
class ResaveInPlaceTest {
    private static final Object LOCK = new Object();
    /** How many {@link #loop} frames are live, as the coroutine's logical stack must show them. */
    private static int live;
    private static final List<String> LOG = new ArrayList<>();

    @Suspendable
    private static long outer(int n) {
        long before = n * 1000L;
        long r = loop(n);
        return before + r;
    }

    /**
     * Yields three times itself. In its second turn it calls itself, whose first yield is at the same place as
     * this frame's, in its third it does so inside a {@code synchronized} block, where that yield is refused.
     */
    @Suspendable
    private static long loop(int n) {
        live++;
        long acc = n;
        double scale = 0.5 * n;
        String tag = "n" + n;
        for (int i = 0; i < 3; i++) {
            if (Coroutine.current() != null) Coroutine.yield();
            acc = acc * 10 + i + tag.length() + (long) scale;
            scale *= 2;
            if (n > 0 && i == 1) acc += loop(n - 1);
            if (n > 0 && i == 2) {
                try {
                    synchronized (LOCK) {
                        acc += loop(n - 1);
                    }
                } catch (IllegalStateException refused) {
                    live--; // the inner frame's: it was dropped when its suspension was refused
                    LOG.add("refused in " + n + ": " + refused.getMessage().contains("monitor"));
                }
            }
        }
        live--;
        return acc;
    }

    /** What {@link #loop} computes in a coroutine: the same, with the calls in the monitor refused. */
    private static long model(int n, List<String> log) {
        long acc = n;
        double scale = 0.5 * n;
        String tag = "n" + n;
        for (int i = 0; i < 3; i++) {
            acc = acc * 10 + i + tag.length() + (long) scale;
            scale *= 2;
            if (n > 0 && i == 1) acc += model(n - 1, log);
            if (n > 0 && i == 2) log.add("refused in " + n + ": true");
        }
        return acc;
    }

    @Test
    void framesSavedInPlaceMovedOutAndDroppedKeepTheirValuesAndStack() {
        for (int n = 0; n <= 4; n++) {
            LOG.clear();
            live = 0;
            int top = n;
            long[] result = {-1};
            Coroutine co = new Coroutine(() -> result[0] = outer(top));
            int suspensions = 0;
            while (co.resume()) {
                suspensions++;
                StackTraceElement[] trace = co.stackTrace();
                List<String> names = methodNames(trace);
                assertEquals(live + 2, names.size(), "n=" + n + ", suspension " + suspensions + ": " + names);
                for (int k = 0; k < live; k++) assertEquals("loop", names.get(k), names.toString());
                assertEquals("outer", names.get(live), names.toString());
                for (StackTraceElement e : trace) assertTrue(e.getLineNumber() > 0, Arrays.toString(trace));
            }
            List<String> expectedLog = new ArrayList<>();
            assertEquals(n * 1000L + model(n, expectedLog), result[0], "n=" + n);
            assertEquals(expectedLog, LOG, "n=" + n);
            assertEquals(0, live, "n=" + n);
            assertEquals(suspensions(n), suspensions, "n=" + n);
        }
    }

    private static List<String> methodNames(StackTraceElement[] trace) {
        return Arrays.stream(trace).map(StackTraceElement::getMethodName).toList();
    }

    /**
     * Resumes {@code co} to its end, checking that at each suspension its logical stack is {@code frames} and then
     * the body's lambda; returns how many times it suspended.
     */
    private static int driveExpectingStack(Coroutine co, List<String> frames) {
        int suspensions = 0;
        while (co.resume()) {
            suspensions++;
            List<String> names = methodNames(co.stackTrace());
            assertEquals(frames, names.subList(0, Math.min(frames.size(), names.size())), names.toString());
            assertEquals(frames.size() + 1, names.size(), names.toString());
        }
        return suspensions;
    }

    /** Three yields of its own, those of the completed inner call and the refused one's first yield. */
    private static int suspensions(int n) {
        return n == 0 ? 3 : 3 + suspensions(n - 1);
    }

    /** Yields, then tries to yield holding a monitor (refused before it saved anything), three times. */
    @Suspendable
    private static long refusedBetween(int n) {
        long acc = n;
        for (int i = 0; i < 3; i++) {
            Coroutine.yield();
            try {
                synchronized (LOCK) {
                    Coroutine.yield();
                }
            } catch (IllegalStateException refused) {
                acc += 100;
            }
            acc = acc * 3 + i;
        }
        return acc;
    }

    @Suspendable
    private static long callsRefusedBetween(int n) {
        String s = "x" + n;
        return refusedBetween(n) + s.length();
    }

    @Test
    void aSuspensionRefusedBeforeItSavedAnythingLeavesTheSavedCallersAsTheyWere() {
        long[] result = {-1};
        Coroutine co = new Coroutine(() -> result[0] = callsRefusedBetween(7));
        assertEquals(3, driveExpectingStack(co, List.of("refusedBetween", "callsRefusedBetween")));
        long acc = 7;
        for (int i = 0; i < 3; i++) acc = (acc + 100) * 3 + i;
        assertEquals(acc + 2, result[0]);
    }

    /**
     * Suspends first; once resumed, calls itself holding a monitor: the inner call's first yield is at the same
     * place as this frame's, so its record goes in place, and then the suspension is refused at the monitor.
     */
    @Suspendable
    private static long lockedRecursion(int n) {
        long acc = n;
        if (Coroutine.current() != null) Coroutine.yield();
        if (n > 0) {
            try {
                synchronized (LOCK) {
                    acc += lockedRecursion(n - 1);
                }
            } catch (IllegalStateException refused) {
                acc += 1000;
            }
        }
        if (Coroutine.current() != null) Coroutine.yield();
        return acc;
    }

    @Suspendable
    private static long callsLockedRecursion(int n) {
        long before = n * 7L;
        return before + lockedRecursion(n);
    }

    @Test
    void aRefusalAfterARecordWentInPlaceDropsItAndTheCallersResumeAsSaved() {
        long[] result = {-1};
        Coroutine co = new Coroutine(() -> result[0] = callsLockedRecursion(3));
        assertEquals(2, driveExpectingStack(co, List.of("lockedRecursion", "callsLockedRecursion")));
        assertEquals(3 * 7 + 3 + 1000, result[0]);
        assertFalse(Thread.holdsLock(LOCK));
    }

    /** The frame suspends again in place while another thread resumes it each time. */
    @Test
    void savedInPlaceAndResumedOnAnotherThreadEachTime() throws Exception {
        long[] result = {-1};
        LOG.clear();
        live = 0;
        Coroutine co = new Coroutine(() -> result[0] = outer(0));
        boolean suspended = true;
        while (suspended) {
            boolean[] out = new boolean[1];
            Thread t = new Thread(() -> out[0] = co.resume());
            t.start();
            t.join();
            suspended = out[0];
        }
        assertEquals(model(0, new ArrayList<>()), result[0]);
    }
}
