package dev.spindle.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HooksTest {
    /** Signals one unwind on a new thread, as a suspension would, and returns that thread's carrier once it ended. */
    private static Carrier unwindOnce() throws InterruptedException {
        AtomicReference<Carrier> carrier = new AtomicReference<>();
        AtomicReference<Boolean> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Carrier k = Carrier.get();
            Hooks.startUnwinding(k);
            seen.set(Hooks.unwinding());
            Hooks.endUnwinding(k);
            carrier.set(k);
        });
        t.start();
        t.join();
        assertTrue(seen.get(), "a thread that unwinds must see the flag set");
        return carrier.get();
    }

    @Test
    void theSoloRoleOfAThreadThatEndedGoesToTheNextThreadThatSuspends() throws InterruptedException {
        Carrier first = unwindOnce();
        assumeTrue(Hooks.isSolo(first), "another live thread of this JVM is the solo thread");
        Carrier second = unwindOnce();
        assertTrue(Hooks.isSolo(second), "the solo thread had ended: the next one should have taken its place");
        assertFalse(Hooks.unwinding(), "nobody is unwinding any more");
    }

    /**
     * Runs {@code body} while a thread of its own (not the test's, which would keep the solo role for the rest of
     * the JVM's life) unwinds, so that the threads {@code body} starts are not the solo one; rethrows its failure.
     */
    private static void whileAnotherThreadUnwinds(ThrowingRunnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread holder = new Thread(() -> {
            Carrier me = Carrier.get();
            Hooks.startUnwinding(me); // the solo thread now, unless a live one is
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                Hooks.endUnwinding(me);
            }
        });
        holder.start();
        holder.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aThreadThatIsNotSoloStillSeesItsOwnUnwinding() throws Exception {
        whileAnotherThreadUnwinds(() -> {
            Carrier other = unwindOnce(); // asserts that it saw the flag, through the counter if not solo
            assertFalse(Hooks.isSolo(other), "a second thread took the solo role of one that is alive");
        });
        assertFalse(Hooks.unwinding(), "nobody is unwinding any more");
    }

    /**
     * A thread counted among the others whose unwind a stack overflow cut short before it could give up its count
     * (the driver then clears only its flag) gives it up when its next unwind ends, not a second count with it.
     */
    @Test
    void aCountKeptByAnUnwindCutShortIsGivenUpAtTheNextOne() throws Exception {
        whileAnotherThreadUnwinds(() -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                Carrier k = Carrier.get();
                Hooks.startUnwinding(k);
                k.unwinding = false; // cut short: the flag cleared, the count kept
                Hooks.startUnwinding(k);
                Hooks.endUnwinding(k);
                assertFalse(k.counted);
            });
            other.setUncaughtExceptionHandler((t, e) -> failure.set(e));
            other.start();
            other.join();
            if (failure.get() != null) throw new AssertionError(failure.get());
        });
        assertFalse(Hooks.unwinding(), "the count kept must have been given up");
    }
}
