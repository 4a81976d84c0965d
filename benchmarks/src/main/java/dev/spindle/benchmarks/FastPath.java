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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What instrumentation costs when nothing suspends: the {@value #DEPTH}-deep chain called {@value #CALLS} times
 * per invocation (each call's result feeding the next), its innermost frame reaching a suspension point that is
 * not taken ({@code if (suspend) Coroutine.yield()} with {@code suspend == false}, read from a field so the JIT
 * cannot fold it). Scores are per chain call ({@code @OperationsPerInvocation}).
 *
 * <ul>
 *   <li>{@code uninstrumented}: identical code without {@code @Suspendable} ({@link UnmarkedChain}).</li>
 *   <li>{@code instrumentedOutsideCoroutine}: the {@code @Suspendable} chain ({@link SpindleChain}) called on a
 *       plain thread.</li>
 *   <li>{@code instrumentedInsideCoroutine}: the same chain called from a coroutine's body, which yields once
 *       after every {@value #CALLS} calls; one invocation is one {@code resume()}, so one resume and yield of a
 *       one-frame coroutine is spread over the {@value #CALLS} calls.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"})
@State(Scope.Thread)
public class FastPath {
    static final int DEPTH = 16;
    static final int CALLS = 1000;

    /** Always false; a field so the suspension point stays a real branch. */
    boolean suspend;
    long acc;
    private Coroutine coroutine;

    @Setup(Level.Trial)
    public void setup() {
        Expected.check("descend(" + DEPTH + ")", UnmarkedChain.descend(DEPTH, 7, false),
                SpindleChain.descend(DEPTH, 7, false));
        coroutine = new Coroutine("fast-path", () -> {
            for (;;) {
                long a = acc;
                for (int k = 0; k < CALLS; k++) {
                    a = SpindleChain.descend(DEPTH, a, suspend);
                }
                acc = a;
                Coroutine.yield();
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        coroutine = null;
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public void uninstrumented(Blackhole bh) {
        long a = acc;
        for (int k = 0; k < CALLS; k++) {
            a = UnmarkedChain.descend(DEPTH, a, suspend);
        }
        acc = a;
        bh.consume(a);
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public void instrumentedOutsideCoroutine(Blackhole bh) {
        long a = acc;
        for (int k = 0; k < CALLS; k++) {
            a = SpindleChain.descend(DEPTH, a, suspend);
        }
        acc = a;
        bh.consume(a);
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public void instrumentedInsideCoroutine(Blackhole bh) {
        bh.consume(coroutine.resume());
        bh.consume(acc);
    }
}
