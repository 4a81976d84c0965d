package dev.spindle.benchmarks;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;

/**
 * A chain whose frames keep one live {@code int} each, for {@link MemoryFootprint}'s {@code lean} mode: what a
 * suspended coroutine costs beyond the values its frames keep.
 */
final class LeanChain {
    private LeanChain() {
    }

    /** {@code depth} frames; the innermost suspends; returns 1 + 2 + ... + depth + 1. */
    @Suspendable
    static int lean(int depth) {
        int r;
        if (depth > 1) {
            r = lean(depth - 1);
        } else {
            Coroutine.yield();
            r = 1;
        }
        return r + depth;
    }
}
