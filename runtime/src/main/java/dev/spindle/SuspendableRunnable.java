package dev.spindle;

/**
 * A body of work that may suspend: the body of a {@link Coroutine}.
 *
 * <pre>{@code
 * Coroutine c = new Coroutine(() -> {
 *     System.out.println("one");
 *     Coroutine.yield();
 *     System.out.println("two");
 * });
 * }</pre>
 */
@FunctionalInterface
public interface SuspendableRunnable {
    /** Runs the work; may suspend the coroutine running it. */
    @Suspendable
    void run();
}
