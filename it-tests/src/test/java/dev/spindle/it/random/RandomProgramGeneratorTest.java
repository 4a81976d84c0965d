package dev.spindle.it.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The generator itself: deterministic, and its programs have what the property test relies on. */
class RandomProgramGeneratorTest {
    @Test
    void theSameSeedGivesTheSameProgram() {
        for (int i = 0; i < 50; i++) {
            RandomProgramGenerator.Program a = new RandomProgramGenerator().generate(42L, i);
            RandomProgramGenerator.Program b = new RandomProgramGenerator().generate(42L, i);
            assertEquals(a, b);
            assertEquals(a.source(), new RandomProgramGenerator().generateSource(a.seed(), a.className()));
        }
    }

    @Test
    void differentSeedsOrIndicesGiveDifferentPrograms() {
        RandomProgramGenerator g = new RandomProgramGenerator();
        assertNotEquals(g.generate(1L, 0).source(), g.generate(2L, 0).source());
        assertNotEquals(g.generate(1L, 0).source().replace("Gen0", "X"), g.generate(1L, 1).source().replace("Gen1", "X"));
    }

    @Test
    void programsHaveTheEntryPointsTheTestCalls() {
        for (int i = 0; i < 20; i++) {
            String s = new RandomProgramGenerator().generate(7L, i).source();
            assertTrue(s.contains("public final class Gen" + i + " implements SuspendableCallable<String>"), s);
            assertTrue(s.contains("public static String run()"), s);
            assertTrue(s.contains("public String call() { return run(); }"), s);
            assertTrue(s.contains("static void maybeYield() { yields++; if (Coroutine.current() != null) Coroutine.yield(); else"), s);
            assertTrue(s.contains("static int injectAt;"), s);
        }
    }

    @Test
    void disabledFeaturesAreLeftOut() {
        RandomProgramGenerator g = new RandomProgramGenerator(RandomProgramGenerator.featuresWithout("lambda, switch_expr,TRY"));
        for (int i = 0; i < 100; i++) {
            String s = g.generate(3L, i).source();
            assertTrue(!s.contains("() ->") && !s.contains("yield y") && !s.contains("try {"), s);
        }
        assertEquals(EnumSet.allOf(RandomProgramGenerator.Feature.class), RandomProgramGenerator.featuresWithout(null));
    }
}
