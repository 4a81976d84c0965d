package dev.spindle.it.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Generator;
import dev.spindle.GeneratorBody;
import dev.spindle.GeneratorScope;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A generator read as an Iterator, an Iterable and a Stream; values yielded from any depth. */
class GeneratorIterationTest {
    private final List<String> log = new ArrayList<>();

    static <T> List<T> drain(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        while (it.hasNext()) out.add(it.next());
        return out;
    }

    @Test
    void aForEachLoopSeesTheValuesInOrder() {
        List<Integer> seen = new ArrayList<>();
        for (int v : Generator.<Integer>of(g -> {
            g.yield(1);
            g.yield(2);
            g.yield(3);
        })) {
            seen.add(v);
        }
        assertEquals(List.of(1, 2, 3), seen);
    }

    @Test
    void nothingRunsBeforeTheFirstRequestAndEachRequestRunsToTheNextYield() {
        Generator<String> gen = Generator.of(g -> {
            log.add("start");
            g.yield("a");
            log.add("after a");
            g.yield("b");
            log.add("end");
        });
        assertEquals(List.of(), log);
        assertEquals(Coroutine.State.NEW, gen.state());
        assertTrue(gen.hasNext());
        assertEquals(List.of("start"), log);
        assertTrue(gen.hasNext(), "a second hasNext() keeps the waiting value");
        assertEquals(List.of("start"), log);
        assertEquals(Coroutine.State.SUSPENDED, gen.state());
        assertEquals("a", gen.next());
        assertEquals("b", gen.next(), "next() without hasNext() runs the body itself");
        assertEquals(List.of("start", "after a"), log);
        assertFalse(gen.hasNext());
        assertEquals(List.of("start", "after a", "end"), log);
        assertEquals(Coroutine.State.DONE, gen.state());
        assertFalse(gen.hasNext());
        assertThrows(NoSuchElementException.class, gen::next);
    }

    @Test
    void anEmptyBodyHasNoValues() {
        Generator<Object> gen = Generator.of(g -> { });
        assertFalse(gen.hasNext());
        assertThrows(NoSuchElementException.class, gen::next);
    }

    @Test
    void nullIsAValueLikeAnyOther() {
        Generator<String> gen = Generator.of(g -> {
            g.yield(null);
            g.yield("x");
        });
        assertTrue(gen.hasNext());
        assertNull(gen.next());
        assertEquals("x", gen.next());
        assertFalse(gen.hasNext());
    }

    @Test
    void itIsItsOwnIteratorSoItIsIteratedOnceAsInPython() {
        Generator<Integer> gen = Generator.of(g -> {
            g.yield(1);
            g.yield(2);
        });
        assertSame(gen, gen.iterator());
        assertEquals(1, gen.next());
        assertEquals(List.of(2), drain(gen.iterator()), "a second iteration gets what is left");
        assertEquals(List.of(), drain(gen.iterator()));
    }

    @Test
    void anIterableLambdaMakesASequenceThatStartsOverEachTime() {
        GeneratorBody<Integer> body = g -> {
            for (int i = 0; i < 3; i++) g.yield(i);
        };
        Iterable<Integer> seq = () -> Generator.of(body);
        assertEquals(List.of(0, 1, 2), drain(seq.iterator()));
        assertEquals(List.of(0, 1, 2), drain(seq.iterator()));
    }

    // ---- yielding from depth ----

    record Node(Node left, int value, Node right) {
        static Node leaf(int v) {
            return new Node(null, v, null);
        }
    }

    @Suspendable
    static void walk(Node n, GeneratorScope<Integer> g) {
        if (n == null) return;
        walk(n.left(), g);
        g.yield(n.value());
        walk(n.right(), g);
    }

    static final Node TREE = new Node(
            new Node(Node.leaf(1), 2, new Node(Node.leaf(3), 4, null)),
            5,
            new Node(null, 6, new Node(null, 7, Node.leaf(8))));

