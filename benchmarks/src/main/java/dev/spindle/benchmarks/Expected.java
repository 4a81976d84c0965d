package dev.spindle.benchmarks;

import static dev.spindle.benchmarks.ChainShape.GOLDEN;
import static dev.spindle.benchmarks.ChainShape.NAMES;

import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Values the chains must produce, computed without suspension, so that each benchmark's setup can check that
 * suspending and resuming kept every frame's locals intact before it measures anything.
 */
final class Expected {
    private Expected() {
    }

    /** What {@code descend(depth, acc, true)} returns once resumed: the plain result plus 1 per frame. */
    static long descend(int depth, long acc) {
        return UnmarkedChain.descend(depth, acc, false) + depth;
    }

    /**
     * The innermost frame's {@code r} in {@code descendLoop(depth, 0)} after it has been resumed {@code k} times
     * from its first yield.
     */
    static long loopAfter(int depth, int k) {
        long acc = depth - 1; // acc + 1 per level
        int i = (int) acc + 1;
        long l = acc * GOLDEN;
        String s = NAMES[1];
        return acc + k * (i + (l >>> 29) + s.length() + 1);
    }

    static void check(String what, long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(what + ": expected " + expected + " but the chain produced " + actual
                    + " (a suspended frame's locals were not restored correctly)");
        }
    }

    /** The benchmark method's name: the last part of the benchmark's full name. */
    static String variant(BenchmarkParams params) {
        String name = params.getBenchmark();
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
