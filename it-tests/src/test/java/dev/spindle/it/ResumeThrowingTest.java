package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code resumeThrowing}: the suspended yield throws, as Python's {@code generator.throw}. */
class ResumeThrowingTest {
    private final List<String> log = new ArrayList<>();

    @Suspendable
    private void inner() {
        try {
            Coroutine.yield();
            log.add("not reached");
        } finally {
            log.add("inner finally");
        }
    }

    @Suspendable
    private void outer() {
        try {
            inner();
        } catch (IllegalArgumentException e) {
            log.add("caught " + e.getMessage());
            Coroutine.yield();
            log.add("after second yield");
        }
    }

    @Test
    void theExceptionIsThrownAtTheSuspensionPointAndCaughtByAnOuterFrame() {
        Coroutine c = new Coroutine(this::outer);
        assertTrue(c.resume());
        assertTrue(c.resumeThrowing(new IllegalArgumentException("stop")));
        assertEquals(List.of("inner finally", "caught stop"), log);
        assertFalse(c.resume());
        assertEquals("after second yield", log.get(2));
    }

    @Test
    void anUncaughtExceptionComesOutAndEndsTheCoroutine() {
        Coroutine c = new Coroutine(this::inner);
        assertTrue(c.resume());
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> c.resumeThrowing(boom)));
        assertEquals(List.of("inner finally"), log);
        assertTrue(c.isDone());
    }

    @Test
    void aCoroutineNotStartedNeverRuns() {
        Coroutine c = new Coroutine(() -> log.add("ran"));
        RuntimeException e = new RuntimeException("before start");
        assertSame(e, assertThrows(RuntimeException.class, () -> c.resumeThrowing(e)));
        assertTrue(c.isDone());
        assertTrue(log.isEmpty());
    }
}
