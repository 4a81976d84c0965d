package dev.spindle.benchmarks;

import static dev.spindle.benchmarks.ChainShape.GOLDEN;
import static dev.spindle.benchmarks.ChainShape.NAMES;

import dev.spindle.Coroutine;

/**
 * The benchmark chain, code identical to {@link SpindleChain} but without {@code @Suspendable}: the agent leaves
 * it alone. Called with {@code suspend == false} it is the plain-call floor (the yield is never reached; were it
 * reached, {@code Coroutine.yield()} would throw since the caller is not instrumented).
 */
final class UnmarkedChain {
    private UnmarkedChain() {
    }

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
}
