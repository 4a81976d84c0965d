package dev.spindle.benchmarks;

import static dev.spindle.benchmarks.ChainShape.GOLDEN;
import static dev.spindle.benchmarks.ChainShape.NAMES;

/**
 * The benchmark chain's {@code descend} for parked virtual threads in {@link MemoryFootprint}: the innermost frame
 * parks until released.
 */
final class ParkingChain {
    private ParkingChain() {
    }

    static long descend(int depth, long acc, boolean suspend) {
        int i = (int) acc + depth;
        long l = acc * GOLDEN;
        String s = NAMES[depth & 3];
        long r;
        if (depth > 1) {
            r = descend(depth - 1, acc + 1, suspend);
        } else {
            if (suspend) MemoryFootprint.parkUntilReleased();
            r = acc + 1;
        }
        return r + i + (l >>> 29) + s.length() + (suspend ? 1 : 0) + depth;
    }
}
