package dev.spindle;

/**
 * The code of a {@link Greenlet}: Python's {@code run}. It gets the value of the first switch to its greenlet,
 * and what it returns goes to the greenlet's parent.
 *
 * <pre>{@code
 * Greenlet doubler = new Greenlet(arg -> (Integer) arg * 2);
 * int four = doubler.switchTo(2);      // starts the body with 2; its result comes back here (the parent)
 * }</pre>
 *
 * <p>Being {@link Suspendable}, every lambda or method reference of this interface may switch greenlets, and
 * so may the {@code @Suspendable} methods it calls, at any depth.
 */
@FunctionalInterface
public interface GreenletBody {
    /**
     * Runs the greenlet.
     *
     * @param arg the value passed to the switch that started the greenlet
     * @return the value handed to the parent when the greenlet ends
     */
    @Suspendable
    Object run(Object arg);
}
