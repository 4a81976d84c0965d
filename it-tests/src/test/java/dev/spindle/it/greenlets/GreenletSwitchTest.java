package dev.spindle.it.greenlets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Greenlet;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Switching: values both ways, first switch starts the body, results go to the parent, from any depth. */
class GreenletSwitchTest {
    private final List<Object> log = new ArrayList<>();
    private Greenlet ping;
    private Greenlet pong;

    @Test
    void theThreadsOwnCodeIsItsMainGreenlet() {
        Greenlet main = Greenlet.current();
        assertSame(main, Greenlet.mainGreenlet());
        assertTrue(main.isMain());
        assertTrue(main.isStarted());
        assertFalse(main.isDead());
        assertNull(main.parent());
        assertEquals("main", main.name());
        assertEquals(0, main.stackTrace().length);
    }

    @Test
    void theFirstSwitchStartsTheBodyWithItsValueAndTheResultComesBackToTheParent() {
        Greenlet g = new Greenlet("doubler", arg -> {
            log.add(arg);
            assertSame(Greenlet.current().parent(), Greenlet.mainGreenlet());
            return (Integer) arg * 2;
        });
        assertFalse(g.isStarted());
        assertTrue(log.isEmpty(), "nothing runs before the first switch");
        int result = g.switchTo(21);
        assertEquals(42, result);
        assertEquals(List.of(21), log);
        assertTrue(g.isStarted());
        assertTrue(g.isDead());
        assertSame(Greenlet.mainGreenlet(), Greenlet.current());
    }

    @Test
    void pingPongPassesValuesBothWays() {
        ping = new Greenlet("ping", ball -> {
            for (int i = 0; i < 3; i++) {
                log.add("ping " + ball);
                ball = pong.switchTo((Integer) ball + 1);
            }
            return "ping done at " + ball;
        });
        pong = new Greenlet("pong", ball -> {
            for (;;) {
                log.add("pong " + ball);
                ball = ping.switchTo((Integer) ball + 1);
            }
        });
        assertEquals("ping done at 6", ping.switchTo(0));
        assertEquals(List.of("ping 0", "pong 1", "ping 2", "pong 3", "ping 4", "pong 5"), log);
        assertTrue(ping.isDead());
        assertFalse(pong.isDead(), "pong is still waiting in its switch");
    }

    @Test
    void mainGetsControlBackWhenAGreenletSwitchesToIt() {
        Greenlet g = new Greenlet(arg -> {
            Object reply = Greenlet.mainGreenlet().switchTo("first");
            log.add(reply);
            reply = Greenlet.current().parent().switchTo("second");
            log.add(reply);
            return "end";
        });
        assertEquals("first", g.switchTo(null));
        assertFalse(g.isDead());
        assertEquals("second", g.switchTo("a"));
        assertEquals("end", g.switchTo("b"));
        assertEquals(List.of("a", "b"), log);
    }

    @Suspendable
    static Object switchDeep(int depth, Greenlet target, Object value) {
        if (depth == 0) return target.switchTo(value);
        return switchDeep(depth - 1, target, value);
    }

    @Test
    void aSwitchManyFramesDeepSuspendsTheWholeChain() {
        ping = new Greenlet("ping", arg -> {
            int n = (Integer) arg;
            for (int i = 0; i < 10; i++) n = (Integer) switchDeep(200, pong, n + 1);
            return n;
        });
        pong = new Greenlet("pong", arg -> {
            int n = (Integer) arg;
            for (;;) n = (Integer) switchDeep(50, ping, n * 2);
        });
        // n -> pong(n + 1) -> ping(2 (n + 1)), ten times from 0
        int expected = 0;
        for (int i = 0; i < 10; i++) expected = 2 * (expected + 1);
        assertEquals(expected, (int) ping.switchTo(0));
    }

    @Test
    void aHundredThousandSwitchesRunInConstantStack() {
        ping = new Greenlet(arg -> {
            long n = 0;
            for (int i = 0; i < 100_000; i++) n = pong.<Long>switchTo(n + 1);
            return n;
        });
        pong = new Greenlet(arg -> {
            long n = (Long) arg;
            for (;;) n = ping.<Long>switchTo(n + 1);
        });
        assertEquals(200_000L, (long) ping.switchTo(null));
    }

    @Test
    void switchingToTheCurrentGreenletReturnsTheValueAtOnce() {
        assertEquals("same", Greenlet.mainGreenlet().switchTo("same"));
        Greenlet g = new Greenlet(arg -> Greenlet.current().switchTo("echo " + arg));
        assertEquals("echo x", g.switchTo("x"));
    }

