package dev.spindle.internal;

/**
 * Re-enters one saved frame. There is one per resume point of a suspendable method, made by
 * {@link ResumerFactory} for the method's resume copy, a static method that restores the frame from the carrier
 * and continues after the call that suspended. Not API: only instrumented code uses it.
 *
 * <p>A saved frame is its resumer followed by its values, so the resumer carries what the driver needs to read
 * the record (the resume point and the record's size, see {@link Frames#header}): that keeps a header word out
 * of every saved frame.
 *
 * <p>An abstract class rather than an interface because the driver calls {@link #resume} once per resumed frame,
 * from one call site that sees every suspendable method of the program: a virtual call through a vtable costs
 * less there than an interface call through an itable.
 */
public abstract class Resumer {
    /** The resume point and the number of int words and references saved after the resumer. */
    final int header;
    /** The frame's method and line, once asked (see {@code Continuation.describeFrame}). */
    StackTraceElement described;

    protected Resumer(int header) {
        this.header = header;
    }

    /**
     * Re-enters the frame saved at resume point {@code state} whose values start at {@code word} in
     * {@code words} and at {@code ref} in {@code refs}, the running continuation's arrays;
     * {@link Frames#DESCRIBE} asks the copy to describe itself instead. The cursor and the arrays go in
     * arguments, not through the carrier: on the way from one frame to the next they are registers, where
     * carrier fields would be a store and a load each.
     */
    public abstract void resume(Carrier carrier, int state, int word, int ref, int[] words, Object[] refs);
}
