package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

/** Nothing global holds a suspended coroutine: dropped, it is collected like any object. */
class GarbageCollectionTest {
    private static final class Payload {
    }

    @Test
    void aSuspendedCoroutineNobodyReferencesIsCollected() throws Exception {
        WeakReference<Coroutine> coroutine = suspendedAndDropped();
        for (int i = 0; i < 50 && coroutine.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(coroutine.get(), "the suspended coroutine was not collected");
    }

    /** Also what its frames hold: a value live in a suspended frame goes with the coroutine. */
    private static WeakReference<Coroutine> suspendedAndDropped() {
        Coroutine c = new Coroutine(() -> {
            Payload held = new Payload();
            Co.pause();
            assertTrue(held != null);
        });
        assertTrue(c.resume());
        return new WeakReference<>(c);
    }
}
