package dev.spindle.benchmarks;

import dev.spindle.Generator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of reading one element: {@value #SIZE} boxed integers (the same objects in every variant), summed by
 * a {@code hasNext()}/{@code next()} loop. <b>One op = one element</b>; each invocation reads all of them, so a
 * generator's creation and its end are spread over {@value #SIZE} elements.
 *
 * <ul>
 *   <li>{@code iterator}: the {@code ArrayList}'s own iterator: the floor.</li>
 *   <li>{@code generator}: a {@link Generator} whose body yields {@code values.get(i)} in a counted loop: each
 *       element is one resume and one yield of its coroutine.</li>
 *   <li>{@code generatorYieldAll}: an outer generator that delegates to such a generator with
 *       {@code yieldAll} (Python's {@code yield from}): each element passes through two generators.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class GeneratorIteration {
    static final int SIZE = 1000;

    private List<Integer> values;
    private long expected;

    @Setup(Level.Trial)
    public void setup() {
        values = new ArrayList<>(SIZE);
        for (int i = 0; i < SIZE; i++) {
            values.add(i * 7919 % 10007); // outside the Integer cache: real objects, as in the plain list
            expected += values.get(i);
        }
        Expected.check("iterator sum", expected, iterator());
        Expected.check("generator sum", expected, generator());
        Expected.check("generatorYieldAll sum", expected, generatorYieldAll());
    }

    private static long sum(Iterator<Integer> it) {
        long s = 0;
        while (it.hasNext()) s += it.next();
        return s;
    }

    private Generator<Integer> source() {
        List<Integer> v = values;
        return Generator.of(g -> {
            for (int i = 0, n = v.size(); i < n; i++) g.yield(v.get(i));
        });
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public long iterator() {
        return sum(values.iterator());
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public long generator() {
        return sum(source());
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public long generatorYieldAll() {
        Generator<Integer> inner = source();
        return sum(Generator.<Integer>of(g -> g.yieldAll(inner)));
    }
}
