package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.sched.Channel;
import dev.spindle.sched.ChannelClosedException;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Select;
import dev.spindle.sched.Tasklet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Select over several channels: ready cases, waiting, sends, the default branch, closed channels, timeouts. */
class SelectTest {
    private final List<String> log = new ArrayList<>();
    private final Scheduler s = new Scheduler();

    @Test
    void one_of_the_ready_cases_is_taken_and_only_one() {
        Channel<String> a = new Channel<>("a", 1);
        Channel<String> b = new Channel<>("b", 1);
        Channel<String> c = new Channel<>("c", 1);
        b.send("from b");
        c.send("from c");
        Select.Case<String> ra = Select.receive(a);
        Select.Case<String> rb = Select.receive(b);
        Select.Case<String> rc = Select.receive(c);
        AtomicReference<Select.Selected> got = new AtomicReference<>();
        s.spawn(() -> got.set(Select.select(ra, rb, rc)));
        s.run();
        Select.Selected sel = got.get();
        Select.Case<String> taken = sel.index() == 1 ? rb : rc;
        assertTrue(sel.is(taken));
        assertSame(taken, sel.selectedCase());
        assertEquals(sel.index() == 1 ? "from b" : "from c", sel.value(taken));
        assertEquals(sel.value(taken), sel.value());
        assertEquals(1, b.size() + c.size()); // only one case is performed
        assertThrows(IllegalStateException.class, () -> sel.value(ra));
    }

    /**
     * Go's rule: of several ready cases one is chosen at random, so a case that is always ready does not starve
     * the others. On a round-robin scheduler the choices come from a fixed seed: two runs choose alike.
     */
    @Test
    void a_case_that_is_always_ready_does_not_starve_another_and_runs_repeat() {
        List<Integer> first = alwaysReadyAgainstQuit(new Scheduler());
        assertTrue(first.contains(0) && first.contains(1), first.toString());
        assertEquals(first, alwaysReadyAgainstQuit(new Scheduler()));
        assertEquals(first, alwaysReadyAgainstQuit(Scheduler.withVirtualTime()));
    }

    /** The index chosen by each of 200 selects over two channels that always have a value. */
    private static List<Integer> alwaysReadyAgainstQuit(Scheduler scheduler) {
        Channel<Integer> busy = new Channel<>("busy", 1);
        Channel<Integer> quit = new Channel<>("quit", 1);
        List<Integer> chosen = new ArrayList<>();
        scheduler.spawn(() -> {
            for (int i = 0; i < 200; i++) {
                if (busy.size() == 0) busy.send(i);
                if (quit.size() == 0) quit.send(i);
                chosen.add(Select.select(Select.receive(busy), Select.receive(quit)).index());
            }
        });
        scheduler.run();
        return chosen;
    }

    @Test
    void select_waits_until_a_case_can_happen_and_withdraws_the_others() {
        Channel<Integer> numbers = new Channel<>("numbers");
        Channel<String> words = new Channel<>("words");
        Select.Case<Integer> n = Select.receive(numbers);
        Select.Case<String> w = Select.receive(words);
        Tasklet selector = s.spawn("selector", () -> {
            Select.Selected sel = Select.select(n, w);
            log.add(sel.is(w) ? "word " + sel.value(w) : "number " + sel.value(n));
        });
        assertTrue(s.run(1));
        assertTrue(selector.isBlocked());
        assertEquals(-1, numbers.balance());
        assertEquals(-1, words.balance());
        s.spawn(() -> words.send("hi"));
        s.run();
        assertEquals(List.of("word hi"), log);
        assertEquals(0, numbers.balance()); // its registration on the other channel is gone
        assertEquals(0, words.balance());
    }

    @Test
    void a_send_case_waits_for_a_receiver() {
        Channel<String> out = new Channel<>("out");
        Channel<String> in = new Channel<>("in");
        Select.Case<String> send = Select.send(out, "payload");
        s.spawn(() -> {
            Select.Selected sel = Select.select(Select.receive(in), send);
            log.add("selected " + sel.index() + " send " + sel.selectedCase().isSend());
            assertThrows(IllegalStateException.class, sel::value); // a send received nothing
        });
        s.spawn(() -> log.add("received " + out.receive()));
        s.run();
        assertEquals(List.of("received payload", "selected 1 send true"), log);
        assertEquals(0, in.balance());
    }

