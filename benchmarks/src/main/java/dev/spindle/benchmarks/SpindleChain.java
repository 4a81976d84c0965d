package dev.spindle.benchmarks;

import static dev.spindle.benchmarks.ChainShape.GOLDEN;
import static dev.spindle.benchmarks.ChainShape.NAMES;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;

/** The benchmark chain as Spindle suspendable methods: the innermost frame calls {@link Coroutine#yield()}. */
final class SpindleChain {
    /** Written by the innermost frame of {@link #descendLoop}; a plain static so the JIT keeps the values. */
    static long loopSink;

    private SpindleChain() {
    }

    @Suspendable
    static long descend(int depth, long acc, boolean suspend) {
        int i = (int) acc + depth;
        long l = acc * GOLDEN;
        String s = NAMES[depth & 3];
        long r;
        if (depth > 1) {
            r = descend(depth - 1, acc + 1, suspend);
        } else {
            if (suspend) Coroutine.yield();
            r = acc + 1;
        }
        return r + i + (l >>> 29) + s.length() + (suspend ? 1 : 0) + depth;
    }

    @Suspendable
    static long descendLoop(int depth, long acc) {
        int i = (int) acc + depth;
        long l = acc * GOLDEN;
        String s = NAMES[depth & 3];
        long r;
        if (depth > 1) {
            r = descendLoop(depth - 1, acc + 1);
        } else {
            r = acc;
            for (;;) {
                Coroutine.yield();
                r += i + (l >>> 29) + s.length() + depth;
                loopSink = r;
            }
        }
        return r + i + (l >>> 29) + s.length() + depth;
    }
}
