package dev.spindle.internal;

import java.util.function.Supplier;

/**
 * Finds the {@link Party} running on this thread. The event loop registers its lookup when its class is
 * initialized; before that no loop coroutine can exist, so "none" is the right answer. Not API.
 */
public final class Parties {
    private static volatile Supplier<Party> loops, enclosingLoops;

    private Parties() {
    }

    /** Called once by {@code dev.spindle.io.EventLoop}: the lookups of {@link #current()} and {@link #enclosing()}. */
    public static void register(Supplier<Party> own, Supplier<Party> enclosing) {
        enclosingLoops = enclosing;
        loops = own;
    }

    /** The event-loop coroutine whose own coroutine runs on this thread now, or null. */
    public static Party current() {
        Supplier<Party> l = loops;
        return l == null ? null : l.get();
    }

    /**
     * The event-loop coroutine running on this thread now, even if a coroutine nested inside it (a generator's)
     * is what runs: whose a primitive becomes when such code uses it first, or null.
     */
    public static Party enclosing() {
        Supplier<Party> l = enclosingLoops;
        return l == null ? null : l.get();
    }
}
