package dev.spindle.it.generators;

import static dev.spindle.it.generators.GeneratorIterationTest.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Generator;
import dev.spindle.GeneratorScope;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code yieldAll}: Python's {@code yield from}, over iterables and generators, from any depth. */
class GeneratorYieldAllTest {
    private final List<Object> received = new ArrayList<>();

    @Test
    void yieldAllOfAnIterableWhoseIteratorIsAGeneratorDelegatesToIt() {
        List<String> log = new ArrayList<>();
        Iterable<Integer> sequence = () -> Generator.of(g -> { // Kotlin's sequence {}, as Generator's Javadoc has it
            try {
                Object got = g.yield(1);
                log.add("sub got " + got);
                g.yield(2);
            } finally {
                log.add("sub finally");
            }
        });
        Generator<Integer> outer = Generator.of(g -> {
            try {
                g.yieldAll(sequence);
            } finally {
                log.add("outer finally");
            }
        });
        assertEquals(1, outer.next());
        assertEquals(2, (int) outer.send("x")); // passed on, as to a generator
        outer.close(); // closes the sub-generator first, as Python's yield from does
        assertEquals(List.of("sub got x", "sub finally", "outer finally"), log);
    }

    /** An iterator over a resource, closed when the generator that yields its values is. */
    private static final class ClosingIterator implements java.util.Iterator<Integer>, AutoCloseable {
        final List<String> log;
        int next;

        ClosingIterator(List<String> log) {
            this.log = log;
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public Integer next() {
            return next++;
        }

        @Override
        public void close() {
            log.add("iterator closed");
        }
    }

    @Test
    void closingAGeneratorInYieldAllOfAnIterableClosesAnIteratorThatCanBeClosed() {
        List<String> log = new ArrayList<>();
        Generator<Integer> gen = Generator.of(g -> g.yieldAll(() -> new ClosingIterator(log)));
        assertEquals(List.of(0, 1, 2), List.of(gen.next(), gen.next(), gen.next()));
        gen.close();
        assertEquals(List.of("iterator closed"), log);
    }

    @Test
    void yieldAllOfAnIterableYieldsEachElement() {
        Generator<String> gen = Generator.of(g -> {
            g.yield("header");
            g.yieldAll(List.of("a", "b", "c"));
            g.yieldAll(List.of());
            g.yield("footer");
        });
        assertEquals(List.of("header", "a", "b", "c", "footer"), drain(gen));
    }

    @Test
    void aValueSentWhileYieldingFromAnIterableIsThrownBackAtTheBodyNotLost() {
        Generator<String> gen = Generator.of(g -> {
            try {
                g.yieldAll(List.of("a", "b"));
            } catch (IllegalArgumentException e) {
                g.yield(e.getMessage().startsWith("value lost? was sent") ? "refused" : e.getMessage());
            }
        });
        assertEquals("a", gen.next());
        assertEquals("refused", gen.send("lost?"));
        assertEquals("a", Generator.<String>of(g -> g.yieldAll(List.of("a", "b"))).send(null)); // null is a next()
    }

    @Test
    void yieldAllOfAGeneratorThatYieldsFromDepth() {
        Generator<Integer> tree = Generator.of(g -> GeneratorIterationTest.walk(GeneratorIterationTest.TREE, g));
        Generator<Integer> gen = Generator.of(g -> {
            g.yield(0);
            g.yieldAll(tree);
            g.yield(9);
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), drain(gen));
        assertEquals(Coroutine.State.DONE, tree.state());
    }

    @Suspendable
    static void delegateDeep(int depth, Generator<Integer> sub, GeneratorScope<Integer> g) {
        if (depth == 0) {
            g.yieldAll(sub);
            return;
        }
        g.yield(depth);
        delegateDeep(depth - 1, sub, g);
    }

    @Test
    void yieldAllCalledManyFramesDeepDelegatesToASubGeneratorThatIsDeepItself() {
        Generator<Integer> sub = Generator.of(g -> GeneratorIterationTest.countDown(3, g));
        Generator<Integer> gen = Generator.of(g -> delegateDeep(4, sub, g));
        assertEquals(List.of(4, 3, 2, 1, 3, 2, 1, -1, -2, -3), drain(gen));
    }

