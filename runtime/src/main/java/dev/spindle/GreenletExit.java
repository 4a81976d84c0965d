package dev.spindle;

/**
 * Raised inside a greenlet by {@link Greenlet#kill()}. Uncaught, it ends the greenlet, and instead of being
 * raised in the parent as other exceptions are, it reaches the parent as the value of its pending switch.
 *
 * <pre>{@code
 * Greenlet worker = new Greenlet(arg -> {
 *     try {
 *         for (;;) Greenlet.current().parent().switchTo("working");
 *     } finally {
 *         System.out.println("cleaned up");      // runs on kill()
 *     }
 * });
 * worker.switchTo();
 * Object result = worker.kill();                 // prints "cleaned up"; result is the GreenletExit
 * }</pre>
 *
 * <p>Where Java differs: Python's {@code GreenletExit} is a {@code BaseException}, so that
 * {@code except Exception} does not swallow a kill. The Java counterpart is an {@link Error}, as
 * {@link ThreadDeath} is: {@code catch (Exception e)} lets it through, {@code finally} runs.
 */
public class GreenletExit extends Error {
    private static final long serialVersionUID = 1L;

    /** An exit with the message "greenlet killed". */
    public GreenletExit() {
        this("greenlet killed");
    }

    /** A GreenletExit with a message, for a {@link Greenlet#throwInto} of one's own. */
    public GreenletExit(String message) {
        super(message);
    }
}
