package dev.spindle.internal;

import dev.spindle.SuspendableRunnable;

/**
 * For tests: a class the agent leaves alone (it never instruments Spindle's internals), standing for one it could
 * not rewrite at all, which has no check after its calls.
 */
public final class UninstrumentedCaller {
    private UninstrumentedCaller() {
    }

    /** Runs {@code step} twice, as uninstrumented code would: on, after a suspension, with its placeholder. */
    public static void twice(SuspendableRunnable step) {
        step.run();
        step.run();
    }
}
