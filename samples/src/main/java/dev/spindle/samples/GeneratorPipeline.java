package dev.spindle.samples;

import dev.spindle.Generator;
import dev.spindle.GeneratorScope;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Python's generator idioms with {@link Generator}:
 *
 * <ol>
 *   <li><b>Example 6</b> of <em>Concurrency and Python</em> (Dr. Dobb's, 2008): generator-based coroutines,
 *       {@code my_coro('coro1')} and {@code my_coro('coro2')}, under the round-robin scheduler
 *       {@code for coro in itertools.cycle(coros): coro.next()}. The article asks "What happens if my_coro
 *       calls some function f and f wants to yield?"; here the yield is in {@link #say}, a helper the body
 *       calls. A Python helper would itself have to be a generator, and the body would need a
 *       {@code yield from} around each call.</li>
 *   <li><b>A pipeline</b> of chained generators, numbers → evens → squares → labels. Each stage is a generator
 *       that iterates the one before it, so one value at a time flows through the whole chain, on demand;
 *       an endless source is fine. The same pipeline again as a {@code Stream}.</li>
 *   <li><b>Sending values in</b> ({@link Generator#send}): a running average that the consumer feeds, the
 *       "coroutine as consumer" idiom of the Python Cookbook.</li>
 *   <li><b>{@code yield from} and {@code close()}</b>: {@code chain(..)} delegates to each part with
 *       {@code yieldAll}, and a consumer that stops early closes the generator, whose {@code finally} block
 *       then runs (Python runs it when the generator is collected; Java needs the close, here a
 *       try-with-resources).</li>
 * </ol>
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.GeneratorPipeline
 * </pre>
 */
public final class GeneratorPipeline {
    private GeneratorPipeline() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("GeneratorPipeline");
        System.out.println("1. Example 6, generator-based coroutines under a round-robin:");
        example6(3);

        System.out.println();
        System.out.println("2. A pipeline: numbers -> evens -> squares -> labels");
        Generator<Integer> numbers = numbers(1);                       // endless
        Generator<Integer> evens = filter(numbers, n -> n % 2 == 0);
        Generator<Integer> squares = map(evens, n -> n * n);
        Generator<String> labels = map(squares, n -> "<" + n + ">");
        List<String> firstFive = new ArrayList<>();
        for (String label : labels) {
            firstFive.add(label);
            if (firstFive.size() == 5) break;
        }
        // The four stages stay suspended and are garbage-collected without running numbers' finally: part 4
        // shows the close that runs it.
        System.out.println("   " + String.join(" ", firstFive));
        System.out.println("   as a stream: " + numbers(1).stream().filter(n -> n % 2 == 0).map(n -> n * n)
                .limit(5).map(String::valueOf).collect(Collectors.joining(" ")));

        System.out.println();
        System.out.println("3. send(): a running average");
        Generator<Double> average = runningAverage();
        average.next();                                                 // run it to its first yield
        for (double x : new double[] {10, 20, 60}) {
            System.out.println("   send(" + x + ") -> " + average.send(x));
        }

        System.out.println();
        System.out.println("4. yieldAll (yield from) and close()");
        try (Generator<Object> all = chain(List.of("a", "b"), numbers(1))) {
            for (Object v : all) {
                System.out.println("   got " + v);
                if (v.equals(2)) break;                                 // the try closes `all`, and so numbers(1)
            }
        }
    }

    // ---- 1. the article's Example 6 ----

    /** Runs coro1 and coro2 in turn, {@code rounds} times each: {@code itertools.cycle}, made to stop. */
    static void example6(int rounds) {
        List<Generator<Void>> coros = List.of(myCoro("coro1"), myCoro("coro2"));
        for (int turn = 0; turn < rounds * coros.size(); turn++) {
            coros.get(turn % coros.size()).next();
        }
        coros.forEach(Generator::close);                                // unwind them: prints their goodbyes
    }

    /** {@code my_coro(name)}: counts forever; each line is printed, and the turn given up, by {@link #say}. */
    static Generator<Void> myCoro(String name) {
        return Generator.of(name, g -> {
            int count = 0;
            try {
                while (true) {
                    count += 1;
                    say(name + " " + count, g);
                }
            } finally {
                System.out.println("   " + name + " closed after " + count);
            }
        });
    }

    /** The function f of the article that wants to yield: it can, being @Suspendable. */
    @Suspendable
    static void say(String line, GeneratorScope<Void> g) {
        System.out.println("   " + line);
        g.yield(null);
    }

    // ---- 2. pipeline stages: each is a generator over the one before ----

    /** from, from + 1, ... without end. */
    static Generator<Integer> numbers(int from) {
        return Generator.of("numbers", g -> {
            try {
                for (int n = from; ; n++) g.yield(n);
            } finally {
                System.out.println("   (numbers closed)");
            }
        });
    }

    static <T> Generator<T> filter(Iterable<T> source, Predicate<? super T> keep) {
        return Generator.of(g -> {
            for (T v : source) {
                if (keep.test(v)) g.yield(v);
            }
        });
    }

    static <T, R> Generator<R> map(Iterable<T> source, Function<? super T, ? extends R> f) {
        return Generator.of(g -> {
            for (T v : source) g.yield(f.apply(v));
        });
    }

    // ---- 3. a generator that consumes ----

    /** Yields the average of all values sent so far (null before the first). */
    static Generator<Double> runningAverage() {
        return Generator.of(g -> {
            double total = 0;
            int count = 0;
            Double average = null;
            while (true) {
                Double x = g.yield(average);
                total += x;
                count += 1;
                average = total / count;
            }
        });
    }

    // ---- 4. yield from ----

    /** Python's {@code itertools.chain}, written with {@code yield from}. */
    @SafeVarargs
    static <T> Generator<T> chain(Iterable<? extends T>... parts) {
        return Generator.of("chain", g -> {
            for (Iterable<? extends T> part : parts) g.yieldAll(part);
        });
    }
}
