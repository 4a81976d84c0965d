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

    /** A node of a degenerate tree: every node has only a left child. */
    private record Node(Node left, int value) {
    }

    private static Node leftChain(int n) {
        Node t = null;
        for (int i = 0; i < n; i++) t = new Node(t, i);
        return t;
    }

    /** Python's recursive in-order walk, one generator per node: {@code yield from inorder(left); yield value}. */
    private static Generator<Integer> inorder(Node n, List<String> log) {
        return Generator.of(g -> {
            if (n == null) return;
            try {
                g.yieldAll(inorder(n.left(), log));
                g.yield(n.value());
            } finally {
                if (log != null) log.add("finally " + n.value());
            }
        });
    }

    /** Runs {@code body} on a thread with a small stack, and rethrows what it threw. */
    private static void onSmallStack(Runnable body) throws Throwable {
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, "small-stack", 512 * 1024);
        t.start();
        t.join();
        if (failed[0] != null) throw failed[0];
    }

    @Test
    void aChainOfDelegationsTenThousandDeepTakesNoStackPerLevel() throws Throwable {
        Node tree = leftChain(10_000);
        onSmallStack(() -> {
            List<Integer> seen = new ArrayList<>();
            for (int v : inorder(tree, null)) seen.add(v);
            assertEquals(10_000, seen.size());
            for (int i = 0; i < seen.size(); i++) assertEquals(i, seen.get(i));
        });
    }

    @Test
    void closingAChainTenThousandDeepMidwayRunsEveryFinallyInnermostFirst() throws Throwable {
        Node tree = leftChain(10_000);
        List<String> log = new ArrayList<>();
        onSmallStack(() -> {
            Generator<Integer> walk = inorder(tree, log);
            assertEquals(0, walk.next());
            assertEquals(1, walk.next());
            walk.close();
            assertEquals(Coroutine.State.DONE, walk.state());
        });
        assertEquals(10_000, log.size());
        for (int i = 0; i < log.size(); i++) assertEquals("finally " + i, log.get(i));
    }

    @Test
    void anExceptionTenThousandDelegationsDownReachesEachLevelOnItsWayUp() throws Throwable {
        List<String> log = new ArrayList<>();
        onSmallStack(() -> {
            Generator<Integer> g = nest(10_000, log);
            IllegalStateException e = assertThrows(IllegalStateException.class, g::next);
            assertEquals("bottom", e.getMessage());
        });
        assertEquals(10_000, log.size());
        assertEquals("unwound 1", log.get(0));
        assertEquals("unwound 10000", log.get(9_999));
    }

    private static Generator<Integer> nest(int depth, List<String> log) {
        return Generator.of(g -> {
            try {
                if (depth == 1) throw new IllegalStateException("bottom");
                g.yieldAll(nest(depth - 1, log));
            } finally {
                log.add("unwound " + depth);
            }
        });
    }

    @Test
    void aBodyThatAdvancesAGeneratorDelegatingToItIsRefusedAtThatCall() {
        Generator<Integer>[] outer = new Generator[1];
        List<String> log = new ArrayList<>();
        Generator<Integer> sub = Generator.of(g -> {
            try {
                outer[0].next();
            } catch (IllegalStateException e) {
                log.add("refused: " + e.getMessage().contains("already running"));
            }
            g.yield(7);
        });
        outer[0] = Generator.of(g -> {
            try {
                g.yieldAll(sub);
            } finally {
                log.add("outer unwound");
            }
        });
        assertEquals(7, outer[0].next());
        assertEquals(List.of("refused: true"), log);
        assertTrue(!outer[0].hasNext());
        assertEquals(List.of("refused: true", "outer unwound"), log);
    }

    @Test
    void aGeneratorCannotYieldFromOneThatDelegatesToIt() {
        Generator<Integer>[] a = new Generator[1];
        Generator<Integer> b = Generator.of(g -> g.yieldAll(a[0]));
        a[0] = Generator.of(g -> g.yieldAll(b));
        IllegalStateException e = assertThrows(IllegalStateException.class, a[0]::next);
        assertTrue(e.getMessage().contains("cannot yield from"), e.getMessage());
    }

    @Suspendable
    static void delegateTo(Generator<Integer> sub, GeneratorScope<Integer> g) {
        g.yieldAll(sub);
    }

    @Test
    void anExceptionFromADelegateShowsTheDelegatingBodysFramesInItsTrace() {
        Generator<Integer> sub = Generator.of(GeneratorErrorsTest::middle); // yields 1, then throws "deep"
        Generator<Integer> outer = Generator.of(g -> delegateTo(sub, g));
        assertEquals(1, outer.next());
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::next);
        List<String> methods = Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName).toList();
        int thrower = methods.indexOf("failAfterAYield"), middle = methods.indexOf("middle"),
                yieldAll = methods.indexOf("yieldAll"), delegating = methods.indexOf("delegateTo"),
                consumer = methods.indexOf("anExceptionFromADelegateShowsTheDelegatingBodysFramesInItsTrace");
        assertTrue(0 <= thrower && thrower < middle && middle < yieldAll && yieldAll < delegating
                && delegating < consumer, methods.toString());
    }

    static IllegalStateException kept;

    @Suspendable
    static void failWithTheKeptException(GeneratorScope<Integer> g) {
        g.yield(1);
        if (kept == null) kept = new IllegalStateException("kept");
        throw kept;
    }

    @Test
    void anExceptionThrownAgainThroughTheSameDelegationGetsTheDelegatingFramesOnce() {
        kept = null;
        int[] lengths = new int[3];
        for (int i = 0; i < 3; i++) {
            Generator<Integer> outer = Generator.of(g -> delegateTo(
                    Generator.of(GeneratorYieldAllTest::failWithTheKeptException), g));
            outer.next();
            lengths[i] = assertThrows(IllegalStateException.class, outer::next).getStackTrace().length;
        }
        assertEquals(lengths[0], lengths[2], Arrays.toString(lengths));
    }

    @Test
    void aValueSentWhileTheDelegateHasAValueReadyIsRefusedNotLost() {
        List<Object> got = new ArrayList<>();
        Generator<String> inner = Generator.of(g -> {
            for (int i = 0; i < 3; i++) got.add(g.yield("v" + i));
        });
        Generator<String> outer = Generator.of(g -> g.yieldAll(inner));
        assertEquals("v0", outer.next());
        assertTrue(inner.hasNext()); // "v1" waits in inner, which outer delegates to
        assertThrows(IllegalStateException.class, () -> outer.send("x"));
        assertEquals("v1", outer.next());
        assertEquals(Arrays.asList((Object) null), got);
    }

    @Test
    void aYieldAllThatWasRefusedDelegatesToNothing() {
        Generator<Integer> sub = Generator.of(g -> {
            g.yield(100);
            g.yield(101);
        });
        Generator<Integer> gen = Generator.of(g -> {
            try {
                List.of(1).forEach(x -> g.yieldAll(sub)); // through List.forEach: refused
            } catch (IllegalStateException refused) {
                received.add("refused");
            }
            try {
                Coroutine.yield(); // a bare yield, raised in the body as the mistake it is
            } catch (IllegalStateException bare) {
                received.add("bare yield raised");
            }
            g.yield(5);
        });
        List<Integer> values = new ArrayList<>();
        gen.forEachRemaining(values::add);
        assertEquals(List.of(5), values);
        assertEquals(List.of("refused", "bare yield raised"), received);
    }

    /** Python: {@code finally: yield from cleanup()} while closing is fine as long as {@code cleanup()} yields nothing. */
    @Test
    void closeRunsAYieldAllInAFinallyBlockAndRefusesOnlyAValueItYields() {
        List<String> log = new ArrayList<>();
        Generator<Integer> quiet = Generator.of(g -> {
            try {
                g.yield(1);
            } finally {
                g.yieldAll(Generator.<Integer>of(h -> log.add("cleanup ran")));
                log.add("after cleanup");
            }
        });
        assertEquals(1, quiet.next());
        quiet.close();
        assertEquals(List.of("cleanup ran", "after cleanup"), log);
        assertEquals(Coroutine.State.DONE, quiet.state());

        IllegalArgumentException boom = new IllegalArgumentException("cleanup failed");
        Generator<Integer> failing = Generator.of(g -> {
            try {
                g.yield(1);
            } finally {
                g.yieldAll(Generator.<Integer>of(h -> {
                    throw boom;
                }));
            }
        });
        failing.next();
        assertSame(boom, assertThrows(IllegalArgumentException.class, failing::close));
        assertEquals(Coroutine.State.DONE, failing.state());

        Generator<Integer> yielding = Generator.of(g -> {
            try {
                g.yield(1);
            } finally {
                g.yieldAll(List.of(2));
            }
        });
        yielding.next();
        IllegalStateException e = assertThrows(IllegalStateException.class, yielding::close);
        assertTrue(e.getMessage().contains("ignored close()"), e.getMessage());
        Generator<Integer> yieldingFromGenerator = Generator.of(g -> {
            try {
                g.yield(1);
            } finally {
                g.yieldAll(Generator.<Integer>of(h -> h.yield(2)));
            }
        });
        yieldingFromGenerator.next();
        e = assertThrows(IllegalStateException.class, yieldingFromGenerator::close);
        assertTrue(e.getMessage().contains("ignored close()"), e.getMessage());
    }

    @Test
    void aGeneratorIsRunningWhileTheGeneratorItYieldsFromRuns() {
        Generator<?>[] outer = new Generator<?>[1];
        Generator<String> inner = Generator.of(s -> s.yield(outer[0].state() + " " + outer[0]));
        Generator<String> delegating = Generator.of(s -> s.yieldAll(inner));
        outer[0] = delegating;
        String seen = delegating.next();
        assertTrue(seen.startsWith("RUNNING ") && seen.endsWith(", RUNNING]"), seen);
        assertEquals(Coroutine.State.SUSPENDED, delegating.state());
    }
}
