package dev.spindle.it.greenlets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Greenlet;
import org.junit.jupiter.api.Test;

/** {@code parent()} and {@code setParent()}: where results go, and cycles refused. */
class GreenletParentTest {
    @Test
    void setParentChangesWhereTheResultGoes() {
        Greenlet collector = new Greenlet("collector", arg -> "collector got " + arg);
        Greenlet worker = new Greenlet("worker", arg -> "work");
        assertSame(Greenlet.mainGreenlet(), worker.parent());
        worker.setParent(collector);
        assertSame(collector, worker.parent());
        assertEquals("collector got work", worker.switchTo(null));
    }

    @Test
    void aParentGivenToTheConstructorGetsTheResult() {
        Greenlet collector = new Greenlet(arg -> "collector got " + arg);
        Greenlet worker = new Greenlet(arg -> "work", collector);
        assertSame(collector, worker.parent());
        assertEquals("collector got work", worker.switchTo(null));
    }

    @Test
    void aGreenletCannotBeItsOwnParent() {
        Greenlet g = new Greenlet(arg -> null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.setParent(g));
        assertTrue(e.getMessage().contains("cyclic"), e.getMessage());
    }

    @Test
    void aCycleThroughAncestorsIsRefused() {
        Greenlet a = new Greenlet("a", arg -> null);
        Greenlet b = new Greenlet("b", arg -> null, a);
        Greenlet c = new Greenlet("c", arg -> null, b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.setParent(c));
        assertTrue(e.getMessage().contains("cyclic"), e.getMessage());
        assertSame(Greenlet.mainGreenlet(), a.parent(), "unchanged");
    }

    @Test
    void theMainGreenletHasNoParentToSet() {
        Greenlet g = new Greenlet(arg -> null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Greenlet.mainGreenlet().setParent(g));
        assertTrue(e.getMessage().contains("setParent(") && e.getMessage().contains("main"), e.getMessage());
    }

    @Test
    void reparentingADeadChainRedirectsSwitchesToIt() {
        Greenlet first = new Greenlet("first", arg -> "first done");
        first.switchTo(null);
        Greenlet adopter = new Greenlet("adopter", arg -> "adopter got " + arg);
        first.setParent(adopter);
        assertEquals("adopter got hello", first.switchTo("hello"));
    }
}
