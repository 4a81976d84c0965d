package dev.spindle.internal;

/**
 * Re-enters one saved frame. The agent implements it (one per suspendable method) with a lambda pointing at the
 * method's resume copy, a static method that restores the frame from the carrier and continues after the call
 * that suspended. Not API: only instrumented code uses it.
 */
@FunctionalInterface
public interface Resumer {
    void resume(Carrier carrier);
}