    @Test
    void the_default_branch_is_taken_when_no_case_is_ready() {
        Channel<String> a = new Channel<>();
        Channel<String> b = new Channel<>(1);
        s.spawn(() -> {
            Select.Selected sel = Select.trySelect(Select.receive(a), Select.receive(b));
            log.add("default " + sel.isDefault() + " index " + sel.index() + " case " + sel.selectedCase());
            b.send("now");
            Select.Selected again = Select.trySelect(Select.receive(a), Select.receive(b));
            log.add("then " + again.index() + " " + again.value());
        });
        s.run();
        assertEquals(List.of("default true index -1 case null", "then 1 now"), log);
        assertEquals(Select.DEFAULT, -1);
        assertEquals(0, a.balance()); // trySelect never registers
    }

    @Test
    void try_select_works_outside_a_tasklet() {
        Channel<String> a = new Channel<>(1);
        assertTrue(Select.trySelect(Select.receive(a)).isDefault());
        Select.Selected sent = Select.trySelect(Select.send(a, "x"));
        assertEquals(0, sent.index());
        assertEquals("x", Select.trySelect(Select.receive(a)).value());
        assertEquals("Selected[default]", Select.trySelect(Select.receive(a)).toString());
        assertThrows(IllegalStateException.class, () -> Select.trySelect(Select.receive(a)).value());
    }

    @Test
    void a_closed_and_drained_channel_is_a_ready_receive_case_that_reports_closed() {
        Channel<String> open = new Channel<>("open");
        Channel<String> closed = new Channel<>("closed");
        closed.close();
        Select.Case<String> rc = Select.receive(closed);
        Select.Selected sel = Select.trySelect(Select.receive(open), rc);
        assertTrue(sel.is(rc));
        assertTrue(sel.isClosed());
        assertFalse(sel.isDefault());
        assertThrows(ChannelClosedException.class, () -> sel.value(rc));
    }

    @Test
    void a_channel_closed_while_select_waits_wakes_it_with_closed() {
        Channel<String> a = new Channel<>("a");
        Channel<String> b = new Channel<>("b");
        s.spawn(() -> {
            Select.Selected sel = Select.select(Select.receive(a), Select.receive(b));
            log.add("index " + sel.index() + " closed " + sel.isClosed());
        });
        s.spawn(b::close);
        s.run();
        assertEquals(List.of("index 1 closed true"), log);
        assertEquals(0, a.balance());
    }

    @Test
    void a_send_case_on_a_closed_channel_throws() {
        Channel<String> c = new Channel<>("c");
        c.close();
        assertThrows(ChannelClosedException.class, () -> Select.trySelect(Select.send(c, "x")));
        Channel<String> d = new Channel<>("d");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.spawn(() -> {
            try {
                Select.select(Select.send(d, "x"));
            } catch (ChannelClosedException e) {
                failure.set(e);
            }
        });
        s.spawn(d::close);
        s.run();
        assertTrue(((ChannelClosedException) failure.get()).onSend());
    }

    @Test
    void select_merges_two_channels_until_both_are_closed() {
        Channel<Integer> odd = new Channel<>("odd");
        Channel<Integer> even = new Channel<>("even");
        s.spawn(() -> {
            for (int i = 1; i <= 5; i += 2) odd.send(i);
            odd.close();
        });
        s.spawn(() -> {
            for (int i = 2; i <= 6; i += 2) even.send(i);
            even.close();
        });
        List<Integer> merged = new ArrayList<>();
        s.spawn(() -> {
            Select.Case<Integer> o = Select.receive(odd);
            Select.Case<Integer> e = Select.receive(even);
            int open = 2;
            while (open > 0) {
                Select.Selected sel = Select.select(o, e);
                if (sel.isClosed()) {
                    open--;
                    // a closed case stays ready: stop selecting on it
                    o = sel.is(o) ? Select.receive(new Channel<>()) : o;
                    e = sel.is(e) ? Select.receive(new Channel<>()) : e;
                } else {
                    merged.add((Integer) sel.value());
                }
            }
        });
        s.run();
        assertEquals(List.of(1, 2, 3, 4, 5, 6), merged.stream().sorted().toList());
        assertEquals(6, merged.size());
    }

