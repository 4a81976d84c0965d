package dev.spindle.it.greenlets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Generator;
import dev.spindle.Greenlet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Greenlets together with generators and plain coroutines, and the switches that cannot be made. */
class GreenletAndOtherCoroutinesTest {
    @Test
    void aGreenletMayIterateAGenerator() {
        Greenlet g = new Greenlet(arg -> {
            int sum = 0;
            for (int v : Generator.<Integer>of(gen -> {
                for (int i = 1; i <= 4; i++) gen.yield(i);
            })) {
                sum += v;
                Greenlet.mainGreenlet().switchTo(v); // switching between values: the generator stays suspended
            }
            return "sum " + sum;
        });
        List<Object> got = new ArrayList<>();
        Object v = g.switchTo(null);
        while (!g.isDead()) {
            got.add(v);
            v = g.switchTo(null);
        }
        assertEquals(List.of(1, 2, 3, 4), got);
        assertEquals("sum 10", v);
    }

    @Test
    void aGeneratorBodyRunningOnTheMainGreenletMayDriveGreenlets() {
        Greenlet[] echo = new Greenlet[1];
        Generator<String> gen = Generator.of(out -> {
            echo[0] = new Greenlet(first -> {
                Object v = first;
                for (;;) v = Greenlet.mainGreenlet().switchTo("echo " + v);
            });
            for (int i = 0; i < 3; i++) out.yield(echo[0].switchTo(i));
        });
        assertEquals(List.of("echo 0", "echo 1", "echo 2"), GeneratorsHelper.drain(gen));
        assertEquals("echo 3", echo[0].switchTo(3), "the greenlet outlives the generator that started it");
    }

    @Test
    void aSwitchFromInsideAGeneratorThatAGreenletRunsIsRefused() {
        Greenlet g = new Greenlet(arg -> {
            Generator<Object> gen = Generator.of(out -> out.yield(Greenlet.mainGreenlet().switchTo("escape")));
            try {
                return gen.next();
            } catch (IllegalStateException e) {
                return e;
            }
        });
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, g.switchTo(null));
        assertTrue(e.getMessage().contains("Generator"), e.getMessage());
    }

    @Test
    void aBareCoroutineYieldInAGreenletIsRaisedWhereItWasMade() {
        Greenlet g = new Greenlet(arg -> {
            try {
                Coroutine.yield();
                return "not reached";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        String message = g.switchTo(null);
        assertTrue(message.contains("instead of switching"), message);
    }

    @Test
    void aSwitchThroughAPlainMethodIsRefusedByTheAgent() {
        Greenlet g = new Greenlet(arg -> {
            List.of(1).forEach(v -> Greenlet.mainGreenlet().switchTo(v));
            return "not reached";
        });
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> g.switchTo(null));
        assertTrue(e.getMessage().contains("@Suspendable"), e.getMessage());
    }

    /** Reads a generator out. */
    static final class GeneratorsHelper {
        static <T> List<T> drain(Generator<T> gen) {
            List<T> out = new ArrayList<>();
            gen.forEachRemaining(out::add);
            return out;
        }
    }
}
