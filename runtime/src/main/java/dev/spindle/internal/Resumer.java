package dev.spindle.internal;

/**
 * Re-enters one saved frame. There is one per suspendable method, made by {@link ResumerFactory} for the
 * method's resume copy, a static method that restores the frame from the carrier and continues after the call
 * that suspended. Not API: only instrumented code uses it.
 *
 * <p>An abstract class rather than an interface because the driver calls {@link #resume} once per resumed frame,
 * from one call site that sees every suspendable method of the program: a virtual call through a vtable costs
 * less there than an interface call through an itable.
 */
public abstract class Resumer {
    protected Resumer() {
    }

    public abstract void resume(Carrier carrier);
}
