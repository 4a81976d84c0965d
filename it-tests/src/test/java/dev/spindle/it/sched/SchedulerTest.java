package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.sched.Channel;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Semaphore;
import dev.spindle.sched.Tasklet;
import dev.spindle.sched.TaskletExit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** The round-robin scheduler and the life of a tasklet: spawn, run, schedule, watchdog, kill, raiseException. */
class SchedulerTest {
    private final List<String> log = new ArrayList<>();

    @Suspendable
    private void count(String name, int n) {
        for (int i = 1; i <= n; i++) {
            log.add(name + i);
            Scheduler.schedule();
        }
    }

    @Test
    void tasklets_take_turns_in_spawn_order() {
        Scheduler s = new Scheduler();
        Tasklet a = s.spawn("a", () -> count("a", 3));
        Tasklet b = s.spawn("b", () -> count("b", 3));
        assertEquals(List.of(a, b), s.tasklets());
        s.run();
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3", "b3"), log);
        assertFalse(a.isAlive());
        assertFalse(b.isAlive());
        assertEquals(Tasklet.State.DONE, a.state());
        assertTrue(s.tasklets().isEmpty());
    }

    @Test
    void a_tasklet_spawned_by_a_tasklet_joins_the_end_of_the_queue() {
        Scheduler s = new Scheduler();
        s.spawn("a", () -> {
            log.add("a1");
            Scheduler.current().spawn("c", () -> log.add("c1"));
            Scheduler.schedule();
            log.add("a2");
        });
        s.spawn("b", () -> {
            log.add("b1");
            Scheduler.schedule();
            log.add("b2");
        });
        s.run();
        assertEquals(List.of("a1", "b1", "c1", "a2", "b2"), log);
    }

    @Test
    void the_only_runnable_tasklet_goes_on_after_schedule() {
        Scheduler s = new Scheduler();
        s.spawn(() -> count("x", 3));
        s.run();
        assertEquals(List.of("x1", "x2", "x3"), log);
        assertEquals(4, s.switches()); // three schedules, then the turn in which the body returns
    }

    @Test
    void default_names_count_spawns() {
        Scheduler s = new Scheduler();
        assertEquals("tasklet-1", s.spawn(() -> { }).name());
        assertEquals("named", s.spawn("named", () -> { }).name());
        assertEquals("tasklet-3", s.spawn(() -> { }).name());
    }

    @Test
    void the_watchdog_returns_after_the_given_number_of_switches() {
        Scheduler s = new Scheduler();
        int[] ticks = {0};
        Tasklet ticker = s.spawn("ticker", () -> {
            for (;;) {
                ticks[0]++;
                Scheduler.schedule();
            }
        });
        assertTrue(s.run(3));
        assertEquals(3, ticks[0]);
        assertTrue(s.run(2));
        assertEquals(5, ticks[0]);
        assertTrue(s.run(0));
        assertEquals(5, ticks[0]);
        ticker.kill();
        assertFalse(s.run(10));
    }

    @Test
    void the_watchdog_returns_false_when_everything_finished_within_the_budget() {
        Scheduler s = new Scheduler();
        s.spawn(() -> count("x", 2));
        assertFalse(s.run(100));
        assertEquals(List.of("x1", "x2"), log);
    }

    @Test
    void states_seen_from_inside_and_outside() {
        Scheduler s = new Scheduler();
        Channel<String> ch = new Channel<>();
        AtomicReference<Tasklet.State> inside = new AtomicReference<>();
        Tasklet r = s.spawn("r", () -> {
            inside.set(Tasklet.current().state());
            ch.receive();
        });
        assertEquals(Tasklet.State.RUNNABLE, r.state());
        assertFalse(r.isBlocked());
        assertTrue(s.run(1));
        assertEquals(Tasklet.State.RUNNING, inside.get());
        assertEquals(Tasklet.State.BLOCKED, r.state());
        assertTrue(r.isBlocked());
        assertTrue(r.isAlive());
        assertTrue(r.waitingFor().startsWith("receive on Channel["), r.waitingFor());
        assertTrue(r.toString().contains("BLOCKED: receive on"), r.toString());
        ch.send("x"); // from outside: a receiver waits, so it does not have to wait
        assertEquals(Tasklet.State.RUNNABLE, r.state());
        assertNull(r.waitingFor());
        s.run();
        assertEquals(Tasklet.State.DONE, r.state());
    }

