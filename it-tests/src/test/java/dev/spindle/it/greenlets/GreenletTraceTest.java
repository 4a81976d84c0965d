package dev.spindle.it.greenlets;

import static dev.spindle.GreenletTrace.Event.SWITCH;
import static dev.spindle.GreenletTrace.Event.THROW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Greenlet;
import dev.spindle.GreenletExit;
import dev.spindle.GreenletTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The trace hook sees every switch and throw, with the greenlet that actually gets control. */
class GreenletTraceTest {
    private final List<String> events = new ArrayList<>();
    private Greenlet ping;
    private Greenlet pong;

    private static String name(Greenlet g) {
        return g.isMain() ? "main" : g.name();
    }

    private final GreenletTrace recorder = (event, origin, target) ->
            events.add(event + " " + name(origin) + "->" + name(target));

    @AfterEach
    void removeTheHook() {
        Greenlet.setTrace(null);
    }

    @Test
    void everySwitchIsSeenIncludingTheImplicitOneWhenABodyEnds() {
        ping = new Greenlet("ping", arg -> {
            pong.switchTo(null);
            pong.switchTo(null);
            return null;
        });
        pong = new Greenlet("pong", arg -> {
            for (;;) ping.switchTo(null);
        });
        Greenlet.setTrace(recorder);
        ping.switchTo(null);
        assertEquals(List.of("SWITCH main->ping", "SWITCH ping->pong", "SWITCH pong->ping", "SWITCH ping->pong",
                "SWITCH pong->ping", "SWITCH ping->main"), events);
    }

    @Test
    void throwsAreSeenAsThrowEvents() {
        Greenlet failing = new Greenlet("failing", arg -> {
            Greenlet.mainGreenlet().switchTo(null);
            throw new IllegalStateException("uncaught");
        });
        failing.switchTo(null);
        Greenlet catching = new Greenlet("catching", arg -> {
            try {
                Greenlet.mainGreenlet().switchTo(null);
            } catch (IllegalArgumentException e) {
                return "caught";
            }
            return "no";
        });
        catching.switchTo(null);
        Greenlet.setTrace(recorder);
        assertThrows(IllegalStateException.class, () -> failing.switchTo(null));
        assertEquals("caught", catching.throwInto(new IllegalArgumentException()));
        assertEquals(List.of("SWITCH main->failing", "THROW failing->main", "THROW main->catching",
                "SWITCH catching->main"), events);
    }

    @Test
    void aKillIsAThrowInAndASwitchOut() {
        Greenlet g = new Greenlet("victim", arg -> Greenlet.mainGreenlet().switchTo(null));
        g.switchTo(null);
        Greenlet.setTrace(recorder);
        assertInstanceOf(GreenletExit.class, g.kill());
        assertEquals(List.of("THROW main->victim", "SWITCH victim->main"), events);
    }

    @Test
    void theTargetIsTheGreenletThatGetsControlWhenTheOneSwitchedToIsDead() {
        Greenlet parent = new Greenlet("parent", arg -> {
            for (;;) Greenlet.mainGreenlet().switchTo(null);
        });
        parent.switchTo(null);
        Greenlet child = new Greenlet("child", arg -> null, parent);
        child.switchTo(null);
        events.clear();
        Greenlet.setTrace(recorder);
        child.switchTo(null);
        assertEquals(List.of("SWITCH main->parent", "SWITCH parent->main"), events);
    }

    @Test
    void insideTheHookTheTargetIsAlreadyCurrent() {
        List<Boolean> checks = new ArrayList<>();
        Greenlet g = new Greenlet("g", arg -> null);
        Greenlet.setTrace((event, origin, target) -> checks.add(Greenlet.current() == target));
        g.switchTo(null);
        assertEquals(List.of(true, true), checks);
    }

    @Test
    void setTraceReturnsThePreviousHookAndNullRemovesIt() {
        assertNull(Greenlet.setTrace(recorder));
        assertSame(recorder, Greenlet.getTrace());
        GreenletTrace other = (e, o, t) -> { };
        assertSame(recorder, Greenlet.setTrace(other));
        assertSame(other, Greenlet.setTrace(null));
        assertNull(Greenlet.getTrace());
        new Greenlet(arg -> null).switchTo(null);
        assertTrue(events.isEmpty());
    }

    @Test
    void aHookThatThrowsIsRemovedAndItsExceptionRaisedInTheTarget() {
        RuntimeException hookFailure = new RuntimeException("hook failed");
        Greenlet g = new Greenlet("g", arg -> {
            try {
                return Greenlet.mainGreenlet().switchTo("first");
            } catch (RuntimeException e) {
                return "g caught " + e.getMessage();
            }
        });
        Greenlet.setTrace((event, origin, target) -> {
            if (target == g) throw hookFailure;
        });
        // the hook fails on main -> g: g gets the exception instead of its first value, so it dies unrun and the
        // exception goes on to its parent
        assertSame(hookFailure, assertThrows(RuntimeException.class, () -> g.switchTo(null)));
        assertNull(Greenlet.getTrace());
        assertTrue(g.isDead());

        Greenlet h = new Greenlet("h", arg -> {
            try {
                return Greenlet.mainGreenlet().switchTo("first");
            } catch (RuntimeException e) {
                return "h caught " + e.getMessage();
            }
        });
        assertEquals("first", h.switchTo(null));
        Greenlet.setTrace((event, origin, target) -> {
            throw hookFailure;
        });
        assertEquals("h caught hook failed", h.switchTo("second"), "raised at h's pending switch");
        assertNull(Greenlet.getTrace());
    }

    @Test
    void aHookCannotSwitch() {
        Greenlet other = new Greenlet(arg -> null);
        Greenlet.setTrace((event, origin, target) -> other.switchTo(null));
        Greenlet g = new Greenlet(arg -> "ran");
        // the hook's refusal is raised in the target, g, which dies unrun; it reaches main
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.switchTo(null));
        assertTrue(e.getMessage().contains("hook cannot switch"), e.getMessage());
        assertTrue(!other.isStarted());
    }

    @Test
    void eachThreadHasItsOwnHook() throws Exception {
        Greenlet.setTrace(recorder);
        String otherThread = CompletableFuture.supplyAsync(() -> {
            Greenlet g = new Greenlet("elsewhere", arg -> "ok");
            return g.switchTo(null) + " " + Greenlet.getTrace();
        }).get();
        assertEquals("ok null", otherThread);
        assertTrue(events.isEmpty());
    }
}