    @Test
    void killing_a_tasklet_in_select_withdraws_every_case() {
        Channel<String> a = new Channel<>();
        Channel<String> b = new Channel<>();
        Tasklet t = s.spawn(() -> Select.select(Select.receive(a), Select.send(b, "x")));
        s.run(1);
        assertEquals(-1, a.balance());
        assertEquals(1, b.balance());
        t.kill();
        assertEquals(0, a.balance());
        assertEquals(0, b.balance());
        assertNull(t.waitingFor());
    }

    @Test
    void a_seeded_scheduler_picks_among_ready_cases() {
        Set<Integer> picked = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            Scheduler seeded = Scheduler.seeded(seed);
            Channel<String> a = new Channel<>(1);
            Channel<String> b = new Channel<>(1);
            a.send("a");
            b.send("b");
            seeded.spawn(() -> picked.add(Select.select(Select.receive(a), Select.receive(b)).index()));
            seeded.run();
        }
        assertEquals(Set.of(0, 1), picked);
    }

    @Test
    void a_timeout_with_after() {
        Scheduler virtual = Scheduler.withVirtualTime();
        Channel<String> replies = new Channel<>("replies");
        virtual.spawn(() -> {
            Select.Case<String> reply = Select.receive(replies);
            Select.Case<Duration> timeout = Select.receive(Scheduler.current().after(Duration.ofSeconds(1)));
            Select.Selected sel = Select.select(reply, timeout);
            log.add(sel.is(timeout) ? "timed out at " + sel.value(timeout) : "reply");
        });
        virtual.run();
        assertEquals(List.of("timed out at PT1S"), log);
        assertEquals(Duration.ofSeconds(1), virtual.elapsed());
    }

    @Test
    void a_reply_before_the_timeout_wins() {
        Scheduler virtual = Scheduler.withVirtualTime();
        Channel<String> replies = new Channel<>("replies");
        virtual.spawn(() -> {
            Select.Case<String> reply = Select.receive(replies);
            Select.Case<Duration> timeout = Select.receive(Scheduler.current().after(Duration.ofSeconds(1)));
            Select.Selected sel = Select.select(reply, timeout);
            log.add(sel.is(timeout) ? "timed out" : "reply " + sel.value(reply));
        });
        virtual.spawn(() -> {
            Scheduler.sleep(Duration.ofMillis(300));
            replies.send("pong");
        });
        virtual.run();
        assertEquals(List.of("reply pong"), log);
        assertEquals(Duration.ofMillis(300), virtual.elapsed()); // the pending timer does not keep run() waiting
    }

    /**
     * A loop that selects with a long timeout whose other case always wins: the timers whose channels are gone are
     * dropped with them (Go 1.23), not kept until their deadlines, an hour of virtual time away.
     */
    @Test
    void timers_of_selects_another_case_won_do_not_pile_up() {
        Scheduler virtual = Scheduler.withVirtualTime();
        Channel<Integer> jobs = new Channel<>("jobs", 1);
        int[] left = {-1};
        virtual.spawn(() -> {
            for (int i = 0; i < 100_000; i++) {
                jobs.send(i);
                Select.Case<Integer> job = Select.receive(jobs);
                assertTrue(Select.select(job, Select.receive(Scheduler.current().after(Duration.ofHours(1)))).is(job));
            }
            for (int tries = 0; tries < 50 && (left[0] < 0 || left[0] > 1_000); tries++) {
                collectGarbage();
                Scheduler.current().after(Duration.ofHours(1)); // (which takes the dropped timers out)
                left[0] = timers(Scheduler.current());
            }
        });
        virtual.run();
        assertTrue(left[0] <= 1_000, left[0] + " timers left of 100,000");
    }

    private static void collectGarbage() {
        System.gc();
        try {
            Thread.sleep(10); // (the JVM enqueues the cleared references on a thread of its own)
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The number of pending timers, from {@code Scheduler.toString()}. */
    private static int timers(Scheduler s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) timers").matcher(s.toString());
        assertTrue(m.find(), s.toString());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void select_of_nothing_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> Select.select());
    }
}
