package dev.spindle;

/**
 * A computation that may suspend and produces a value.
 *
 * @param <V> the type of the value produced
 */
@FunctionalInterface
public interface SuspendableCallable<V> {
    /** Computes the value; may suspend the coroutine running it. */
    @Suspendable
    V call();
}
