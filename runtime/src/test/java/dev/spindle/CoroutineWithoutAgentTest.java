package dev.spindle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The runtime's unit tests run without the agent: what a user sees who forgot it. */
class CoroutineWithoutAgentTest {
    @Test
    void creatingACoroutineSaysWhichOptionToAdd() {
        assertFalse(Spindle.isAgentInstalled());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Coroutine(() -> { }));
        assertTrue(e.getMessage().contains("-javaagent:"), e.getMessage());
        assertTrue(e.getMessage().contains("spindle-agent.jar"), e.getMessage());
    }

    @Test
    void yieldAsTheFirstUseSaysWhichOptionToAddToo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Coroutine::yield);
        assertTrue(e.getMessage().contains("-javaagent:"), e.getMessage());
    }

    @Test
    void noCoroutineRunsOnAPlainThread() {
        assertNull(Coroutine.current());
    }
}
