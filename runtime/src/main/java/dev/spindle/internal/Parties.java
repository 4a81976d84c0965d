package dev.spindle.internal;

import java.util.function.Supplier;

/**
 * Finds the {@link Party} running on this thread. The event loop registers its lookup when its class is
 * initialized; before that no loop coroutine can exist, so "none" is the right answer. Not API.
 */
public final class Parties {
    private static volatile Supplier<Party> loops;

    private Parties() {
    }

    /** Called once by {@code dev.spindle.io.EventLoop}. */
    public static void register(Supplier<Party> lookup) {
        loops = lookup;
    }

    /** The event-loop coroutine whose own coroutine runs on this thread now, or null. */
    public static Party current() {
        Supplier<Party> l = loops;
        return l == null ? null : l.get();
    }
}
