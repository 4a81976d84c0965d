package dev.spindle.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Decides which of several alternatives happens: which runnable tasklet runs next, and which of several ready
 * cases a {@link Select} takes. The round-robin scheduler takes the head of its run queue and a ready case at
 * pseudo-random; the seeded and replaying ones are how {@link Interleavings} explores other schedules.
 */
abstract class Picker {
    /** Picks one of {@code n >= 1} runnable tasklets. */
    abstract int choose(int n);

    /** Picks one of {@code n >= 1} ready select cases. */
    int chooseCase(int n) {
        return choose(n);
    }

    /**
     * The round-robin scheduler's: the head of the run queue, and a ready case as Go's select picks one, uniformly
     * at random so that a case always ready does not starve the others, from a fixed seed so that a program runs
     * the same way every time. One per scheduler: its sequence depends only on that scheduler's selects.
     */
    static final class RoundRobin extends Picker {
        private long state = 0x9E3779B97F4A7C15L;

        @Override
        int choose(int n) {
            return 0;
        }

        @Override
        int chooseCase(int n) {
            long x = state; // xorshift64
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state = x;
            return (int) Long.remainderUnsigned(x, n);
        }
    }

    /** Keeps every real choice (one with two or more alternatives), so that a run can be replayed and reported. */
    abstract static class Recording extends Picker {
        /** The index chosen at each choice point. */
        final List<Integer> chosen = new ArrayList<>();
        /** How many alternatives each choice point had. */
        final List<Integer> options = new ArrayList<>();

        @Override
        final int choose(int n) {
            if (n == 1) return 0; // not a choice: not recorded, so replays line up
            int k = pick(n, chosen.size());
            chosen.add(k);
            options.add(n);
            return k;
        }

        abstract int pick(int n, int choicePoint);

        /**
         * Why this picker refused a choice point, if it did: thrown inside the scenario (which may catch it), so
         * {@link Interleavings} throws it again after the run.
         */
        RuntimeException refused() {
            return null;
        }
    }

    /** Uniformly random and reproducible: the same seed gives the same choices. */
    static final class Seeded extends Recording {
        private final Random random;

        Seeded(long seed) {
            // java.util.Random's algorithm is fixed by its specification, so a seed replays on every JDK. The
            // seed is mixed first because Random's first outputs are correlated for neighbouring seeds.
            random = new Random(mix(seed));
        }

        @Override
        int pick(int n, int choicePoint) {
            return random.nextInt(n);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }

    /**
     * Makes the given choices at the first choice points, then takes the first alternative; choice points past
     * {@code branchLimit} are counted as cut off (an exhaustive search did not branch there).
     */
    static final class Replaying extends Recording {
        private final int[] prefix;
        private final int branchLimit;
        /** The prefix is a user's (a replay), not one an earlier run of the search recorded. */
        private final boolean given;
        boolean cutOff;
        private RuntimeException refused;

        Replaying(int[] prefix, int branchLimit, boolean given) {
            this.prefix = prefix;
            this.branchLimit = branchLimit;
            this.given = given;
        }

        @Override
        int pick(int n, int choicePoint) {
            if (choicePoint < prefix.length) {
                int k = prefix[choicePoint];
                if (k >= n) {
                    refused = given
                            ? new IllegalArgumentException("the choices to replay take alternative " + k + " at"
                                    + " choice point " + choicePoint + ", which has " + n + " (0 to " + (n - 1)
                                    + "): they are not choices this scenario makes (replay what Failure.choices()"
                                    + " shows), or the scenario is not deterministic")
                            : new IllegalStateException("the scenario is not deterministic: choice point "
                                    + choicePoint + " had " + n + " alternatives when replayed, fewer than the "
                                    + (k + 1) + " it had before (does it depend on a clock, a hash order, a random"
                                    + " number or state left over from an earlier run?)");
                    throw refused;
                }
                return k;
            }
            if (choicePoint >= branchLimit) cutOff = true;
            return 0;
        }

        @Override
        RuntimeException refused() {
            return refused;
        }
    }
}