    @Test
    void sentValuesGoOnToTheSubGenerator() {
        Generator<Integer> sub = Generator.of(g -> {
            int total = 0;
            for (int i = 0; i < 3; i++) {
                Integer n = g.yield(total);
                received.add(n);
                if (n != null) total += n;
            }
        });
        List<Object> outerReceived = new ArrayList<>();
        Generator<Integer> gen = Generator.of(g -> {
            g.yieldAll(sub);
            outerReceived.add(g.yield(-1));
        });
        assertEquals(0, gen.next());
        assertEquals(10, gen.send(10));
        assertEquals(15, gen.send(5));
        assertEquals(-1, gen.send(1), "the sub-generator got 1 and ended; the outer body went on");
        assertEquals(Arrays.asList(10, 5, 1), received);
        assertThrows(java.util.NoSuchElementException.class, () -> gen.send("to the outer"));
        assertEquals(List.of("to the outer"), outerReceived);
    }

    @Test
    void aGeneratorPassedAsAnIterableIsStillDelegatedTo() {
        Generator<Integer> sub = Generator.of(g -> received.add(g.yield(1)));
        Iterable<Integer> asIterable = sub;
        Generator<Integer> gen = Generator.of(g -> g.yieldAll(asIterable));
        assertEquals(1, gen.next());
        assertThrows(java.util.NoSuchElementException.class, () -> gen.send("hi"));
        assertEquals(List.of("hi"), received);
    }

    @Test
    void threeLevelsOfDelegationPassValuesBothWays() {
        Generator<String> c = Generator.of(g -> {
            String s = g.yield("c1");
            g.yield("c got " + s);
        });
        Generator<String> b = Generator.of(g -> {
            g.yield("b1");
            g.yieldAll(c);
            g.yield("b2");
        });
        Generator<String> a = Generator.of(g -> {
            g.yieldAll(b);
            g.yield("a1");
        });
        assertEquals("b1", a.next());
        assertEquals("c1", a.next());
        assertEquals("c got x", a.send("x"));
        assertEquals(List.of("b2", "a1"), drain(a));
    }

    @Test
    void aPartlyConsumedGeneratorIsDelegatedForWhatIsLeft() {
        Generator<Integer> sub = Generator.of(g -> {
            for (int i = 1; i <= 4; i++) g.yield(i);
        });
        assertEquals(1, sub.next());
        assertTrue(sub.hasNext(), "2 is fetched and waiting");
        Generator<Integer> gen = Generator.of(g -> g.yieldAll(sub));
        assertEquals(List.of(2, 3, 4), drain(gen));
    }

    @Test
    void anExceptionOfTheSubGeneratorComesOutOfYieldAllWhereTheBodyMayCatchIt() {
        IllegalStateException boom = new IllegalStateException("boom");
        Generator<Integer> sub = Generator.of(g -> {
            g.yield(1);
            throw boom;
        });
        Generator<Integer> gen = Generator.of(g -> {
            try {
                g.yieldAll(sub);
            } catch (IllegalStateException e) {
                received.add(e);
            }
            g.yield(2);
        });
        assertEquals(List.of(1, 2), drain(gen));
        assertEquals(List.of(boom), received);
    }

    @Test
    void anUncaughtExceptionOfTheSubGeneratorReachesTheConsumer() {
        IllegalStateException boom = new IllegalStateException("boom");
        Generator<Integer> sub = Generator.of(g -> {
            g.yield(1);
            throw boom;
        });
        Generator<Integer> gen = Generator.of(g -> g.yieldAll(sub));
        assertEquals(1, gen.next());
        assertSame(boom, assertThrows(IllegalStateException.class, gen::next));
        assertEquals(Coroutine.State.DONE, gen.state());
    }

    @Test
    void yieldingFromItselfIsRefused() {
        Generator<?>[] self = new Generator<?>[1];
        @SuppressWarnings("unchecked")
        Generator<Integer> gen = Generator.of(g -> g.yieldAll((Generator<Integer>) self[0]));
        self[0] = gen;
        IllegalStateException e = assertThrows(IllegalStateException.class, gen::next);
        assertTrue(e.getMessage().contains("cannot yield from itself"), e.getMessage());
    }
}
