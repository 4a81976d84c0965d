package dev.spindle.it.io;

import dev.spindle.io.ConnectionHandler;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/** Shared pieces of the io tests. */
final class IoSupport {
    static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /** Echoes until the peer half-closes, then half-closes too. */
    static final ConnectionHandler ECHO = socket -> {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (socket.read(buf) >= 0) {
            buf.flip();
            socket.writeAll(buf);
            buf.clear();
        }
        socket.shutdownOutput();
    };

    private IoSupport() {
    }

    /** Open file descriptors of this process, or -1 where /proc is missing. */
    static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /**
     * Waits until {@code condition} holds. Not a timing assumption: the test's own timeout bounds it, and the
     * condition is what the test asserts (things freed asynchronously by the loop thread).
     */
    static void eventually(BooleanSupplier condition) throws InterruptedException {
        eventually(condition, () -> "");
    }

    /** As above; if it takes over 10 s, prints {@code diagnosis} once (say, the loops' dumps) and goes on waiting. */
    static void eventually(BooleanSupplier condition, java.util.function.Supplier<String> diagnosis)
            throws InterruptedException {
        long start = System.nanoTime();
        boolean told = false;
        while (!condition.getAsBoolean()) {
            if (!told && System.nanoTime() - start > 10_000_000_000L) {
                told = true;
                System.err.println("still waiting; " + diagnosis.get());
            }
            Thread.sleep(5);
        }
    }

    static String dump(java.util.List<dev.spindle.io.EventLoop> loops) {
        StringBuilder b = new StringBuilder();
        for (dev.spindle.io.EventLoop l : loops) b.append(l.dump().join());
        return b.toString();
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        return b;
    }

    interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code meanwhile} here while the loop's thread waits in an action, which then runs {@code then} before
     * the loop goes on: what {@code meanwhile} sends (or drains) reaches the socket while the loop cannot see it.
     */
    static void holdTheLoopWhile(dev.spindle.io.EventLoop loop, Step meanwhile, Runnable then) throws Exception {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            then.run();
        });
        held.await();
        try {
            meanwhile.run();
            Thread.sleep(50); // lets loopback deliver what was sent (or move data into the freed window)
        } finally {
            release.countDown();
        }
    }
}
