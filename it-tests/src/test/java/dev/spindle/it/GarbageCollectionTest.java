package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * A started coroutine keeps what its frames still use, not its body: what the body captured and used only
     * before suspending is the GC's, as a thread does not keep a local its code no longer reads.
     */
    @Test
    void aStartedCoroutineDoesNotKeepWhatItsBodyCapturedAndNoLongerUses() throws Exception {
        Payload[] box = {new Payload()};
        WeakReference<Payload> captured = new WeakReference<>(box[0]);
        Coroutine c = startedWith(box);
        box[0] = null;
        for (int i = 0; i < 50 && captured.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(captured.get(), "the suspended coroutine still holds what its body captured");
        assertFalse(c.resume());
    }

    private static Coroutine startedWith(Payload[] box) {
        Payload payload = box[0];
        Coroutine c = new Coroutine(() -> {
            assertTrue(payload != null); // its last use: dead at the pause
            Co.pause();
        });
        assertTrue(c.resume());
        return c;
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
