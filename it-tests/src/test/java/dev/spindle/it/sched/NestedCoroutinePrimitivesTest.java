package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Generator;
import dev.spindle.io.EventLoop;
import dev.spindle.sched.Channel;
import dev.spindle.sched.Event;
import dev.spindle.sched.Interleavings;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Select;
import dev.spindle.sched.Tasklet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Code in a coroutine nested inside a tasklet or a loop coroutine (a generator's body) uses a channel or lock as
 * that tasklet or loop coroutine would: it claims it for the same side, is refused on the other side's, and is
 * told that it is nested when it tries to wait.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NestedCoroutinePrimitivesTest {

    /** What {@code body} threw in a loop coroutine of a new loop, or what it returned. */
    private static Object onALoop(dev.spindle.io.IoCallable<Object, RuntimeException> body) throws Exception {
        try (EventLoop loop = new EventLoop("nested")) {
            return loop.submit(body).handle((v, e) -> e instanceof CompletionException ? e.getCause()
                    : e != null ? e : v).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_select_in_a_generator_of_a_tasklet_is_a_choice_of_the_seeded_scheduler() {
        Set<String> seen = new TreeSet<>();
        Interleavings.Report r = Interleavings.exhaustive(100).check(s -> {
            Channel<String> a = new Channel<>("a", 1), b = new Channel<>("b", 1);
            a.send("a"); // unclaimed until the generator uses them
            b.send("b");
            s.spawn("T", () -> {
                Generator<String> gen = Generator.of(g ->
                        g.yield((String) Select.trySelect(Select.receive(a), Select.receive(b)).value()));
                seen.add(gen.next());
            });
            s.run();
        });
        assertEquals(2, r.runs(), r.toString());
        assertEquals(Set.of("a", "b"), seen);
    }

    @Test
    void a_generator_of_a_loop_coroutine_cannot_use_a_tasklet_channel() throws Exception {
        Channel<Integer> tch = new Channel<>("tch", 4);
        Scheduler s = new Scheduler();
        s.spawn("T", () -> tch.send(1)); // a tasklet channel now
        s.run();
        Object outcome = onALoop(() -> Generator.<Integer>of(g -> {
            tch.send(3);
            g.yield(0);
        }).next());
        assertInstanceOf(IllegalStateException.class, outcome);
        assertTrue(((Throwable) outcome).getMessage().contains("belongs to the tasklets"),
                ((Throwable) outcome).getMessage());
        assertEquals(1, tch.size());
    }

    @Test
    void a_generator_of_a_loop_coroutine_cannot_set_a_tasklet_event() throws Exception {
        Event ev = new Event("tev");
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn("T", ev::await);
        s.run(1);
        Object outcome = onALoop(() -> Generator.<Integer>of(g -> {
            ev.set();
            g.yield(0);
        }).next());
        assertInstanceOf(IllegalStateException.class, outcome);
        assertTrue(t.isBlocked());
    }

    @Test
    void a_generator_of_a_loop_coroutine_that_waits_is_told_it_is_nested() throws Exception {
        Channel<Integer> ch = new Channel<>("lch");
        Object outcome = onALoop(() -> Generator.<Integer>of("inner", g -> g.yield(ch.receive())).next());
        assertInstanceOf(IllegalStateException.class, outcome);
        String m = ((Throwable) outcome).getMessage();
        assertTrue(m.contains("nested inside event-loop coroutine") && m.contains("inner"), m);
    }

    @Test
    void a_generator_of_a_tasklet_can_try_a_lock_for_it_and_the_tasklet_then_holds_it() {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex("m");
        List<Object> log = new ArrayList<>();
        s.spawn("T", () -> {
            log.add(Generator.<Boolean>of(g -> g.yield(m.tryLock())).next());
            log.add(m.owner() == Tasklet.current());
            m.unlock();
        });
        s.run();
        assertEquals(List.of(true, true), log);
        assertFalse(m.isLocked());
    }

    /**
     * lock() and withLock() in a generator's body take a free (or already held) lock for the tasklet or loop
     * coroutine, as tryLock() does; only one that would wait is told it is nested.
     */
    @Test
    void a_generator_locks_a_free_or_held_mutex_for_its_tasklet_or_loop_coroutine_and_waiting_is_refused() throws Exception {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex("m");
        List<Object> log = new ArrayList<>();
        s.spawn("T", () -> {
            log.add(Generator.<String>of(g -> {
                m.lock();                                        // free
                g.yield(m.withLock(() -> "reentered"));          // held by the tasklet already
            }).next());
            log.add(m.owner() == Tasklet.current());
            m.unlock();
        });
        s.run();
        assertEquals(List.of("reentered", true), log);
        assertFalse(m.isLocked());

        Mutex shared = new Mutex("shared");
        Object outcome = onALoop(() -> {
            String got = Generator.<String>of(g -> g.yield(shared.withLock(() -> "locked in the loop"))).next();
            return got + ", then " + (shared.isLocked() ? "held" : "free");
        });
        assertEquals("locked in the loop, then free", outcome);

        Mutex taken = new Mutex("taken");
        Scheduler s2 = new Scheduler();
        List<String> refusals = new ArrayList<>();
        s2.spawn("holder", () -> {
            taken.lock();
            Scheduler.schedule();
            taken.unlock();
        });
        s2.spawn("other", () -> {
            try {
                Generator.<String>of(g -> g.yield(taken.withLock(() -> "waited?!"))).next();
            } catch (IllegalStateException e) {
                refusals.add(e.getMessage());
            }
        });
        s2.run();
        assertEquals(1, refusals.size());
        assertTrue(refusals.get(0).contains("nested inside tasklet other"), refusals.get(0));
        assertFalse(taken.isLocked());
    }
}