    @Test
    void current_is_null_outside_and_the_running_tasklet_inside() {
        assertNull(Scheduler.current());
        assertNull(Tasklet.current());
        Scheduler s = new Scheduler();
        AtomicReference<Tasklet> seen = new AtomicReference<>();
        AtomicReference<Scheduler> seenScheduler = new AtomicReference<>();
        Tasklet t = s.spawn(() -> {
            seen.set(Tasklet.current());
            seenScheduler.set(Scheduler.current());
        });
        s.run();
        assertSame(t, seen.get());
        assertSame(s, seenScheduler.get());
        assertSame(s, t.scheduler());
        assertNull(Scheduler.current());
    }

    @Test
    void a_raw_coroutine_yield_in_a_tasklet_acts_as_schedule() {
        Scheduler s = new Scheduler();
        s.spawn("a", () -> {
            log.add("a1");
            Coroutine.yield();
            log.add("a2");
        });
        s.spawn("b", () -> log.add("b1"));
        s.run();
        assertEquals(List.of("a1", "b1", "a2"), log);
    }

    @Test
    void an_exception_escaping_a_tasklet_comes_out_of_run_unchanged_and_the_others_can_go_on() {
        Scheduler s = new Scheduler();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        Tasklet bad = s.spawn("bad", () -> {
            Scheduler.schedule();
            throw boom;
        });
        Tasklet good = s.spawn("good", () -> count("g", 3));
        assertSame(boom, assertThrows(IllegalArgumentException.class, s::run));
        assertFalse(bad.isAlive());
        assertTrue(good.isAlive());
        s.run();
        assertEquals(List.of("g1", "g2", "g3"), log);
    }

