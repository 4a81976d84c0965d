package dev.spindle.io;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default pool for {@link EventLoop#blocking}: at most {@value #THREADS} threads, so a burst of slow calls
 * queues up instead of starting a thread each; daemon threads that go away when idle.
 */
final class BlockingPool {
    static final int THREADS = 64;

    private BlockingPool() {
    }

    private static final class Holder {
        static final ExecutorService SHARED = create(THREADS, "spindle-blocking-");
    }

    static ExecutorService shared() {
        return Holder.SHARED;
    }

    static ExecutorService create(int threads, String prefix) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, prefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
