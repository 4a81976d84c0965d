package dev.spindle.it.greenlets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Greenlet;
import dev.spindle.GreenletExit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Uncaught exceptions go to the parent; {@code throwInto}; {@code kill} and {@link GreenletExit}. */
class GreenletThrowAndKillTest {
    private final List<Object> log = new ArrayList<>();

    /** A greenlet that waits in a switch to main until told "stop"; logs its finally. */
    private Greenlet waiter(String name) {
        return new Greenlet(name, arg -> {
            try {
                Object v = arg;
                while (!"stop".equals(v)) v = Greenlet.mainGreenlet().switchTo(name + " waits");
                return name + " stopped";
            } finally {
                log.add(name + " finally");
            }
        });
    }

    @Test
    void anUncaughtExceptionIsRaisedInTheParentsPendingSwitch() {
        IllegalStateException boom = new IllegalStateException("boom");
        Greenlet g = new Greenlet(arg -> {
            throw boom;
        });
        assertSame(boom, assertThrows(IllegalStateException.class, () -> g.switchTo(null)));
        assertTrue(g.isDead());
    }

    @Test
    void aGreenletParentMayCatchItsChildsException() {
        Greenlet parent = new Greenlet("parent", arg -> {
            Greenlet child = new Greenlet("child", x -> {
                throw new UnsupportedOperationException("child failed");
            });
            try {
                child.switchTo(null);
                return "not reached";
            } catch (UnsupportedOperationException e) {
                return "parent caught " + e.getMessage();
            }
        });
        assertEquals("parent caught child failed", parent.switchTo(null));
    }

    @Test
    void throwIntoRaisesAtThePendingSwitchWhereTheGreenletMayCatchIt() {
        Greenlet g = new Greenlet(arg -> {
            for (;;) {
                try {
                    Greenlet.mainGreenlet().switchTo("ready");
                } catch (IllegalArgumentException e) {
                    log.add("caught " + e.getMessage());
                }
            }
        });
        g.switchTo(null);
        assertEquals("ready", g.throwInto(new IllegalArgumentException("one")));
        assertEquals("ready", g.throwInto(new IllegalArgumentException("two")));
        assertEquals(List.of("caught one", "caught two"), log);
        assertFalse(g.isDead());
    }

    @Test
    void anExceptionThrownInAndNotCaughtComesBackToTheParent() {
        Greenlet g = waiter("w");
        g.switchTo(null);
        IllegalStateException e = new IllegalStateException("unhandled");
        assertSame(e, assertThrows(IllegalStateException.class, () -> g.throwInto(e)));
        assertTrue(g.isDead());
        assertEquals(List.of("w finally"), log);
    }

    @Test
    void throwingIntoAGreenletNotStartedKillsItWithoutRunningIt() {
        Greenlet g = new Greenlet(arg -> {
            log.add("ran");
            return null;
        });
        IllegalStateException e = new IllegalStateException("before start");
        assertSame(e, assertThrows(IllegalStateException.class, () -> g.throwInto(e)));
        assertTrue(g.isDead());
        assertTrue(g.isStarted());
        assertTrue(log.isEmpty());
    }

    @Test
    void throwingIntoTheCurrentGreenletRaisesAtOnce() {
        IllegalStateException e = new IllegalStateException("self");
        assertSame(e, assertThrows(IllegalStateException.class, () -> Greenlet.current().throwInto(e)));
        Greenlet g = new Greenlet(arg -> {
            try {
                Greenlet.current().throwInto(new IllegalArgumentException("at once"));
                return "not reached";
            } catch (IllegalArgumentException x) {
                return "caught " + x.getMessage();
            }
        });
        assertEquals("caught at once", g.switchTo(null));
    }

    @Test
    void throwingIntoADeadGreenletRaisesInItsParent() {
        Greenlet g = new Greenlet(arg -> "done");
        g.switchTo(null);
        IllegalStateException e = new IllegalStateException("to the dead");
        assertSame(e, assertThrows(IllegalStateException.class, () -> g.throwInto(e)));
    }

    @Test
    void aGreenletExitThrownIntoADeadGreenletReachesItsParentAsAValue() {
        Greenlet g = new Greenlet(arg -> "done");
        g.switchTo(null);
        GreenletExit exit = new GreenletExit();
        assertSame(exit, g.throwInto(exit));
        Greenlet deadChild = new Greenlet(arg -> "done");
        Greenlet parent = new Greenlet(arg -> {
            deadChild.setParent(Greenlet.current());
            deadChild.switchTo(null); // runs and ends: its value comes back here
            return deadChild.throwInto(new GreenletExit()) instanceof GreenletExit ? "exit as a value" : "?";
        });
        assertEquals("exit as a value", parent.switchTo(null));
    }

    @Test
    void killRunsTheFinallyBlocksAndTheExitReachesTheParentAsAValue() {
        Greenlet g = waiter("w");
        assertEquals("w waits", g.switchTo(null));
        Object result = g.kill();
        assertInstanceOf(GreenletExit.class, result);
        assertTrue(g.isDead());
        assertEquals(List.of("w finally"), log);
    }

    @Test
    void killingAGreenletNotStartedNeverRunsItsBody() {
        Greenlet g = waiter("w");
        assertInstanceOf(GreenletExit.class, g.kill());
        assertTrue(g.isDead());
        assertTrue(log.isEmpty(), "the body, finally included, never ran");
    }

    @Test
    void killingADeadGreenletDoesNothing() {
        Greenlet g = waiter("w");
        g.switchTo(null);
        assertEquals("w stopped", g.switchTo("stop"));
        assertNull(g.kill());
        assertEquals(List.of("w finally"), log);
    }

    @Test
    void catchExceptionDoesNotStopAKill() {
        Greenlet g = new Greenlet(arg -> {
            for (;;) {
                try {
                    Greenlet.mainGreenlet().switchTo(null);
                } catch (Exception e) {
                    log.add("swallowed " + e);
                }
            }
        });
        g.switchTo(null);
        assertInstanceOf(GreenletExit.class, g.kill());
        assertTrue(log.isEmpty());
    }

    @Test
    void aGreenletThatCatchesTheExitAndReturnsHandsItsValueToTheParent() {
        Greenlet g = new Greenlet(arg -> {
            try {
                Greenlet.mainGreenlet().switchTo(null);
                return "not killed";
            } catch (GreenletExit e) {
                return "killed politely";
            }
        });
        g.switchTo(null);
        assertEquals("killed politely", g.kill());
    }

    @Test
    void whenAnotherGreenletKillsTheExitStillGoesToTheVictimsParent() {
        Greenlet victim = waiter("victim");
        victim.switchTo(null);
        Greenlet killer = new Greenlet("killer", arg -> {
            Object r = victim.kill();
            log.add("killer resumed with " + r);
            return "killer done";
        });
        // the victim's parent is main: main gets the exit, the killer stays suspended in kill()
        Object r = killer.switchTo(null);
        assertInstanceOf(GreenletExit.class, r);
        assertTrue(victim.isDead());
        assertFalse(killer.isDead());
        assertEquals(List.of("victim finally"), log);
        assertEquals("killer done", killer.switchTo("resumed"));
        assertEquals(List.of("victim finally", "killer resumed with resumed"), log);
    }

    @Test
    void killingTheCurrentGreenletEndsItWithTheExitAsItsValue() {
        Greenlet g = new Greenlet(arg -> {
            try {
                Greenlet.current().kill();
                return "not reached";
            } finally {
                log.add("finally");
            }
        });
        assertInstanceOf(GreenletExit.class, g.switchTo(null));
        assertEquals(List.of("finally"), log);
    }
}