    @Test
    void schedule_outside_a_tasklet_is_refused_with_the_reason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Scheduler::schedule);
        assertTrue(e.getMessage().contains("no tasklet runs on this thread"), e.getMessage());
    }

    @Test
    void a_coroutine_nested_in_a_tasklet_cannot_switch_tasklets() {
        Scheduler s = new Scheduler();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.spawn("outer", () -> {
            Coroutine nested = new Coroutine("nested", Scheduler::schedule);
            try {
                nested.resume();
            } catch (IllegalStateException e) {
                failure.set(e);
            }
        });
        s.run();
        assertTrue(failure.get().getMessage().contains("nested inside tasklet outer"), failure.get().getMessage());
    }

    @Test
    void run_inside_its_own_tasklet_is_refused() {
        Scheduler s = new Scheduler();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.spawn(() -> {
            try {
                Scheduler.current().run();
            } catch (IllegalStateException e) {
                failure.set(e);
            }
        });
        s.run();
        assertTrue(failure.get().getMessage().contains("already running"), failure.get().getMessage());
    }

    @Test
    void another_thread_may_not_use_a_running_scheduler() throws Exception {
        Scheduler s = new Scheduler();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.spawn(() -> {
            Thread other = new Thread(() -> {
                try {
                    s.spawn(() -> { });
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            other.start();
            joinQuietly(other);
        });
        s.run();
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        assertTrue(failure.get().getMessage().contains("running on thread"), failure.get().getMessage());
    }

    @Test
    void another_thread_may_not_kill_a_tasklet_of_a_running_scheduler_even_with_a_raise_pending() {
        Scheduler s = new Scheduler();
        List<Throwable> failures = new ArrayList<>();
        Tasklet target = s.spawn("target", () -> {
            try {
                Scheduler.schedule();
            } catch (IllegalArgumentException e) {
                log.add("target caught the raise");
            }
        });
        s.spawn("interrupter", () -> {
            for (boolean raiseFirst : new boolean[] {false, true}) {
                if (raiseFirst) target.raiseException(new IllegalArgumentException());
                Thread other = new Thread(() -> {
                    try {
                        target.kill();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
                other.start();
                joinQuietly(other);
            }
        });
        s.run();
        assertEquals(2, failures.size());
        for (Throwable t : failures) assertTrue(t.getMessage().contains("running on thread"), t.getMessage());
        assertEquals(List.of("target caught the raise"), log); // the raise was not replaced by the refused kill
    }

    @Test
    @Timeout(20)
    void another_thread_is_refused_by_a_channel_or_lock_before_it_changes_anything() throws Exception {
        Scheduler s = new Scheduler();
        Channel<Integer> buffered = new Channel<>("buffered", 4);
        Semaphore permits = new Semaphore("permits", 0);
        List<String> log = new ArrayList<>();
        CountDownLatch inUse = new CountDownLatch(1);
        CountDownLatch tried = new CountDownLatch(1);
        s.spawn("waiter", () -> {
            permits.acquire();
            log.add("acquired");
        });
        s.spawn("user", () -> {
            buffered.send(0);
            buffered.receive(); // both are the tasklets' from now on
            inUse.countDown();
            while (tried.getCount() > 0) Scheduler.sleep(Duration.ofMillis(5));
            permits.release();
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                s.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        runner.start();
        try {
            inUse.await();
            List<Executable> misuses = List.of(() -> buffered.send(1), buffered::close, permits::release);
            List<String> names = List.of("buffered", "buffered", "permits"); // each message names what was used
            for (int i = 0; i < misuses.size(); i++) {
                IllegalStateException e = assertThrows(IllegalStateException.class, misuses.get(i));
                assertTrue(e.getMessage().contains("running on thread")
                        && e.getMessage().contains(names.get(i)), e.getMessage());
            }
            Scheduler other = new Scheduler(); // and from a tasklet of another scheduler, on this thread
            for (int i = 0; i < misuses.size(); i++) {
                Executable misuse = misuses.get(i);
                String name = names.get(i);
                other.spawn(() -> {
                    IllegalStateException e = assertThrows(IllegalStateException.class, misuse);
                    assertTrue(e.getMessage().contains("running on thread") && e.getMessage().contains(name),
                            e.getMessage());
                });
            }
            other.run();
        } finally {
            tried.countDown();
            runner.join();
        }
        assertNull(failure.get());
        assertEquals(List.of("acquired"), log); // the refused release handed nothing to the waiter
        assertEquals(0, buffered.size());
        assertFalse(buffered.isClosed());
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_scheduler_can_run_inside_a_tasklet_of_another() {
        Scheduler outer = new Scheduler();
        outer.spawn("o1", () -> {
            log.add("o1 start");
            Scheduler inner = new Scheduler();
            inner.spawn("i1", () -> count("i", 2));
            inner.run();
            assertSame(outer, Scheduler.current());
            Scheduler.schedule();
            log.add("o1 end");
        });
        outer.spawn("o2", () -> log.add("o2"));
        outer.run();
        assertEquals(List.of("o1 start", "i1", "i2", "o2", "o1 end"), log);
    }

    // ---- kill ----

    @Suspendable
    private void unwinding(String name) {
        try {
            for (;;) {
                log.add(name);
                Scheduler.schedule();
            }
        } finally {
            log.add(name + " finally");
        }
    }

    @Test
    void a_tasklet_of_a_nested_scheduler_cannot_interrupt_the_tasklet_that_runs_it() {
        Scheduler outer = new Scheduler();
        Tasklet[] runsInner = new Tasklet[1];
        runsInner[0] = outer.spawn("runsInner", () -> {
            Scheduler inner = new Scheduler();
            inner.spawn("nested", () -> {
                for (Executable interrupt : List.<Executable>of(runsInner[0]::kill,
                        () -> runsInner[0].raiseException(new IllegalArgumentException()))) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, interrupt);
                    assertTrue(e.getMessage().contains("from tasklet nested of a scheduler it runs"), e.getMessage());
                }
                log.add("nested goes on");
            });
            inner.run();
            log.add("runsInner goes on");
        });
        outer.run();
        assertEquals(List.of("nested goes on", "runsInner goes on"), log);
    }

    @Test
    void kill_from_outside_unwinds_the_tasklet_at_once() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn("t", () -> unwinding("t"));
        s.run(2);
        t.kill();
        assertEquals(List.of("t", "t", "t finally"), log);
        assertFalse(t.isAlive());
        assertFalse(s.run(10));
    }

    @Test
    void kill_of_a_tasklet_not_started_means_it_never_runs() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> log.add("ran"));
        t.kill();
        assertFalse(t.isAlive());
        s.run();
        assertTrue(log.isEmpty());
        t.kill(); // dead: nothing happens
    }

    @Test
    void kill_from_another_tasklet_takes_effect_when_the_killer_gives_up_its_turn() {
        Scheduler s = new Scheduler();
        Tasklet victim = s.spawn("victim", () -> unwinding("v"));
        s.spawn("killer", () -> {
            victim.kill();
            log.add("killed, still alive: " + victim.isAlive());
            Scheduler.schedule();
            log.add("after schedule, alive: " + victim.isAlive());
        });
        s.spawn("bystander", () -> log.add("bystander"));
        s.run();
        // the victim unwinds first, before the bystander that was ahead of it
        assertEquals(List.of("v", "killed, still alive: true", "v finally", "bystander",
                "after schedule, alive: false"), log);
    }

    @Test
    void tasklets_killed_in_one_turn_unwind_in_the_order_they_were_killed() {
        Scheduler s = new Scheduler();
        Tasklet a = s.spawn("a", () -> unwinding("a"));
        Tasklet b = s.spawn("b", () -> unwinding("b"));
        s.spawn("killer", () -> {
            b.kill();
            a.kill();
            Scheduler.schedule();
            log.add("killer");
        });
        s.run();
        assertEquals(List.of("a", "b", "b finally", "a finally", "killer"), log);
    }

    @Test
    void a_send_to_a_preferred_receiver_after_a_kill_runs_the_receiver_then_the_killed_then_the_killer() {
        Scheduler s = new Scheduler();
        Channel<String> ch = new Channel<>("ch"); // Preference.RECEIVER
        s.spawn("receiver", () -> log.add("got " + ch.receive()));
        Tasklet victim = s.spawn("victim", () -> unwinding("v"));
        s.spawn("killer", () -> {
            victim.kill();
            ch.send("x");
            log.add("killer after send");
        });
        s.spawn("bystander", () -> log.add("bystander"));
        s.run();
        assertEquals(List.of("v", "got x", "v finally", "killer after send", "bystander"), log);
    }

    /**
     * Two interruptions from another tasklet in one turn: the first stands (it is delivered when the caller gives
     * up its turn), except that a kill replaces a raise; a second kill does nothing, a second raise is refused.
     */
    @Test
    void a_second_interruption_in_the_same_turn_does_not_replace_the_first_unless_it_is_a_kill() {
        Scheduler s = new Scheduler();
        Channel<Integer> never = new Channel<>("never");
        Tasklet raised = s.spawn("raised", () -> {
            try {
                never.receive();
            } catch (IllegalArgumentException e) {
                log.add("raised caught " + e.getMessage());
            }
        });
        Tasklet killed = s.spawn("killed", () -> {
            try {
                never.receive();
            } finally {
                log.add("killed unwinds");
            }
        });
        Tasklet raisedThenKilled = s.spawn("raisedThenKilled", () -> {
            try {
                never.receive();
            } catch (IllegalArgumentException e) {
                log.add("raisedThenKilled caught " + e.getMessage());
            } finally {
                log.add("raisedThenKilled unwinds");
            }
        });
        s.spawn("interrupter", () -> {
            raised.raiseException(new IllegalArgumentException("first"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> raised.raiseException(new IllegalArgumentException("second")));
            log.add(e.getMessage().contains("is already pending") ? "raise refused" : e.getMessage());
            killed.kill();
            killed.kill(); // being killed already: nothing more
            assertThrows(IllegalStateException.class, () -> killed.raiseException(new IllegalArgumentException()));
            raisedThenKilled.raiseException(new IllegalArgumentException("replaced"));
            raisedThenKilled.kill();
            log.add("interrupter done");
        });
        s.run();
        // all went to the head of the run queue, in the order they were interrupted
        assertEquals(List.of("raise refused", "interrupter done", "raised caught first", "killed unwinds",
                "raisedThenKilled unwinds"), log);
        assertFalse(raised.isAlive());
        assertFalse(killed.isAlive());
        assertFalse(raisedThenKilled.isAlive());
    }

    @Test
    void a_kill_from_outside_between_runs_unwinds_at_once_even_with_one_pending() {
        Scheduler s = new Scheduler();
        Tasklet a = s.spawn("A", () -> {
            try {
                for (;;) Scheduler.schedule();
            } finally {
                log.add("A unwound");
            }
        });
        s.spawn("B", a::kill);
        assertTrue(s.run(2)); // A's turn, then B's: B's kill of A is pending, and the budget is spent
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> a.raiseException(new IllegalArgumentException()));
        assertTrue(e.getMessage().contains("when run() is next called"), e.getMessage());
        a.kill(); // the thread's own code, the scheduler not running: at once, as Stackless does
        assertEquals(List.of("A unwound"), log);
        assertFalse(a.isAlive());
        assertFalse(s.run(10));
    }

    @Test
    void a_kill_from_outside_between_runs_replaces_a_raise_not_delivered_yet() {
        Scheduler s = new Scheduler();
        Tasklet a = s.spawn("A", () -> {
            try {
                for (;;) Scheduler.schedule();
            } catch (IllegalArgumentException e) {
                log.add("A caught the raise");
            } finally {
                log.add("A unwound");
            }
        });
        s.spawn("B", () -> a.raiseException(new IllegalArgumentException()));
        assertTrue(s.run(2)); // B's raise in A is pending, and the budget is spent
        a.kill();
        assertEquals(List.of("A unwound"), log);
        assertFalse(a.isAlive());
        assertFalse(s.run(10));
    }

    @Test
    void a_tasklet_that_kills_itself_unwinds_and_the_others_go_on() {
        Scheduler s = new Scheduler();
        s.spawn("suicidal", () -> {
            try {
                Tasklet.current().kill();
                log.add("not reached");
            } finally {
                log.add("finally");
            }
        });
        s.spawn("other", () -> log.add("other"));
        s.run();
        assertEquals(List.of("finally", "other"), log);
    }

    @Test
    void tasklet_exit_is_not_caught_by_catch_exception() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> {
            try {
                for (;;) Scheduler.schedule();
            } catch (Exception e) {
                log.add("caught " + e);
            }
        });
        s.run(1);
        t.kill();
        assertTrue(log.isEmpty());
        assertFalse(t.isAlive());
    }

    @Test
    void a_tasklet_that_catches_tasklet_exit_lives_on() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> {
            try {
                Scheduler.schedule();
            } catch (TaskletExit e) {
                log.add("refused to die: " + e.getMessage());
            }
            Scheduler.schedule();
            log.add("end");
        });
        s.run(1);
        t.kill();
        assertTrue(t.isAlive());
        s.run();
        assertEquals(List.of("refused to die: tasklet tasklet-1 was killed", "end"), log);
    }

    @Test
    void kill_of_a_blocked_tasklet_takes_it_out_of_the_channel() {
        Scheduler s = new Scheduler();
        Channel<String> ch = new Channel<>();
        Tasklet r = s.spawn(() -> {
            try {
                ch.receive();
            } finally {
                log.add("receiver unwound");
            }
        });
        s.run(1);
        assertEquals(-1, ch.balance());
        r.kill();
        assertEquals(0, ch.balance());
        assertEquals(List.of("receiver unwound"), log);
        s.spawn(() -> ch.send("x"));
        assertThrows(IllegalStateException.class, s::run); // nobody receives: a deadlock, not a lost value
    }

    // ---- raiseException ----

    @Test
    void raise_exception_from_outside_is_thrown_where_the_tasklet_is_suspended() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> {
            try {
                Scheduler.schedule();
            } catch (IllegalArgumentException e) {
                log.add("caught " + e.getMessage());
            }
            Scheduler.schedule();
            log.add("goes on");
        });
        s.run(1);
        t.raiseException(new IllegalArgumentException("hey"));
        assertEquals(List.of("caught hey"), log);
        s.run();
        assertEquals(List.of("caught hey", "goes on"), log);
    }

    @Test
    void raise_exception_not_caught_from_outside_comes_out_of_the_call() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> unwinding("t"));
        s.run(1);
        IllegalStateException e = new IllegalStateException("stop");
        assertSame(e, assertThrows(IllegalStateException.class, () -> t.raiseException(e)));
        assertEquals(List.of("t", "t finally"), log);
        assertFalse(t.isAlive());
    }

    @Test
    void raise_exception_from_a_tasklet_not_caught_comes_out_of_run() {
        Scheduler s = new Scheduler();
        Tasklet victim = s.spawn("victim", () -> unwinding("v"));
        UnsupportedOperationException e = new UnsupportedOperationException("raised");
        s.spawn("raiser", () -> victim.raiseException(e));
        assertSame(e, assertThrows(UnsupportedOperationException.class, s::run));
        assertEquals(List.of("v", "v finally"), log);
    }

    @Test
    void raise_exception_may_raise_a_checked_exception() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> Scheduler.schedule());
        s.run(1);
        Exception checked = new java.io.IOException("io");
        assertSame(checked, assertThrows(java.io.IOException.class, () -> t.raiseException(checked)));
    }

    @Test
    void raise_exception_in_a_dead_tasklet_is_refused() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> { });
        s.run();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> t.raiseException(new RuntimeException("late")));
        assertTrue(e.getMessage().contains("it is done"), e.getMessage());
    }

    @Test
    @Timeout(120) // a guard: each kill once cost a shift of those killed before it, 80,000 took seconds
    void a_supervisor_that_kills_a_hundred_thousand_tasklets_sees_them_unwind_in_the_order_it_killed_them() {
        Scheduler s = new Scheduler();
        Channel<Integer> never = new Channel<>("never");
        List<Tasklet> workers = new ArrayList<>();
        List<Integer> unwound = new ArrayList<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            int id = i;
            workers.add(s.spawn(() -> {
                try {
                    if (id % 2 == 0) never.receive(); // blocked
                    for (;;) Scheduler.schedule(); // runnable
                } finally {
                    unwound.add(id);
                }
            }));
        }
        s.run(n); // each worker has run once
        s.spawn("supervisor", () -> {
            for (int i = workers.size() - 1; i >= 0; i -= 2) workers.get(i).kill(); // newest runnable first
            for (int i = 0; i < workers.size(); i += 2) workers.get(i).kill(); // then the blocked, oldest first
        });
        s.run();
        List<Integer> expected = new ArrayList<>();
        for (int i = n - 1; i >= 0; i -= 2) expected.add(i);
        for (int i = 0; i < n; i += 2) expected.add(i);
        assertEquals(expected, unwound);
        assertTrue(s.tasklets().isEmpty());
    }
}
