package dev.spindle.io;

/**
 * Blocking work with no result, for {@link EventLoop#blocking(BlockingRunnable)}: a {@link Runnable} that may
 * throw checked exceptions, as {@link java.util.concurrent.Callable} may.
 *
 * <pre>{@code
 * EventLoop.blocking(() -> Files.delete(path));
 * }</pre>
 */
@FunctionalInterface
public interface BlockingRunnable {
    void run() throws Exception;
}
