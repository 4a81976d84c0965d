package dev.spindle.benchmarks;

import dev.spindle.sched.Channel;
import dev.spindle.sched.Scheduler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A round trip over rendezvous channels between two parties: the <em>pinger</em> sends a value on one channel,
 * the <em>echo</em> receives it and sends it back on a second channel, and the pinger receives it. One operation
 * is one round trip: two hand-offs, each of which wakes the other party.
 *
 * <ul>
 *   <li>{@code tasklets}: two tasklets of one {@link Scheduler} over two unbuffered {@link Channel}s (default
 *       preference). A round trip is two tasklet turns, so the JMH thread runs the scheduler for
 *       {@code 2 * BATCH} turns per invocation; op = one round trip.</li>
 *   <li>{@code platformThreads}: the JMH thread and an echo platform thread over two
 *       {@link SynchronousQueue}s; op = one {@code put}/{@code take} round trip.</li>
 *   <li>{@code virtualThreads}: a pinger and an echo virtual thread over two {@code SynchronousQueue}s, on one
 *       carrier ({@code -Djdk.virtualThreadScheduler.parallelism=1}, JDK 21+). The JMH thread, a platform
 *       thread, hands the pinger a batch of {@code BATCH} round trips and waits for it, so its two OS wake-ups
 *       per batch are amortized; op = one round trip.</li>
 * </ul>
 *
 * <p>Every variant checks that the value coming back is the one sent. On JDK 17 {@code virtualThreads} fails in
 * its setup with a message saying so; exclude it with {@code -e virtualThreads}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
        "-Djdk.virtualThreadScheduler.parallelism=1"})
@State(Scope.Thread)
public class ChannelRoundTrip {
    /** Round trips per invocation of the batched benchmarks. */
    static final int BATCH = 10_000;

    /** Boxed values sent around, allocated once so that no variant allocates per message. */
    private static final Integer[] VALUES = new Integer[128];

    static {
        for (int i = 0; i < VALUES.length; i++) VALUES[i] = i;
    }

    private Scheduler scheduler;
    /** Round trips the pinger tasklet has completed. */
    private long tripsDone;

    private SynchronousQueue<Integer> ping;
    private SynchronousQueue<Integer> pong;
    private Thread echo;
    private int sent;

    private VirtualPingPong virtual;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) throws InterruptedException {
        switch (Expected.variant(params)) {
            case "tasklets":
                setUpTasklets();
                break;
            case "platformThreads":
                ping = new SynchronousQueue<>();
                pong = new SynchronousQueue<>();
                echo = new Thread(() -> echo(ping, pong), "echo");
                echo.setDaemon(true);
                echo.start();
                for (int k = 0; k < 3; k++) platformThreads();
                break;
            case "virtualThreads":
                VirtualThreads.require();
                virtual = new VirtualPingPong();
                virtual.run(3);
                break;
            default:
                throw new IllegalStateException("no setup for " + params.getBenchmark());
        }
    }

    private void setUpTasklets() {
        scheduler = new Scheduler();
        Channel<Integer> there = new Channel<>("there");
        Channel<Integer> back = new Channel<>("back");
        scheduler.spawn("pinger", () -> {
            for (int i = 0; ; i++) {
                Integer v = VALUES[i & 127];
                there.send(v);
                if (back.receive() != v) throw new IllegalStateException("the echo sent back another value");
                tripsDone++;
            }
        });
        scheduler.spawn("echo", () -> {
            for (;;) back.send(there.receive());
        });
        scheduler.run(2L * BATCH); // reach the steady state, then check that it is 2 turns per round trip
        long before = tripsDone;
        scheduler.run(2L * BATCH);
        if (tripsDone - before != BATCH) {
            throw new IllegalStateException(2 * BATCH + " tasklet turns made " + (tripsDone - before)
                    + " round trips, not " + BATCH + ": the score per op would be wrong");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (echo != null) {
            echo.interrupt();
            echo.join(5_000);
        }
        if (virtual != null) virtual.close();
        echo = null;
        virtual = null;
        scheduler = null; // the two tasklets loop forever: dropping the scheduler drops them
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public boolean tasklets() {
        return scheduler.run(2L * BATCH);
    }

    @Benchmark
    public Integer platformThreads() throws InterruptedException {
        Integer v = VALUES[sent++ & 127];
        ping.put(v);
        Integer back = pong.take();
        if (back != v) throw new IllegalStateException("the echo sent back another value");
        return back;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void virtualThreads() throws InterruptedException {
        virtual.run(BATCH);
    }

    private static void echo(SynchronousQueue<Integer> in, SynchronousQueue<Integer> out) {
        try {
            for (;;) out.put(in.take());
        } catch (InterruptedException stop) {
            // tear-down
        }
    }

    /**
     * A pinger and an echo virtual thread over two {@code SynchronousQueue}s. The pinger does round trips in
     * batches that the JMH thread requests, and reports each batch done, through two more queues.
     */
    private static final class VirtualPingPong implements AutoCloseable {
        private final SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        private final SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        private final SynchronousQueue<Integer> requests = new SynchronousQueue<>();
        private final SynchronousQueue<Object> done = new SynchronousQueue<>();
        private final Thread pinger;
        private final Thread echo;

        VirtualPingPong() {
            echo = VirtualThreads.unstarted("echo", () -> ChannelRoundTrip.echo(ping, pong));
            pinger = VirtualThreads.unstarted("pinger", this::pingLoop);
            echo.start();
            pinger.start();
        }

        private void pingLoop() {
            try {
                for (;;) {
                    int n = requests.take();
                    Object outcome = Boolean.TRUE;
                    for (int k = 0; k < n; k++) {
                        Integer v = VALUES[k & 127];
                        ping.put(v);
                        if (pong.take() != v) {
                            outcome = new IllegalStateException("the echo sent back another value");
                            break;
                        }
                    }
                    done.put(outcome);
                }
            } catch (InterruptedException stop) {
                // tear-down
            }
        }

        /** Has the pinger do {@code n} round trips; returns when they are done. */
        void run(int n) throws InterruptedException {
            requests.put(n);
            Object outcome = done.take();
            if (outcome instanceof RuntimeException) throw (RuntimeException) outcome;
        }

        @Override
        public void close() throws InterruptedException {
            pinger.interrupt();
            echo.interrupt();
            pinger.join(5_000);
            echo.join(5_000);
        }
    }
}
