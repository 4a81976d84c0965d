package dev.spindle;

/**
 * A hook that sees every transfer of control between the greenlets of a thread: Python's
 * {@code greenlet.settrace}. Install it with {@link Greenlet#setTrace(GreenletTrace)}.
 *
 * <pre>{@code
 * GreenletTrace previous = Greenlet.setTrace((event, origin, target) ->
 *         System.out.println(event + ": " + origin.name() + " -> " + target.name()));
 * }</pre>
 *
 * <p>It is called on the thread that switches, after control has left {@code origin} and before
 * {@code target} goes on ({@link Greenlet#current()} is already {@code target}), for every
 * {@link Greenlet#switchTo}, {@link Greenlet#throwInto}, {@link Greenlet#kill()}, and for the implicit switch
 * to the parent when a greenlet's body ends. {@code target} is the greenlet that actually gets control (the
 * first live ancestor when the one switched to is dead). It must not switch greenlets itself. If it throws, it
 * is uninstalled and its exception is raised in {@code target} (Python's behaviour).
 */
@FunctionalInterface
public interface GreenletTrace {
    /** What a transfer carries. */
    enum Event {
        /** A value: {@code switchTo}, or a body that returned (or was killed) handing its value to the parent. */
        SWITCH,
        /** An exception raised in the target: {@code throwInto}, {@code kill}, or a body's uncaught exception. */
        THROW
    }

    /** Called for each transfer of control from {@code origin} to {@code target}. */
    void onTransfer(Event event, Greenlet origin, Greenlet target);
}
