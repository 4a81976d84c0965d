package dev.spindle.it.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** Exceptions from a body reach the consumer; misuse is refused with a message that says what to do. */
class GeneratorErrorsTest {
    @Test
    void anExceptionFromTheBodySurfacesAtNextAsTheSameObjectAndEndsTheGenerator() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        Generator<Integer> gen = Generator.of(g -> {
            g.yield(1);
            throw boom;
        });
        assertEquals(1, gen.next());
        assertSame(boom, assertThrows(IllegalArgumentException.class, gen::next));
        assertEquals(Coroutine.State.DONE, gen.state());
        assertFalse(gen.hasNext());
    }

    @Test
    void aYieldThatWasRefusedYieldsNothingWhetherTheBodyCatchesTheRefusalOrNot() {
        Generator<Integer> caught = Generator.of(g -> {
            try {
                List.of(1).forEach(g::yield); // through List.forEach, which is not instrumented: refused
            } catch (IllegalStateException refused) {
                // the body ends without yielding
            }
        });
        assertFalse(caught.hasNext());
        assertFalse(caught.hasNext());
        assertThrows(java.util.NoSuchElementException.class, caught::next);

        Generator<Integer> escaped = Generator.of(g -> List.of(1).forEach(g::yield));
        assertThrows(IllegalStateException.class, escaped::hasNext);
        assertFalse(escaped.hasNext());
    }

    /** The refused value is not handed out at the body's next suspension either, whatever suspends there. */
    @Test
    void aYieldThatWasRefusedAndCaughtIsNotHandedOutLater() {
        Generator<Integer> thenYieldAll = Generator.of(g -> {
            try {
                List.of(1).forEach(g::yield);
            } catch (IllegalStateException refused) {
                // goes on
            }
            g.yieldAll(Generator.<Integer>of(s -> {
                s.yield(10);
                s.yield(11);
            }));
        });
        List<Integer> got = new ArrayList<>();
        for (int v : thenYieldAll) got.add(v);
        assertEquals(List.of(10, 11), got);

        Generator<String> thenBareYield = Generator.of(g -> {
            try {
                List.of("refused").forEach(g::yield);
            } catch (IllegalStateException refused) {
                // goes on
            }
            try {
                Coroutine.yield(); // the mistake this body makes next, which it must be told of
            } catch (IllegalStateException e) {
                g.yield("told: " + e.getMessage().contains("Coroutine.yield()"));
            }
        });
        assertEquals("told: true", thenBareYield.next());
    }

    @Test
    void aForEachLoopSeesTheExceptionAfterTheValuesBeforeIt() {
        List<Integer> seen = new ArrayList<>();
        Generator<Integer> gen = Generator.of(g -> {
            g.yield(1);
            g.yield(2);
            throw new UnsupportedOperationException("three");
        });
        assertThrows(UnsupportedOperationException.class, () -> {
            for (int v : gen) seen.add(v);
        });
        assertEquals(List.of(1, 2), seen);
    }

    @Test
    void anExceptionBeforeTheFirstYieldSurfacesAtTheFirstRequest() {
        Generator<Integer> gen = Generator.of(g -> {
            throw new IllegalStateException("at once");
        });
        assertEquals("at once", assertThrows(IllegalStateException.class, gen::hasNext).getMessage());
        assertFalse(gen.hasNext());
    }

    @Suspendable
    static void failAfterAYield(GeneratorScope<Integer> g) {
        g.yield(1);
        throw new IllegalStateException("deep");
    }

    @Suspendable
    static void middle(GeneratorScope<Integer> g) {
        failAfterAYield(g);
    }

    @Test
    void theStackTraceShowsTheBodysSuspendedCallers() {
        Generator<Integer> gen = Generator.of(GeneratorErrorsTest::middle);
        gen.next();
        IllegalStateException e = assertThrows(IllegalStateException.class, gen::next);
        List<String> methods = Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName).toList();
        assertTrue(methods.indexOf("failAfterAYield") >= 0, methods.toString());
        assertTrue(methods.indexOf("middle") > methods.indexOf("failAfterAYield"), methods.toString());
    }

    @Test
    void theScopeRefusesAYieldFromTheConsumer() {
        @SuppressWarnings("unchecked")
        GeneratorScope<Integer>[] leaked = new GeneratorScope[1];
        Generator<Integer> gen = Generator.of(g -> {
            leaked[0] = g;
            g.yield(1);
        });
        gen.next();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> leaked[0].yield(2));
        assertTrue(e.getMessage().contains("outside its body"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> leaked[0].yieldAll(List.of(2)));
    }

    @Test
    void theScopeOfOneGeneratorRefusesAYieldFromAnothersBody() {
        @SuppressWarnings("unchecked")
        GeneratorScope<Integer>[] outerScope = new GeneratorScope[1];
        Generator<Integer> inner = Generator.of(g -> outerScope[0].yield(99));
        Generator<Integer> outer = Generator.of(g -> {
            outerScope[0] = g;
            for (int v : inner) g.yield(v);
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::next);
        assertTrue(e.getMessage().contains("outside its body"), e.getMessage());
    }

    @Test
    void aBareCoroutineYieldInTheBodyIsRaisedWhereItWasMade() {
        List<String> log = new ArrayList<>();
        Generator<Integer> gen = Generator.of(g -> {
            try {
                Coroutine.yield();
            } catch (IllegalStateException e) {
                log.add(e.getMessage());
            }
            g.yield(1);
        });
        assertEquals(1, gen.next());
        assertTrue(log.get(0).contains("g.yield(value)"), log.get(0));
    }

    @Test
    void aGeneratorCannotAdvanceItselfFromItsBody() {
        Generator<?>[] self = new Generator<?>[1];
        Generator<Integer> gen = Generator.of(g -> self[0].next());
        self[0] = gen;
        IllegalStateException e = assertThrows(IllegalStateException.class, gen::next);
        assertTrue(e.getMessage().contains("already running") && e.getMessage().contains("next()"), e.getMessage());
    }

    @Test
    void yieldingThroughAPlainMethodIsRefusedByTheAgent() {
        Generator<Integer> gen = Generator.of(g -> List.of(1, 2).forEach(v -> g.yield(v)));
        IllegalStateException e = assertThrows(IllegalStateException.class, gen::next);
        assertTrue(e.getMessage().contains("@Suspendable"), e.getMessage());
    }
}
