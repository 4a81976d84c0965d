package dev.spindle.io;

import dev.spindle.Suspendable;

/**
 * {@link IoCallable} with no result: what {@link EventLoop#withTimeout(java.time.Duration, IoRunnable)} runs.
 *
 * <pre>{@code
 * EventLoop.withTimeout(Duration.ofSeconds(5), () -> out.writeAll(buffer));           // throws IOException
 * }</pre>
 *
 * @param <X> the checked exception the body may throw
 */
@FunctionalInterface
public interface IoRunnable<X extends Exception> {
    @Suspendable
    void run() throws X;
}
