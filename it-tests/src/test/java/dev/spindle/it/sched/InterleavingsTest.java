package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.sched.Channel;
import dev.spindle.sched.DeadlockException;
import dev.spindle.sched.Interleavings;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Select;
import dev.spindle.sched.Tasklet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The interleaving tester: finds the schedule that breaks Example 1, replays it, and finds none with a Mutex. */
class InterleavingsTest {
    /** Two withdrawals of $25 from John's $25: money is neither created nor lost. */
    private static Interleavings.Scenario twoWithdrawals(boolean locked) {
        return s -> {
            Account john = new Account(25);
            for (String process : List.of("A", "B")) {
                s.spawn(process, () -> {
                    if (locked) john.withdrawLocked(25); else john.withdraw(25);
                });
            }
            s.run();
            assertEquals(25, john.balance() + john.paidOut(), "John gets a free $25");
            assertEquals(1, john.refused());
        };
    }

    @Test
    void a_random_search_finds_the_race_of_example_1_and_its_seed_replays_it() {
        Interleavings.Report report = Interleavings.random(100).explore(twoWithdrawals(false));
        Interleavings.Failure f = report.failure().orElseThrow();
        assertTrue(f.error().getMessage().startsWith("John gets a free $25"), f.error().getMessage());
        assertTrue(f.seed().isPresent());
        assertEquals(report.runs(), f.run());
        // Both read the balance before either wrote it: A and B each run twice, interleaved.
        assertEquals(4, f.schedule().size());
        assertEquals(Set.of("A", "B"), new HashSet<>(f.schedule().subList(0, 2)));

        AssertionError again = assertThrows(AssertionError.class,
                () -> Interleavings.replay(f.seed().getAsLong(), twoWithdrawals(false)));
        assertEquals(f.error().getMessage(), again.getMessage());
        AssertionError byChoices = assertThrows(AssertionError.class,
                () -> Interleavings.replay(f.choices(), twoWithdrawals(false)));
        assertEquals(f.error().getMessage(), byChoices.getMessage());
    }

