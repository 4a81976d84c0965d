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
 * A coroutine that entered a chain {@code depth} frames deep once (in setup) and whose innermost frame yields
 * in an endless loop. One operation is one resume back into that loop and its next yield: the outer
 * {@code depth - 1} frames stay suspended all along, so a mechanism that resumes and re-suspends only the
 * innermost frame costs the same at every depth.
 *
 * <ul>
 *   <li>{@code spindle}: a {@link Coroutine}; op = {@code resume()}.</li>
 *   <li>{@code loom}: a {@code jdk.internal.vm.Continuation} (JDK 21+); op = {@code run()}.</li>
 *   <li>{@code virtualThreads}: a worker virtual thread looping in the chain's innermost frame and a driver
 *       virtual thread resuming it, on one carrier ({@link VirtualThreadPair}, JDK 21+); op = one
 *       driver-worker-driver round trip, measured in batches of {@value VirtualThreadPair#BATCH}.</li>
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
public class YieldInDeepLoop {
    @Param({"1", "4", "16", "64", "256"})
    int depth;

    private Coroutine coroutine;
    private Object continuation;
    private VirtualThreadPair pair;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        final int d = depth;
        switch (Expected.variant(params)) {
            case "spindle":
                coroutine = new Coroutine("loop-" + d, () -> SpindleChain.descendLoop(d, 0));
                check(coroutine::resume, () -> SpindleChain.loopSink);
                break;
            case "loom":
                Loom.require();
                continuation = Loom.create(() -> LoomChain.descendLoop(d, 0));
                check(() -> {
                    Loom.run(continuation);
                    return !Loom.isDone(continuation);
                }, () -> LoomChain.loopSink);
                break;
            case "virtualThreads":
                VirtualThreads.require();
                pair = VirtualThreadPair.start("loop-" + d, () -> VirtualThreadChain.descendLoop(d, 0));
                check(() -> {
                    pair.run(1);
                    return true;
                }, () -> VirtualThreadChain.loopSink);
                break;
            default:
                throw new IllegalStateException("no setup for " + params.getBenchmark());
        }
    }

    /**
     * Enters the chain (unless the virtual thread pair already did) and resumes it a few times, checking the
     * innermost frame's values.
     */
    private void check(java.util.function.BooleanSupplier resume, java.util.function.LongSupplier loopSink) {
        if (pair == null && !resume.getAsBoolean()) throw new IllegalStateException("the body ended");
        for (int k = 1; k <= 3; k++) {
            if (!resume.getAsBoolean()) throw new IllegalStateException("the body ended");
            Expected.check("descendLoop(" + depth + ") after resume " + k, Expected.loopAfter(depth, k),
                    loopSink.getAsLong());
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
}
