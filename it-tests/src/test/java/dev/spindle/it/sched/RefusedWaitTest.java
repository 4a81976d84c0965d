package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spindle.Suspendable;
import dev.spindle.io.EventLoop;
import dev.spindle.sched.Channel;
import dev.spindle.sched.Condition;
import dev.spindle.sched.DeadlockException;
import dev.spindle.sched.Event;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Tasklet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A wait whose suspension is refused (it went through a JDK callback, or a synchronized block) and a tasklet or
 * loop coroutine that catches the refusal and goes on: it no longer waits for anything, so nothing is handed to
 * it later, and it is not run again out of turn.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RefusedWaitTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    /** Runs {@code wait} where its suspension is refused, and logs the refusal. */
    @Suspendable
    private void refused(String what, Runnable wait) {
        log.add(what + (isRefused(wait) ? " refused" : " not refused"));
    }

    /** Runs {@code wait} through {@code List.forEach}, which is not instrumented; true if its suspension was refused. */
    @Suspendable
    private static boolean isRefused(Runnable wait) {
        try {
            List.of(1).forEach(x -> wait.run());
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    @Suspendable
    private static int receiveHoldingMonitor(Channel<Integer> ch) {
        synchronized (ch) {
            return ch.receive();
        }
    }

    @Test
    void a_refused_receive_leaves_no_waiter_so_the_next_receive_gets_the_first_value() {
        Scheduler s = new Scheduler();
        Channel<Integer> ch = new Channel<>("ch");
        s.spawn("T", () -> {
            refused("receive", ch::receive);
            log.add("T " + Tasklet.current().state() + ", balance " + ch.balance());
            log.add("T got " + ch.receive());
            log.add("T got " + ch.receive());
        });
        s.spawn("S", () -> {
            ch.send(1);
            ch.send(2);
        });
        s.run();
        assertEquals(List.of("receive refused", "T RUNNING, balance 0", "T got 1", "T got 2"), log);
    }

    @Test
    void a_receive_refused_in_a_synchronized_block_leaves_no_waiter() {
        Scheduler s = new Scheduler();
        Channel<Integer> ch = new Channel<>("ch");
        s.spawn("T", () -> {
            try {
                receiveHoldingMonitor(ch);
            } catch (IllegalStateException e) {
                log.add("refused");
            }
            log.add("T got " + ch.receive());
        });
        s.spawn("S", () -> ch.send(1));
        s.run();
        assertEquals(List.of("refused", "T got 1"), log);
    }

    @Test
    void a_refused_send_is_not_delivered_later() {
        Scheduler s = new Scheduler();
        Channel<Integer> ch = new Channel<>("ch");
        s.spawn("T", () -> {
            refused("send", () -> ch.send(1));
            log.add("T " + Tasklet.current().state() + ", balance " + ch.balance());
            ch.send(2);
        });
        s.spawn("R", () -> log.add("R got " + ch.receive()));
        s.run();
        assertEquals(List.of("send refused", "T RUNNING, balance 0", "R got 2"), log);
    }

    @Test
    void a_refused_lock_does_not_make_the_tasklet_owner_when_the_holder_unlocks() {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex("m");
        s.spawn("H", () -> {
            m.lock();
            Scheduler.schedule();
            m.unlock();
        });
        s.spawn("T", () -> {
            refused("lock", m::lock);
            log.add("queue " + m.queueLength());
        });
        s.spawn("W", () -> {
            m.lock();
            log.add("W owns it: " + (m.owner() == Tasklet.current()));
            m.unlock();
        });
        s.run();
        assertEquals(List.of("lock refused", "queue 0", "W owns it: true"), log);
        assertFalse(m.isLocked());
    }

    @Test
    void a_refused_sleep_leaves_no_timer_to_wake_the_tasklet_in_a_later_wait() {
        Scheduler s = Scheduler.withVirtualTime();
        Channel<Integer> ch = new Channel<>("ch");
        s.spawn("T", () -> {
            refused("sleep", () -> Scheduler.sleep(Duration.ofSeconds(1)));
            int v = ch.receive();
            log.add("T got " + v + " at " + Scheduler.current().elapsed());
        });
        s.spawn("S", () -> {
            Scheduler.sleep(Duration.ofSeconds(5));
            ch.send(7);
        });
        s.run();
        assertEquals(List.of("sleep refused", "T got 7 at PT5S"), log);
    }

    @Test
    void a_refused_switch_to_a_preferred_receiver_leaves_the_sender_out_of_the_run_queue() {
        Scheduler s = new Scheduler();
        Channel<Integer> ch = new Channel<>("ch"); // receiver preferred: a send to a waiting receiver switches
        s.spawn("R", () -> log.add("R got " + ch.receive()));
        s.spawn("T", () -> {
            refused("send", () -> ch.send(1)); // handed over, but the switch to R is refused
            log.add("T " + Tasklet.current().state());
            Scheduler.schedule();
            log.add("T again");
        });
        s.run();
        assertEquals(List.of("send refused", "T RUNNING", "R got 1", "T again"), log);
    }

    @Test
    void a_tasklet_that_lets_a_refusal_escape_ends_with_it_and_leaves_no_waiter() {
        Scheduler s = new Scheduler();
        Channel<Integer> ch = new Channel<>("ch");
        Tasklet t = s.spawn("T", () -> List.of(1).forEach(x -> ch.receive()));
        assertThrows(IllegalStateException.class, s::run);
        assertFalse(t.isAlive());
        assertEquals(0, ch.balance());
        s.spawn("S", () -> ch.send(1));
        assertThrows(DeadlockException.class, s::run); // nobody receives: the dead T was not handed the value
    }

    @Test
    void on_an_event_loop_a_refused_receive_leaves_no_waiter() throws Exception {
        try (EventLoop loop = new EventLoop("refusals")) {
            Channel<Integer> ch = new Channel<>("lch");
            CompletableFuture<Integer> got = loop.submit(() -> {
                refused("receive", ch::receive);
                log.add("balance " + ch.balance());
                return ch.receive();
            });
            loop.submit(() -> {
                ch.send(1);
                return null;
            });
            assertEquals(1, got.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("receive refused", "balance 0"), log);
        }
    }

    @Test
    void on_an_event_loop_a_refused_sleep_leaves_no_timer_to_end_a_later_wait() throws Exception {
        try (EventLoop loop = new EventLoop("refusals")) {
            Channel<Integer> ch = new Channel<>("lch");
            CompletableFuture<Integer> got = loop.submit(() -> {
                refused("sleep", () -> EventLoop.sleep(Duration.ofMillis(1)));
                return ch.receive();
            });
            // the sleep's timer, had it stayed, would have ended the receive with no value long before this
            assertNull(loop.submit(() -> {
                EventLoop.sleep(Duration.ofMillis(200));
                return got.isDone() ? got.join() : null;
            }).get(30, TimeUnit.SECONDS));
            loop.submit(() -> {
                ch.send(7);
                return null;
            });
            assertSame(7, got.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("sleep refused"), log);
        }
    }

    @Test
    void a_refused_condition_wait_leaves_the_tasklet_holding_its_mutex() {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex("m");
        Condition c = m.newCondition();
        s.spawn("T", () -> {
            m.lock();
            Scheduler.schedule(); // W queues for m
            refused("await", c::await);
            log.add("T owns m: " + (m.owner() == Tasklet.current()) + ", waiting " + c.queueLength());
            m.unlock();
        });
        s.spawn("W", () -> {
            m.lock();
            log.add("W owns m");
            m.unlock();
        });
        s.run();
        assertEquals(List.of("await refused", "T owns m: true, waiting 0", "W owns m"), log);
    }

    @Test
    void on_an_event_loop_a_refused_condition_wait_leaves_the_coroutine_holding_its_mutex() throws Exception {
        try (EventLoop loop = new EventLoop("refusals")) {
            Mutex m = new Mutex("lm");
            Condition c = m.newCondition();
            loop.submit(() -> {
                m.lock();
                refused("await", c::await);
                m.unlock(); // throws IllegalMonitorStateException if the refused wait gave the mutex up
                return null;
            }).get(30, TimeUnit.SECONDS);
            assertEquals(List.of("await refused"), log);
            assertFalse(m.isLocked());
        }
    }

    @Test
    void a_lock_refused_while_another_loop_hands_it_over_does_not_leave_the_caller_owner() throws Exception {
        try (EventLoop a = new EventLoop("A"); EventLoop b = new EventLoop("B")) {
            Mutex m = new Mutex("m");
            Event stop = new Event("stop");
            CompletableFuture<Void> other = b.submit(() -> {
                for (int n = 1; !stop.isSet(); n++) {
                    m.lock();
                    m.unlock();
                    if (n % 64 == 0) EventLoop.yieldNow();
                }
                return null;
            });
            String outcome = a.submit(() -> {
                for (int i = 0; i < 200_000; i++) {
                    if (!isRefused(m::lock)) { // it was free: taken at once
                        m.unlock();
                        continue;
                    }
                    try {
                        m.unlock(); // succeeds only if the refused lock() left this coroutine the owner
                        return "refusal " + i + ": lock() was refused, yet its caller holds the lock";
                    } catch (IllegalMonitorStateException notOwner) {
                        // right: the lock handed over meanwhile went back
                    }
                    if (i % 64 == 0) EventLoop.yieldNow();
                }
                return "ok";
            }).get(60, TimeUnit.SECONDS);
            stop.set();
            other.get(30, TimeUnit.SECONDS);
            assertEquals("ok", outcome);
            assertFalse(m.isLocked());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void a_receive_refused_while_another_loop_hands_it_a_value_loses_no_value(int capacity) throws Exception {
        try (EventLoop a = new EventLoop("A"); EventLoop b = new EventLoop("B")) {
            Channel<Integer> ch = new Channel<>("ch", capacity);
            Event stop = new Event("stop");
            int[] sent = {0};
            CompletableFuture<Void> sender = b.submit(() -> {
                for (int i = 0; !stop.isSet(); i++) {
                    ch.send(i);
                    sent[0] = i + 1;
                }
                return null;
            });
            List<Integer> got = a.submit(() -> {
                List<Integer> r = new ArrayList<>();
                Object[] box = new Object[1];
                for (int i = 0; i < 100_000; i++) {
                    if (!isRefused(() -> box[0] = ch.receive())) r.add((Integer) box[0]); // a sender was waiting
                    if (i % 64 == 0) EventLoop.yieldNow();
                }
                stop.set();
                for (;;) { // what is left: the value of the send that saw the stop, given-back ones
                    Integer v = EventLoop.withTimeoutOrNull(Duration.ofMillis(300), ch::receive);
                    if (v == null) return r;
                    r.add(v);
                }
            }).get(60, TimeUnit.SECONDS);
            sender.get(30, TimeUnit.SECONDS);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < sent[0]; i++) expected.add(i);
            assertEquals(expected, got.stream().sorted().toList());
        }
    }
}