    @Test
    void check_reports_the_schedule_and_how_to_replay_it() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Interleavings.random(100, 7).check(twoWithdrawals(false)));
        String m = e.getMessage();
        assertTrue(m.matches("(?s)schedule \\d+ of 100 broke the scenario: .*John gets a free \\$25.*"), m);
        assertTrue(m.contains("\n  tasklets in the order they ran: "), m);
        assertTrue(m.matches("(?s).*replay it with Interleavings\\.replay\\(\\d+L, scenario\\), or"
                + " Interleavings\\.replay\\(\"[0-9.]*\", scenario\\).*"), m);
        assertInstanceOf(AssertionError.class, e.getCause());
    }

    @Test
    void with_a_mutex_no_schedule_breaks_example_1() {
        Interleavings.Report random = Interleavings.random(500).check(twoWithdrawals(true));
        assertEquals(500, random.runs());
        assertFalse(random.complete());
        Interleavings.Report all = Interleavings.exhaustive(50).check(twoWithdrawals(true));
        assertTrue(all.complete());
        assertTrue(all.failure().isEmpty());
        assertTrue(all.toString().startsWith("no failure in " + all.runs() + " schedules (every schedule"),
                all.toString());
    }

    @Test
    void an_exhaustive_search_finds_the_race_too_and_its_choices_replay_it() {
        Interleavings.Report report = Interleavings.exhaustive(10).explore(twoWithdrawals(false));
        Interleavings.Failure f = report.failure().orElseThrow();
        assertTrue(f.seed().isEmpty());
        assertThrows(AssertionError.class, () -> Interleavings.replay(f.choices(), twoWithdrawals(false)));
        // round-robin itself is the schedule A, B, A, B: the first run of a depth-first search already fails
        assertEquals(1, report.runs());
        assertEquals(List.of("A", "B", "A", "B"), f.schedule());
        assertEquals("", f.choices());
    }

    /** {@code tasklets} tasklets, each taking {@code turns} turns; logs the order. */
    private static Interleavings.Scenario turns(int tasklets, int turns, List<String> order) {
        return s -> {
            order.clear();
            for (int t = 0; t < tasklets; t++) {
                String name = "t" + t;
                s.spawn(name, () -> {
                    for (int k = 0; k < turns; k++) {
                        order.add(name);
                        if (k < turns - 1) Scheduler.schedule();
                    }
                });
            }
            s.run();
        };
    }

    @Test
    void an_exhaustive_search_runs_every_interleaving_exactly_once() {
        List<String> order = new ArrayList<>();
        Set<List<String>> seen = new HashSet<>();
        Interleavings.Scenario logged = s -> {
            turns(2, 3, order).play(s);
            assertTrue(seen.add(List.copyOf(order)), "schedule run twice: " + order);
        };
        Interleavings.Report r = Interleavings.exhaustive(100).check(logged);
        assertEquals(20, r.runs()); // C(6, 3): the interleavings of three turns of each of two tasklets
        assertTrue(r.complete());
        assertEquals(20, seen.size());

        seen.clear();
        assertEquals(90, Interleavings.exhaustive(100).check(s -> { // 6! / (2! 2! 2!)
            turns(3, 2, order).play(s);
            assertTrue(seen.add(List.copyOf(order)));
        }).runs());
    }

    @Test
    void the_depth_bounds_an_exhaustive_search() {
        List<String> order = new ArrayList<>();
        Interleavings.Report r = Interleavings.exhaustive(1).check(turns(2, 3, order));
        assertEquals(2, r.runs()); // only the first choice branches
        assertFalse(r.complete());
        Interleavings.Report capped = Interleavings.exhaustive(100).maxRuns(5).check(turns(2, 3, order));
        assertEquals(5, capped.runs());
        assertFalse(capped.complete());
    }

    @Test
    void the_same_seed_gives_the_same_schedule_and_different_seeds_differ() {
        List<String> order = new ArrayList<>();
        Set<List<String>> bySeed = new HashSet<>();
        for (long seed = 0; seed < 10; seed++) {
            List<String> first = Interleavings.replay(seed, turns(3, 4, order));
            assertEquals(order, first); // the schedule returned is the order the tasklets ran in
            List<String> second = Interleavings.replay(seed, turns(3, 4, order));
            assertEquals(first, second);
            bySeed.add(first);
        }
        assertTrue(bySeed.size() > 5, "10 seeds gave only " + bySeed.size() + " schedules");
    }

    @Test
    void a_deadlock_in_some_schedules_is_found() {
        Interleavings.Scenario philosophers = s -> {
            Mutex left = new Mutex("left");
            Mutex right = new Mutex("right");
            s.spawn("A", () -> left.withLock(() -> {
                Scheduler.schedule();
                right.withLock(() -> { });
            }));
            s.spawn("B", () -> {
                Scheduler.schedule();
                right.withLock(() -> left.withLock(() -> { }));
            });
            s.run();
        };
        Interleavings.Failure f = Interleavings.random(200).explore(philosophers).failure().orElseThrow();
        assertInstanceOf(DeadlockException.class, f.error());
        assertThrows(DeadlockException.class, () -> Interleavings.replay(f.seed().getAsLong(), philosophers));
        // and some schedules do not deadlock (A takes both locks first): it is a search, not bad luck
        assertTrue(Interleavings.replay("0.0.0", philosophers).size() > 0);
    }

    @Test
    void select_choices_are_explored_too() {
        Set<Integer> picked = new HashSet<>();
        Interleavings.Report r = Interleavings.exhaustive(10).check(s -> {
            Channel<String> a = new Channel<>(1);
            Channel<String> b = new Channel<>(1);
            a.send("a");
            b.send("b");
            s.spawn(() -> picked.add(Select.select(Select.receive(a), Select.receive(b)).index()));
            s.run();
        });
        assertEquals(2, r.runs());
        assertEquals(Set.of(0, 1), picked);
    }

    @Test
    void an_endless_scenario_fails_as_a_livelock() {
        Interleavings.Failure f = Interleavings.random(3).maxSwitches(1_000).explore(s -> {
            s.spawn(() -> {
                for (;;) Scheduler.schedule();
            });
            s.run();
        }).failure().orElseThrow();
        assertTrue(f.error().getMessage().contains("did not finish within 1000 switches"), f.error().getMessage());
        assertEquals(1, f.run());
        assertTrue(f.toString().contains("... ("), "a long schedule is shortened: " + f);
    }

    /**
     * A scenario that explores nothing, because it runs its tasklets on a scheduler of its own, spawns none, or
     * does not run those it spawned, fails: a search that passes must have searched.
     */
    @Test
    void a_scenario_that_runs_no_tasklet_on_the_given_scheduler_fails() {
        List<Interleavings.Scenario> empty = List.of(s -> {
            Scheduler own = new Scheduler();
            own.spawn(Scheduler::schedule);
            own.run();
        }, s -> { }, s -> s.spawn(Scheduler::schedule));
        for (Interleavings.Scenario scenario : empty) {
            Interleavings.Failure f = Interleavings.exhaustive(5).explore(scenario).failure().orElseThrow();
            assertInstanceOf(IllegalStateException.class, f.error());
            assertTrue(f.error().getMessage().contains("the scenario"), f.error().getMessage());
        }
    }

    /** The limit is the search's, not the scenario's: a scenario that catches what run() throws still fails. */
    @Test
    void a_livelock_is_reported_even_if_the_scenario_catches_it() {
        Interleavings.Failure f = Interleavings.random(3).maxSwitches(1_000).explore(s -> {
            s.spawn(() -> {
                for (;;) Scheduler.schedule();
            });
            try {
                s.run();
            } catch (IllegalStateException expectedInSomeSchedules) {
                // a scenario may expect this exception from its own code
            }
        }).failure().orElseThrow();
        assertTrue(f.error().getMessage().contains("did not finish within 1000 switches"), f.error().getMessage());
    }

    /** A deadlock report reads the same in the search and in its replay, unnamed locks included. */
    @Test
    void a_deadlock_over_unnamed_locks_replays_with_the_same_message() {
        Interleavings.Scenario crossed = s -> {
            Mutex left = new Mutex();
            Mutex right = new Mutex();
            s.spawn("A", () -> left.withLock(() -> {
                Scheduler.schedule();
                right.withLock(() -> { });
            }));
            s.spawn("B", () -> right.withLock(() -> {
                Scheduler.schedule();
                left.withLock(() -> { });
            }));
            s.run();
        };
        Interleavings.Failure f = Interleavings.random(50).explore(crossed).failure().orElseThrow();
        DeadlockException again = assertThrows(DeadlockException.class,
                () -> Interleavings.replay(f.seed().getAsLong(), crossed));
        assertEquals(f.error().getMessage(), again.getMessage());
    }

    @Test
    void a_livelock_replays_as_the_same_failure_with_the_limit_the_report_shows() {
        Interleavings.Scenario long_ = turns(2, 2_500, new ArrayList<>()); // 5,000 turns, finite
        Interleavings.Failure f = Interleavings.random(3).maxSwitches(1_000).explore(long_).failure().orElseThrow();
        assertTrue(f.toString().contains("replay it with Interleavings.replay(" + f.seed().getAsLong()
                + "L, scenario, 1000L), or Interleavings.replay(\"" + f.choices() + "\", scenario, 1000L)"), f.toString());
        IllegalStateException bySeed = assertThrows(IllegalStateException.class,
                () -> Interleavings.replay(f.seed().getAsLong(), long_, 1_000));
        assertEquals(f.error().getMessage(), bySeed.getMessage());
        assertThrows(IllegalStateException.class, () -> Interleavings.replay(f.choices(), long_, 1_000));
        // without a limit given, a replay has the search's default one: an endless scenario does not hang it
        Interleavings.Scenario endless = s -> {
            s.spawn(() -> {
                for (;;) Scheduler.schedule();
            });
            s.run();
        };
        Interleavings.Failure e = Interleavings.random(1).explore(endless).failure().orElseThrow();
        assertTrue(e.toString().contains("Interleavings.replay(0L, scenario)"), e.toString());
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> Interleavings.replay(0L, endless));
        assertEquals(e.error().getMessage(), again.getMessage());
    }

    @Test
    void a_scenario_that_forgets_to_run_is_told_so() {
        Interleavings.Failure f = Interleavings.random(1).explore(s -> s.spawn(() -> { })).failure().orElseThrow();
        assertTrue(f.error().getMessage().contains("call scheduler.run()"), f.error().getMessage());
    }

    @Test
    void a_scenario_that_is_not_deterministic_is_refused() {
        int[] runs = {0};
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Interleavings.exhaustive(10).explore(s -> {
                    int n = runs[0]++ == 0 ? 3 : 1; // state left over from an earlier run
                    for (int i = 0; i < n; i++) s.spawn(Scheduler::schedule);
                    s.run();
                }));
        assertTrue(e.getMessage().contains("not deterministic"), e.getMessage());
    }

    @Test
    void a_scenario_that_meets_fewer_alternatives_on_a_replay_is_refused_even_if_it_catches_the_refusal() {
        int[] runs = {0};
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Interleavings.exhaustive(10).explore(s -> {
                    int n = runs[0]++ < 4 ? 3 : 2; // state left over from earlier runs
                    for (int i = 0; i < n; i++) s.spawn("t" + i, () -> { });
                    try {
                        s.run();
                    } catch (IllegalStateException swallowed) {
                        // the scenario's own business; the search's refusal still comes out
                    }
                }));
        assertTrue(e.getMessage().contains("not deterministic: choice point 0 had 2 alternatives"), e.getMessage());
    }

    @Test
    void replaying_more_choices_than_the_scenario_makes_is_refused() {
        List<String> order = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interleavings.replay("1.1.1.1", turns(2, 1, order)));
        assertTrue(e.getMessage().contains("\"1.1.1.1\", are 4 but the scenario made only 1"), e.getMessage());
        assertEquals(List.of("t1", "t0"), Interleavings.replay("1", turns(2, 1, order)));
    }

    @Test
    void replaying_choices_that_are_not_numbers_is_refused_with_the_form_they_take() {
        List<String> order = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interleavings.replay("x.y", turns(2, 1, order)));
        assertTrue(e.getMessage().contains("\"x\" in \"x.y\" is not a choice") && e.getMessage().contains("0.1.0"),
                e.getMessage());
        assertTrue(order.isEmpty(), order.toString());
    }

    @Test
    void the_search_keeps_who_runs_next_where_the_api_promises_it() {
        // Preference.RECEIVER: a send to a waiting receiver switches to the receiver at once
        assertTrue(Interleavings.exhaustive(20).explore(s -> {
            Channel<Integer> ch = new Channel<>("ch");
            int[] got = {0};
            s.spawn("receiver", () -> got[0] = ch.receive());
            s.spawn("sender", () -> {
                Scheduler.schedule();
                ch.send(7);
                assertEquals(7, got[0], "the receiver ran first");
            });
            s.run();
        }).failure().isEmpty());
        // a killed tasklet unwinds as soon as its killer gives up its turn, before any other
        Interleavings.Report killed = Interleavings.exhaustive(20).explore(s -> {
            List<String> log = new ArrayList<>();
            Tasklet victim = s.spawn("victim", () -> {
                try {
                    for (;;) Scheduler.schedule();
                } finally {
                    log.add("victim unwound");
                }
            });
            s.spawn("other", () -> {
                Scheduler.schedule();
                log.add("other");
            });
            s.spawn("killer", () -> {
                victim.kill();
                Scheduler.schedule();
                log.add("killer");
            });
            s.run();
            assertTrue(log.indexOf("victim unwound") < log.indexOf("killer"), "log " + log);
        });
        assertTrue(killed.failure().isEmpty(), killed.toString());
        assertTrue(killed.runs() > 1, killed.toString());
        // two killed in one turn: both unwind before the killer goes on
        Interleavings.Report twoKilled = Interleavings.exhaustive(20).explore(s -> {
            Channel<Integer> never = new Channel<>("never");
            Tasklet a = s.spawn("a", never::receive);
            Tasklet b = s.spawn("b", never::receive);
            boolean[] checked = {false};
            s.spawn("killer", () -> {
                while (!a.isBlocked() || !b.isBlocked()) Scheduler.schedule();
                a.kill();
                b.kill();
                Scheduler.schedule();
                assertFalse(a.isAlive() || b.isAlive(), "a " + a.state() + ", b " + b.state());
                checked[0] = true;
            });
            s.run();
            assertTrue(checked[0]);
        });
        assertTrue(twoKilled.failure().isEmpty(), twoKilled.toString());
        // a kill, then a send to a preferred receiver: the receiver, then the killed one, before any other
        Interleavings.Scenario killThenSend = s -> {
            Channel<String> ch = new Channel<>("ch");
            Mutex m = new Mutex("m");
            boolean[] kill = {false};
            s.spawn("receiver", ch::receive);
            Tasklet victim = s.spawn("victim", () -> m.withLock(() -> {
                for (;;) Scheduler.schedule();
            }));
            s.spawn("killer", () -> {
                while (!m.isLocked() || ch.balance() == 0) Scheduler.schedule();
                victim.kill();
                kill[0] = true;
                ch.send("x");
            });
            s.spawn("other", () -> {
                while (!kill[0]) Scheduler.schedule();
                assertFalse(m.isLocked(), "ran before the killed victim unwound");
            });
            s.run();
        };
        Interleavings.Report exhaustive = Interleavings.exhaustive(12).maxRuns(20_000).explore(killThenSend);
        assertTrue(exhaustive.failure().isEmpty(), exhaustive.toString());
        Interleavings.Report random = Interleavings.random(200).explore(killThenSend);
        assertTrue(random.failure().isEmpty(), random.toString());
    }

    @Test
    void replaying_choices_that_do_not_fit_is_refused() {
        List<String> order = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interleavings.replay("7", turns(2, 2, order)));
        assertTrue(e.getMessage().contains("alternative 7 at choice point 0, which has 2 (0 to 1)"), e.getMessage());
    }
}