    @Test
    void theDefaultParentIsTheGreenletCurrentAtCreation() {
        Greenlet outer = new Greenlet("outer", arg -> {
            Greenlet inner = new Greenlet("inner", x -> "inner result");
            log.add(inner.parent());
            Object r = inner.switchTo(null);
            log.add(r);
            return "outer result";
        });
        assertSame(Greenlet.mainGreenlet(), outer.parent());
        assertEquals("outer result", outer.switchTo(null));
        assertEquals(Arrays.asList(outer, "inner result"), log);
    }

    @Test
    void aChildsResultGoesToItsParentsPendingSwitchNotToWhoeverStartedIt() {
        Greenlet parent = new Greenlet("parent", arg -> {
            Object fromChild = Greenlet.mainGreenlet().switchTo("parent waits");
            log.add("parent got " + fromChild);
            return "parent done";
        });
        Greenlet child = new Greenlet("child", arg -> "child result", parent);
        assertEquals("parent waits", parent.switchTo(null));
        // main starts the child; the child's result goes to the parent's pending switch
        assertEquals("parent done", child.switchTo(null));
        assertEquals(List.of("parent got child result"), log);
    }

    @Test
    void aChildEndingWithAParentNotStartedStartsTheParentWithItsResult() {
        Greenlet parent = new Greenlet("parent", arg -> "parent started with " + arg);
        Greenlet child = new Greenlet("child", arg -> "child result", parent);
        assertEquals("parent started with child result", child.switchTo(null));
        assertTrue(parent.isDead());
    }

    @Test
    void switchingToADeadGreenletGoesToItsFirstLiveAncestor() {
        Greenlet grandparent = new Greenlet("grandparent", arg -> {
            Object v = arg;
            for (;;) v = Greenlet.mainGreenlet().switchTo("grandparent got " + v);
        });
        Greenlet parent = new Greenlet("parent", arg -> "parent result after " + arg, grandparent);
        Greenlet child = new Greenlet("child", arg -> "child result", parent);
        assertEquals("grandparent got start", grandparent.switchTo("start"));
        // the child ends: its result starts the parent, whose result goes to the grandparent's pending switch
        assertEquals("grandparent got parent result after child result", child.switchTo(null));
        assertTrue(child.isDead());
        assertTrue(parent.isDead());
        // a switch to the dead child goes to the dead parent, hence to the grandparent
        assertEquals("grandparent got to the dead", child.switchTo("to the dead"));
    }

    @Test
    void aSuspendedGreenletShowsWhereItWaits() {
        Greenlet g = new Greenlet("waiter", arg -> switchDeep(2, Greenlet.mainGreenlet(), "waiting"));
        g.switchTo(null);
        StackTraceElement[] trace = g.stackTrace();
        List<String> methods = Arrays.stream(trace).map(StackTraceElement::getMethodName).toList();
        assertEquals(3, methods.stream().filter("switchDeep"::equals).count(), methods.toString());
        assertTrue(g.toString().contains("waiter") && g.toString().contains("suspended"), g.toString());
        g.switchTo(null);
        assertArrayEquals(new StackTraceElement[0], g.stackTrace());
        assertTrue(g.toString().contains("dead"), g.toString());
    }

    @Test
    void manyGreenletsInARelayEachSwitchingToTheNext() {
        int n = 1000;
        Greenlet[] relay = new Greenlet[n];
        for (int i = n - 1; i >= 0; i--) {
            final int k = i;
            relay[i] = new Greenlet("relay " + i, arg -> {
                int hops = (Integer) arg + 1;
                return k + 1 < n ? relay[k + 1].switchTo(hops) : hops;
            });
        }
        // the last returns to main; every other stays suspended in its switch
        assertEquals(n, (int) relay[0].switchTo(0));
        assertTrue(relay[n - 1].isDead());
        assertFalse(relay[0].isDead());
    }

    /** A switch whose suspension is refused (through List.forEach) and caught leaves no transfer behind. */
    @Test
    void aRefusedSwitchThatTheBodyCatchesIsNotCarriedOutLater() {
        List<Object> log = new ArrayList<>();
        Greenlet other = new Greenlet("other", a -> {
            log.add("other ran " + a);
            return "other end";
        });
        Greenlet g = new Greenlet("g", a -> {
            try {
                List.of(1).forEach(v -> other.switchTo(v));
            } catch (IllegalStateException e) {
                log.add("refused");
            }
            try {
                dev.spindle.Coroutine.yield(); // the mistake this body makes next, which it must be told of
                return "yield returned";
            } catch (IllegalStateException e) {
                return e.getMessage().contains("instead of switching") ? "told" : e.getMessage();
            }
        });
        assertEquals("told", g.switchTo(null));
        assertEquals(List.of("refused"), log);
        assertFalse(other.isStarted());
    }
}
