package dev.spindle.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Two virtual threads that hand one carrier back and forth, the virtual-thread analogue of a coroutine and the
 * code that resumes it.
 *
 * <p>The <em>worker</em> runs the benchmark body (a chain whose innermost frame calls {@link #yieldToDriver()});
 * the <em>driver</em> resumes it: it sets the worker's turn, unparks it and parks until the worker hands the
 * turn back. One driver-worker-driver round trip corresponds to one {@code Coroutine.resume()} (resume plus
 * yield). Run with {@code -Djdk.virtualThreadScheduler.parallelism=1} so both share one carrier and every
 * hand-off is a virtual-thread switch on that carrier, not a wake-up of another OS thread.
 *
 * <p>A JMH thread is a platform thread, so it cannot take part in the ping-pong without paying an OS-level
 * wake-up per hand-off. Instead {@link #run(int)} asks the driver for a batch of round trips and parks until the
 * driver says the batch is done; the benchmark divides by the batch size ({@code @OperationsPerInvocation}),
 * which amortizes the two wake-ups per batch (JMH thread to driver and back). Parking rather than spinning leaves
 * the other cores to the carrier, the JIT and the GC.
 *
 * <p>One pair at a time per JVM (each JMH fork runs one benchmark): the chain's innermost frame finds the pair
 * through a static field.
 */
final class VirtualThreadPair implements AutoCloseable {
    /** Round trips per {@link #run(int)} call in the benchmarks. */
    static final int BATCH = 10_000;

    private static VirtualThreadPair current;

    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("virtual thread pair closed", null, false, false);
        }
    }

    private static final Stop STOP = new Stop();

    private final Thread driver;
    private final Thread worker;
    /** True while the worker may run; the driver sets it, the worker clears it when it yields. */
    private volatile boolean workerTurn;
    /** Round trips the JMH thread asked for; the driver resets it to 0 when it has done them. */
    private volatile int requested;
    private volatile boolean stopped;
    private volatile Throwable failure;
    /** The thread waiting in {@link #run(int)}. */
    private volatile Thread caller;

    /**
     * Starts the pair and waits until the worker, running {@code workerBody}, has yielded for the first time.
     */
    static VirtualThreadPair start(String name, Runnable workerBody) {
        VirtualThreads.require();
        if (current != null) throw new IllegalStateException("another virtual thread pair is open");
        VirtualThreadPair pair = new VirtualThreadPair(name, workerBody);
        current = pair;
        pair.workerTurn = true;
        pair.driver.start();
        pair.worker.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pair.workerTurn) {
            pair.checkFailure();
            if (System.nanoTime() > deadline) {
                pair.close();
                throw new IllegalStateException("the worker virtual thread did not reach its first yield in 30s");
            }
            Thread.onSpinWait();
        }
        return pair;
    }

    private VirtualThreadPair(String name, Runnable workerBody) {
        driver = VirtualThreads.unstarted(name + "-driver", this::driverLoop);
        worker = VirtualThreads.unstarted(name + "-worker", () -> {
            try {
                workerBody.run();
            } catch (Stop stop) {
                // closed
            } catch (Throwable t) {
                fail(t);
            }
        });
    }

    /** Called by the worker's innermost frame: hands the carrier to the driver and waits for its turn. */
    static void yieldToDriver() {
        VirtualThreadPair pair = current;
        pair.workerTurn = false;
        LockSupport.unpark(pair.driver);
        while (!pair.workerTurn) {
            if (pair.stopped) throw STOP;
            LockSupport.park(pair);
        }
    }

    /** Has the driver resume the worker {@code n} times; returns when it is done. Called by the JMH thread. */
    void run(int n) {
        caller = Thread.currentThread();
        requested = n;
        LockSupport.unpark(driver);
        while (requested != 0) {
            checkFailure();
            LockSupport.park(this);
        }
        checkFailure();
    }

    private void driverLoop() {
        try {
            for (;;) {
                int n;
                while ((n = requested) == 0) {
                    if (stopped) return;
                    LockSupport.park(this);
                }
                for (int k = 0; k < n; k++) {
                    workerTurn = true;
                    LockSupport.unpark(worker);
                    while (workerTurn) {
                        if (stopped) return;
                        LockSupport.park(this);
                    }
                }
                requested = 0;
                LockSupport.unpark(caller);
            }
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void fail(Throwable t) {
        failure = t;
        stopped = true;
        LockSupport.unpark(driver);
        Thread waiting = caller;
        if (waiting != null) LockSupport.unpark(waiting);
    }

    private void checkFailure() {
        Throwable t = failure;
        if (t != null) throw new IllegalStateException("virtual thread pair failed: " + t, t);
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(driver);
        LockSupport.unpark(worker);
        try {
            driver.join(5_000);
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (current == this) current = null;
        }
    }
}