    @Test
    void aRecursiveWalkYieldsFromEveryDepthOfItsRecursion() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), drain(Generator.<Integer>of(g -> walk(TREE, g))));
    }

    @Suspendable
    static void countDown(int depth, GeneratorScope<Integer> g) {
        if (depth == 0) return;
        g.yield(depth);
        countDown(depth - 1, g);
        g.yield(-depth);
    }

    @Test
    void aYieldAThousandCallsDeepWorks() {
        List<Integer> values = drain(Generator.<Integer>of(g -> countDown(1000, g)));
        assertEquals(2000, values.size());
        assertEquals(1000, values.get(0));
        assertEquals(1, values.get(999));
        assertEquals(-1, values.get(1000));
        assertEquals(-1000, values.get(1999));
    }

    @Test
    void aMillionValuesFlowThroughOneGenerator() {
        Generator<Integer> gen = Generator.of(g -> {
            for (int i = 0; i < 1_000_000; i++) g.yield(i);
        });
        long sum = 0;
        for (int v : gen) sum += v;
        assertEquals(999_999L * 1_000_000L / 2, sum);
    }

    // ---- streams ----

    @Test
    void theStreamPullsValuesLazilyFromAnEndlessGenerator() {
        Generator<Long> naturals = Generator.of(g -> {
            for (long i = 0; ; i++) {
                log.add("produce " + i);
                g.yield(i);
            }
        });
        List<Long> evenSquares = naturals.stream().filter(v -> v % 2 == 0).map(v -> v * v).limit(3)
                .collect(Collectors.toList());
        assertEquals(List.of(0L, 4L, 16L), evenSquares);
        assertEquals(5, log.size(), "it ran only as far as the stream needed: 0..4");
        assertEquals(Coroutine.State.SUSPENDED, naturals.state());
    }

    @Test
    void closingTheStreamClosesTheGenerator() {
        Generator<Integer> gen = Generator.of(g -> {
            try {
                for (int i = 0; ; i++) g.yield(i);
            } finally {
                log.add("finally");
            }
        });
        try (var s = gen.stream()) {
            assertEquals(List.of(0, 1), s.limit(2).collect(Collectors.toList()));
        }
        assertEquals(List.of("finally"), log);
        assertEquals(Coroutine.State.DONE, gen.state());
    }

    @Test
    void theStreamStartsAfterWhatTheIteratorTook() {
        Generator<Integer> gen = Generator.of(g -> {
            for (int i = 0; i < 5; i++) g.yield(i);
        });
        assertEquals(0, gen.next());
        assertTrue(gen.hasNext());
        assertEquals(List.of(1, 2, 3, 4), gen.stream().collect(Collectors.toList()));
    }

    // ---- composition ----

    @Test
    void aGeneratorBodyMayConsumeAnotherGenerator() {
        Generator<Integer> numbers = Generator.of(g -> {
            for (int i = 1; i <= 10; i++) g.yield(i);
        });
        Generator<Integer> odd = Generator.of(g -> {
            for (int n : numbers) if (n % 2 == 1) g.yield(n);
        });
        Generator<String> labels = Generator.of(g -> {
            for (int n : odd) g.yield("#" + n);
        });
        assertEquals(List.of("#1", "#3", "#5", "#7", "#9"), drain(labels));
    }

    @Test
    void consecutiveValuesMayBeTakenOnDifferentThreads() throws Exception {
        Generator<String> gen = Generator.of(g -> {
            g.yield(Thread.currentThread().getName());
            g.yield(Thread.currentThread().getName());
        });
        ExecutorService a = Executors.newSingleThreadExecutor(r -> new Thread(r, "gen-a"));
        ExecutorService b = Executors.newSingleThreadExecutor(r -> new Thread(r, "gen-b"));
        try {
            assertEquals("gen-a", a.submit(gen::next).get());
            assertEquals("gen-b", b.submit(gen::next).get());
            assertFalse(a.submit(gen::hasNext).get());
        } finally {
            a.shutdown();
            b.shutdown();
        }
    }

    @Test
    void toStringShowsTheNameAndState() {
        Generator<Integer> gen = Generator.of("digits", g -> g.yield(1));
        assertEquals("digits", gen.name());
        assertEquals("Generator[digits, NEW]", gen.toString());
        gen.next();
        assertEquals("Generator[digits, SUSPENDED]", gen.toString());
    }
}
