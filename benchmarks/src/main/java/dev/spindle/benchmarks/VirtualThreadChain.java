package dev.spindle.benchmarks;

import static dev.spindle.benchmarks.ChainShape.GOLDEN;
import static dev.spindle.benchmarks.ChainShape.NAMES;

/**
 * The benchmark chain run by a virtual thread: the innermost frame hands the carrier over to the driving virtual
 * thread and parks until it is handed back ({@link VirtualThreadPair#yieldToDriver()}).
 */
final class VirtualThreadChain {
    /** Written by the innermost frame of {@link #descendLoop}; a plain static so the JIT keeps the values. */
    static long loopSink;

    private VirtualThreadChain() {
    }

    static long descend(int depth, long acc, boolean suspend) {
        int i = (int) acc + depth;
        long l = acc * GOLDEN;
        String s = NAMES[depth & 3];
        long r;
        if (depth > 1) {
            r = descend(depth - 1, acc + 1, suspend);
        } else {
            if (suspend) VirtualThreadPair.yieldToDriver();
            r = acc + 1;
        }
        return r + i + (l >>> 29) + s.length() + (suspend ? 1 : 0) + depth;
    }

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
                VirtualThreadPair.yieldToDriver();
                r += i + (l >>> 29) + s.length() + depth;
                loopSink = r;
            }
        }
        return r + i + (l >>> 29) + s.length() + depth;
    }
}
