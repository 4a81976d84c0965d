package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Helpers shared by the integration tests.
 *
 * <p>The {@code sXxx(v)} methods are suspension points that return their argument: inside a coroutine they yield
 * first, outside one they just return it. So the same suspendable code can be run directly (the expected result,
 * computed without any suspension) and inside a coroutine that suspends at every one of these calls.
 */
final class Co {
    /** How many times {@link #pause()} was called, in or out of a coroutine. */
    private static final AtomicLong PAUSES = new AtomicLong();

    private Co() {
    }

    /** Yields if a coroutine runs on this thread; otherwise does nothing. */
    @Suspendable
    static void pause() {
        PAUSES.incrementAndGet();
        if (Coroutine.current() != null) {
            Coroutine.yield();
        }
    }

    /** Yields unconditionally (so it throws outside a coroutine). */
    @Suspendable
    static void pauseAlways() {
        Coroutine.yield();
    }

    static long pauses() {
        return PAUSES.get();
    }

    @Suspendable
    static int sInt(int v) {
        pause();
        return v;
    }

    @Suspendable
    static long sLong(long v) {
        pause();
        return v;
    }

    @Suspendable
    static double sDouble(double v) {
        pause();
        return v;
    }

    @Suspendable
    static float sFloat(float v) {
        pause();
        return v;
    }

    @Suspendable
    static short sShort(short v) {
        pause();
        return v;
    }

    @Suspendable
    static byte sByte(byte v) {
        pause();
        return v;
    }

    @Suspendable
    static char sChar(char v) {
        pause();
        return v;
    }

    @Suspendable
    static boolean sBool(boolean v) {
        pause();
        return v;
    }

    @Suspendable
    static <T> T sRef(T v) {
        pause();
        return v;
    }

    /** Resumes {@code c} until its body ends; returns how many times it suspended. */
    static int drive(Coroutine c) {
        int suspensions = 0;
        while (c.resume()) {
            suspensions++;
        }
        assertTrue(c.isDone(), "a coroutine whose resume() returned false must be done");
        return suspensions;
    }

    /** What a body computed inside a coroutine, and how many times it suspended on the way. */
    record Run<T>(T value, int suspensions) {
    }

    /** Runs {@code body} as a coroutine to its end. */
    @SuppressWarnings("unchecked")
    static <T> Run<T> inCoroutine(SuspendableCallable<T> body) {
        Object[] result = new Object[1];
        Coroutine c = new Coroutine(() -> result[0] = body.call());
        int suspensions = drive(c);
        return new Run<>((T) result[0], suspensions);
    }

    /**
     * Runs {@code body} directly (no coroutine: nothing suspends) and then as a coroutine that suspends at every
     * {@link #pause()}; asserts both give equal results, and that the coroutine suspended exactly once per
     * {@code pause()} the direct run made (at least once). Returns the result.
     */
    static <T> T sameWithAndWithoutSuspension(SuspendableCallable<T> body) {
        assertNull(Coroutine.current(), "must be called outside any coroutine");
        long before = pauses();
        T expected = body.call();
        long pausesInDirectRun = pauses() - before;
        assertTrue(pausesInDirectRun > 0, "the body must contain suspension points");

        Run<T> run = inCoroutine(body);
        assertEquals(expected, run.value(), "result inside a coroutine differs from the direct run");
        assertEquals(pausesInDirectRun, run.suspensions(),
                "the coroutine must suspend once per suspension point the direct run passed");
        return expected;
    }
}
