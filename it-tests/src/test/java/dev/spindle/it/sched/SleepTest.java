package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.sched.Channel;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Tasklet;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** Sleep and timers: the order of wake-ups (never durations), virtual time, and no busy waiting. */
class SleepTest {
    private final List<String> log = new ArrayList<>();

    private void sleepers(Scheduler s, int... millis) {
        for (int ms : millis) {
            s.spawn("s" + ms, () -> {
                Scheduler.sleep(Duration.ofMillis(ms));
                log.add("s" + ms);
            });
        }
    }

    @Test
    void sleepers_wake_in_the_order_of_their_deadlines_on_wall_time() {
        Scheduler s = new Scheduler();
        sleepers(s, 60, 20, 40);
        s.run();
        assertEquals(List.of("s20", "s40", "s60"), log);
    }

    @Test
    void sleepers_wake_in_the_order_of_their_deadlines_on_virtual_time() {
        Scheduler s = Scheduler.withVirtualTime();
        sleepers(s, 3_000, 1_000, 2_000);
        s.run();
        assertEquals(List.of("s1000", "s2000", "s3000"), log);
        assertEquals(Duration.ofSeconds(3), s.elapsed());
    }

    @Test
    void sleeps_ending_at_the_same_instant_wake_in_the_order_they_began() {
        Scheduler s = Scheduler.withVirtualTime();
        for (String n : List.of("c", "a", "b")) {
            s.spawn(n, () -> {
                Scheduler.sleep(Duration.ofSeconds(1));
                log.add(n);
            });
        }
        s.run();
        assertEquals(List.of("c", "a", "b"), log);
    }

    @Test
    void hours_of_virtual_sleep_take_no_time() {
        Scheduler s = Scheduler.withVirtualTime();
        s.spawn(() -> {
            for (int i = 0; i < 24; i++) Scheduler.sleep(Duration.ofHours(1));
            log.add("a day later: " + Scheduler.current().elapsed());
        });
        s.run();
        assertEquals(List.of("a day later: PT24H"), log);
    }

    @Test
    void the_virtual_clock_stands_still_while_tasklets_can_run() {
        Scheduler s = Scheduler.withVirtualTime();
        s.spawn("sleeper", () -> {
            Scheduler.sleep(Duration.ofMillis(1));
            log.add("sleeper at " + Scheduler.current().elapsed());
        });
        s.spawn("busy", () -> {
            for (int i = 0; i < 1_000; i++) Scheduler.schedule();
            log.add("busy done at " + Scheduler.current().elapsed());
        });
        s.run();
        assertEquals(List.of("busy done at PT0S", "sleeper at PT0.001S"), log);
    }

    @Test
    void a_sleep_of_zero_or_less_is_a_schedule() {
        Scheduler s = new Scheduler();
        s.spawn("a", () -> {
            log.add("a1");
            Scheduler.sleep(Duration.ZERO);
            log.add("a2");
            Scheduler.sleep(Duration.ofSeconds(-5));
            log.add("a3");
        });
        s.spawn("b", () -> {
            log.add("b1");
            Scheduler.schedule();
            log.add("b2");
        });
        s.run();
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3"), log);
    }

    @Test
    void a_sleeping_tasklet_is_blocked_and_says_until_when() {
        Scheduler s = Scheduler.withVirtualTime();
        Tasklet t = s.spawn(() -> Scheduler.sleep(Duration.ofSeconds(2)));
        s.run(1);
        assertEquals(Tasklet.State.SLEEPING, t.state());
        assertTrue(t.isBlocked());
        assertTrue(t.waitingFor().startsWith("wake up at PT2S"), t.waitingFor());
        s.run();
        assertFalse(t.isAlive());
    }

    @Test
    void a_killed_sleeper_never_wakes() {
        Scheduler s = Scheduler.withVirtualTime();
        Tasklet sleeper = s.spawn("sleeper", () -> {
            Scheduler.sleep(Duration.ofSeconds(1));
            log.add("woke");
        });
        s.spawn("other", () -> Scheduler.sleep(Duration.ofSeconds(5)));
        s.run(2);
        sleeper.kill();
        s.run();
        assertTrue(log.isEmpty());
        assertEquals(Duration.ofSeconds(5), s.elapsed());
    }

    @Test
    void after_delivers_the_time_once_into_a_buffer() {
        Scheduler s = Scheduler.withVirtualTime();
        s.spawn(() -> {
            Channel<Duration> timer = Scheduler.current().after(Duration.ofMillis(250));
            Scheduler.sleep(Duration.ofSeconds(1)); // nobody waits when it fires: the value is buffered
            log.add("fired at " + timer.receive() + ", read at " + Scheduler.current().elapsed());
        });
        s.run();
        assertEquals(List.of("fired at PT0.25S, read at PT1S"), log);
    }

    @Test
    void sleep_outside_a_tasklet_is_refused() {
        assertThrows(IllegalStateException.class, () -> Scheduler.sleep(Duration.ofMillis(1)));
    }

    @Test
    void sleeping_does_not_busy_wait() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isCurrentThreadCpuTimeSupported());
        Scheduler s = new Scheduler();
        s.spawn(() -> Scheduler.sleep(Duration.ofMillis(400)));
        long cpuBefore = threads.getCurrentThreadCpuTime();
        s.run();
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        // A busy wait would burn about the whole 400 ms; parking burns next to nothing. Generous on purpose.
        assertTrue(cpu < Duration.ofMillis(200).toNanos(), "run() used " + cpu / 1_000_000 + " ms of CPU");
    }

    @Test
    void an_interrupt_while_tasklets_sleep_ends_run_and_keeps_the_flag() {
        Scheduler s = new Scheduler();
        Tasklet t = s.spawn(() -> Scheduler.sleep(Duration.ofHours(1)));
        s.run(1);
        Thread.currentThread().interrupt();
        try {
            assertThrows(CancellationException.class, s::run);
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertTrue(t.isAlive());
        t.kill();
        assertFalse(s.run(10));
    }
}
