package dev.spindle.io;

import java.time.Duration;

/**
 * Thrown inside a coroutine, at the point where it is suspended, when the time given to
 * {@link EventLoop#withTimeout(Duration, IoCallable)} runs out. It propagates out of
 * {@code withTimeout} unless the body catches it; the wait it interrupted has been withdrawn (selector interest,
 * timer, worker job), so the socket or future involved can be used again.
 */
public final class DeadlineExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeadlineExceededException(Duration timeout) {
        super("timed out after " + timeout);
    }
}
