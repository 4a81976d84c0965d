package dev.spindle.benchmarks;

import dev.spindle.Coroutine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A coroutine whose body calls a chain {@code depth} frames deep in an endless loop; the innermost frame yields.
 * One operation is one resume: the suspended chain returns frame by frame (each frame restoring its locals), the
 * body loops, calls the chain again down to the innermost frame, and that frame yields (each frame saving its
 * locals). So the cost grows with {@code depth} for every mechanism that suspends.
 *
 * <ul>
 *   <li>{@code spindle}: a {@link Coroutine}; op = {@code resume()}.</li>
 *   <li>{@code loom}: a {@code jdk.internal.vm.Continuation} (JDK 21+); op = {@code run()}.</li>
 *   <li>{@code virtualThreads}: a worker virtual thread running the chain and a driver virtual thread resuming
 *       it, on one carrier ({@link VirtualThreadPair}, JDK 21+); op = one driver-worker-driver round trip,
 *       measured in batches of {@value VirtualThreadPair#BATCH}.</li>
 *   <li>{@code plainCalls}: the same chain called as plain methods, nothing suspends: the floor.</li>
 * </ul>
 *
 * <p>On JDK 17 {@code loom} and {@code virtualThreads} fail in their setup with a message saying so; exclude them
 * with {@code -e 'loom|virtualThreads'}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
        "-Djdk.virtualThreadScheduler.parallelism=1"})
@State(Scope.Thread)
public class DescendAndYield {
    @Param({"1", "4", "16", "64"})
    int depth;

    private Coroutine coroutine;
    private Object continuation;
    private VirtualThreadPair pair;
    private long acc;
    /** The last value the looping body got from the chain. */
    long sink;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        final int d = depth;
        switch (Expected.variant(params)) {
            case "spindle":
                coroutine = new Coroutine("descend-" + d, () -> {
                    long a = 0;
                    for (;;) {
                        a = SpindleChain.descend(d, a, true);
                        sink = a;
                    }
                });
                check(coroutine::resume);
                break;
            case "loom":
                Loom.require();
                continuation = Loom.create(() -> {
                    long a = 0;
                    for (;;) {
                        a = LoomChain.descend(d, a, true);
                        sink = a;
                    }
                });
                check(() -> {
                    Loom.run(continuation);
                    return true;
                });
                break;
            case "virtualThreads":
                VirtualThreads.require();
                pair = VirtualThreadPair.start("descend-" + d, () -> {
                    long a = 0;
                    for (;;) {
                        a = VirtualThreadChain.descend(d, a, true);
                        sink = a;
                    }
                });
                check(() -> {
                    pair.run(1);
                    return true;
                });
                break;
            case "plainCalls":
                break;
            default:
                throw new IllegalStateException("no setup for " + params.getBenchmark());
        }
    }

    /**
     * Runs the body to its first yield (unless the virtual thread pair already did), resumes it a few times and
     * checks the values the chain returned.
     */
    private void check(java.util.function.BooleanSupplier resume) {
        if (pair == null && !resume.getAsBoolean()) throw new IllegalStateException("the body ended");
        long expected = 0;
        for (int k = 0; k < 3; k++) {
            if (!resume.getAsBoolean()) throw new IllegalStateException("the body ended");
            expected = Expected.descend(depth, expected);
            Expected.check("descend(" + depth + ") after resume " + (k + 2), expected, sink);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pair != null) pair.close();
        pair = null;
        coroutine = null;
        continuation = null;
    }

    @Benchmark
    public boolean spindle() {
        return coroutine.resume();
    }

    @Benchmark
    public void loom() {
        Loom.run(continuation);
    }

    @Benchmark
    @OperationsPerInvocation(VirtualThreadPair.BATCH)
    public void virtualThreads() {
        pair.run(VirtualThreadPair.BATCH);
    }

    @Benchmark
    public long plainCalls() {
        return acc = UnmarkedChain.descend(depth, acc, false);
    }
}
