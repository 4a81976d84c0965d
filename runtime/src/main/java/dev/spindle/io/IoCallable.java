package dev.spindle.io;

import dev.spindle.Suspendable;

/**
 * A suspendable body with a result that may throw a checked exception, as socket operations do: what
 * {@link EventLoop#submit} and {@link EventLoop#withTimeout(java.time.Duration, IoCallable)} run. A lambda needs
 * no {@code try} around its {@code IOException}s: {@code withTimeout} throws what the body throws ({@code X} is
 * inferred from the lambda: nothing to catch when it throws no checked exception), and {@code submit}'s future
 * completes with it.
 *
 * <pre>{@code
 * String line = EventLoop.withTimeout(Duration.ofSeconds(5), () -> in.readLine(8192)); // throws IOException
 * }</pre>
 *
 * @param <T> the result
 * @param <X> the checked exception the body may throw
 */
@FunctionalInterface
public interface IoCallable<T, X extends Exception> {
    @Suspendable
    T call() throws X;
}
