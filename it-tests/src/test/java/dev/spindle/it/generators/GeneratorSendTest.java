package dev.spindle.it.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Generator;
import dev.spindle.GeneratorScope;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** {@code send}: values from the consumer to the generator's pending yield, as Python's {@code generator.send}. */
class GeneratorSendTest {
    private final List<Object> received = new ArrayList<>();

    private Generator<Integer> runningTotal() {
        return Generator.of(g -> {
            int total = 0;
            for (;;) {
                Integer n = g.yield(total);
                received.add(n);
                if (n != null) total += n;
            }
        });
    }

    @Test
    void sendMakesThePendingYieldReturnTheValueAndReturnsTheNextValue() {
        Generator<Integer> total = runningTotal();
        assertEquals(0, total.next());
        assertEquals(5, total.send(5));
        assertEquals(15, total.send(10));
        assertEquals(Arrays.asList(5, 10), received);
    }

    @Test
    void nextMakesThePendingYieldReturnNull() {
        Generator<Integer> total = runningTotal();
        assertEquals(0, total.next());
        assertEquals(3, total.send(3));
        assertEquals(3, total.next());
        assertTrue(total.hasNext());
        assertEquals(Arrays.asList(3, null, null), received, "hasNext() resumes the yield with null too");
    }

    @Test
    void sendingNonNullToAGeneratorNotStartedIsRefusedAsInPython() {
        Generator<Integer> total = runningTotal();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> total.send(1));
        assertTrue(e.getMessage().contains("has not started"), e.getMessage());
        assertEquals(Coroutine.State.NEW, total.state(), "the refused send did not start it");
        assertEquals(0, total.next());
    }

    @Test
    void sendNullStartsAGeneratorLikeNext() {
        Generator<Integer> total = runningTotal();
        assertEquals(0, total.send(null));
        assertEquals(7, total.send(7));
    }

    @Test
    void sendToAGeneratorThatEndsWhenItReceivesThrowsNoSuchElement() {
        List<String> heard = new ArrayList<>();
        Generator<String> once = Generator.of(g -> {
            String s = g.yield("ready");
            heard.add(s);
        });
        assertEquals("ready", once.next());
        assertThrows(NoSuchElementException.class, () -> once.send("last words"));
        assertEquals(List.of("last words"), heard, "the value reached the body before it ended");
        assertThrows(NoSuchElementException.class, () -> once.send("more"));
        assertThrows(NoSuchElementException.class, () -> once.send(null));
    }

    @Test
    void sendAfterHasNextFetchedAValueIsRefusedSoNoValueIsLost() {
        Generator<Integer> total = runningTotal();
        total.next();
        assertTrue(total.hasNext());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> total.send(1));
        assertTrue(e.getMessage().contains("call next() first"), e.getMessage());
        assertEquals(0, total.next(), "the value hasNext() fetched is still there");
        assertEquals(1, total.send(1));
    }

    @Suspendable
    static String ask(String question, GeneratorScope<String> g) {
        return g.yield(question);
    }

    @Test
    void aYieldDeepInsideTheBodyReceivesTheSentValue() {
        Generator<String> dialog = Generator.of(g -> {
            String name = ask("name?", g);
            String city = ask("city?", g);
            g.yield(name + " from " + city);
        });
        assertEquals("name?", dialog.next());
        assertEquals("city?", dialog.send("Ada"));
        assertEquals("Ada from London", dialog.send("London"));
    }

    @Test
    void aSentValueOfTheWrongTypeFailsAtTheAssignmentInTheBody() {
        Generator<Integer> total = runningTotal();
        total.next();
        assertThrows(ClassCastException.class, () -> total.send("not a number"));
        assertFalse(total.hasNext(), "the exception ended the body");
    }
}
