package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Suspendable;
import dev.spindle.sched.Channel;
import dev.spindle.sched.DeadlockException;
import dev.spindle.sched.Event;
import dev.spindle.sched.Latch;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Select;
import dev.spindle.sched.Semaphore;
import dev.spindle.sched.Tasklet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When every remaining tasklet is blocked, run() ends with a report of who waits for what, and where. */
class DeadlockTest {
    @Suspendable
    private static void relay(Channel<String> in, Channel<String> out) {
        out.send(in.receive());
    }

    @Test
    void two_tasklets_waiting_for_each_other_are_reported_with_what_they_wait_on_and_where() {
        Scheduler s = new Scheduler();
        Channel<String> a = new Channel<>("a");
        Channel<String> b = new Channel<>("b");
        Tasklet first = s.spawn("first", () -> relay(a, b));
        Tasklet second = s.spawn("second", () -> relay(b, a));
        DeadlockException e = assertThrows(DeadlockException.class, s::run);
        String m = e.getMessage();
        assertTrue(m.startsWith("deadlock: no tasklet can run and none is sleeping, but 2 are blocked:"), m);
        assertTrue(m.contains("tasklet \"first\" waits to receive on Channel[a, capacity 0, balance -1]"), m);
        assertTrue(m.contains("tasklet \"second\" waits to receive on Channel[b, capacity 0, balance -1]"), m);
        // where each one waits: the user's frame, not the channel's
        assertTrue(m.contains("at dev.spindle.it.sched.DeadlockTest.relay(DeadlockTest.java:"), m);
        assertFalse(m.contains("dev.spindle.sched.Channel.receive"), m);
        assertEquals(List.of(first, second), e.blocked());
        assertTrue(first.isBlocked() && second.isBlocked());
    }

    @Test
    void a_body_that_is_a_method_reference_to_the_waiting_call_is_shown_at_that_call() {
        Scheduler s = new Scheduler();
        Semaphore none = new Semaphore("none", 0);
        s.spawn("by-reference", none::acquire);
        String m = assertThrows(DeadlockException.class, s::run).getMessage();
        assertTrue(m.contains("tasklet \"by-reference\" waits to acquire a permit of Semaphore[none, 0 free, 1 waiting]"
                + "\n      at dev.spindle.sched.Semaphore.acquire("), m);
    }

    @Test
    void a_lock_order_deadlock_names_the_holders() {
        Scheduler s = new Scheduler();
        Mutex left = new Mutex("left");
        Mutex right = new Mutex("right");
        s.spawn("A", () -> left.withLock(() -> {
            Scheduler.schedule();
            right.withLock(() -> { });
        }));
        s.spawn("B", () -> right.withLock(() -> {
            Scheduler.schedule();
            left.withLock(() -> { });
        }));
        String m = assertThrows(DeadlockException.class, s::run).getMessage();
        assertTrue(m.contains("tasklet \"A\" waits to lock Mutex[right held by tasklet \"B\"]"), m);
        assertTrue(m.contains("tasklet \"B\" waits to lock Mutex[left held by tasklet \"A\"]"), m);
    }

    @Test
    void a_lock_held_by_a_dead_tasklet_is_reported_so() {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex("m");
        s.spawn("careless", m::lock); // never unlocks
        s.spawn("waiter", m::lock);
        String msg = assertThrows(DeadlockException.class, s::run).getMessage();
        assertTrue(msg.contains("waits to lock Mutex[m held by tasklet \"careless\" (dead)]"), msg);
    }

    @Test
    void every_kind_of_wait_is_described() {
        Scheduler s = new Scheduler();
        Channel<Integer> out = new Channel<>("out");
        Channel<Integer> in = new Channel<>("in");
        Semaphore none = new Semaphore("none", 0);
        Event never = new Event("never");
        Latch latch = new Latch("latch", 2);
        Mutex mutex = new Mutex("mx");
        s.spawn("sender", () -> out.send(1));
        s.spawn("selector", () -> Select.select(Select.receive(in), Select.send(in, 5)));
        s.spawn("acquirer", none::acquire);
        s.spawn("event", never::await);
        s.spawn("latch", latch::await);
        s.spawn("condition", () -> mutex.withLock(() -> mutex.newCondition().await()));
        String m = assertThrows(DeadlockException.class, s::run).getMessage();
        assertTrue(m.contains("6 are blocked"), m);
        assertTrue(m.contains("\"sender\" waits to send on Channel[out, capacity 0, balance 1]"), m);
        assertTrue(m.contains("\"selector\" waits to select one of [receive on Channel[in, capacity 0, balance 0],"
                + " send on Channel[in, capacity 0, balance 0]]"), m);
        assertTrue(m.contains("\"acquirer\" waits to acquire a permit of Semaphore[none, 0 free, 1 waiting]"), m);
        assertTrue(m.contains("\"event\" waits to see set Event[never, clear]"), m);
        assertTrue(m.contains("\"latch\" waits to see zero on Latch[latch, 2 to go]"), m);
        assertTrue(m.contains("\"condition\" waits to be signalled on Condition[of Mutex[mx, free], 1 waiting]"), m);
    }

    @Test
    void a_single_receiver_nobody_sends_to_is_a_deadlock_not_a_hang() {
        Scheduler s = new Scheduler();
        s.spawn("lonely", () -> new Channel<String>("nobody").receive());
        String m = assertThrows(DeadlockException.class, s::run).getMessage();
        assertTrue(m.contains("but 1 is blocked"), m);
    }

    @Test
    void the_scheduler_is_usable_after_a_deadlock_report() {
        Scheduler s = new Scheduler();
        Channel<String> ch = new Channel<>("ch");
        List<String> got = new ArrayList<>();
        s.spawn(() -> got.add(ch.receive()));
        assertThrows(DeadlockException.class, s::run);
        ch.send("from outside"); // the receiver waits: no need to wait
        s.run();
        assertEquals(List.of("from outside"), got);
    }

    @Test
    void a_sleeping_tasklet_that_will_wake_the_others_is_not_a_deadlock() {
        Scheduler s = new Scheduler();
        Channel<String> ch = new Channel<>();
        List<String> got = new ArrayList<>();
        s.spawn(() -> got.add(ch.receive()));
        s.spawn(() -> {
            Scheduler.sleep(Duration.ofMillis(20));
            ch.send("late");
        });
        s.run();
        assertEquals(List.of("late"), got);
    }

    @Test
    void what_is_left_blocked_after_the_others_finish_is_reported() {
        Scheduler s = Scheduler.withVirtualTime();
        s.spawn("sleeper", () -> Scheduler.sleep(Duration.ofSeconds(5)));
        s.spawn("stuck", () -> new Channel<String>("void").receive());
        DeadlockException e = assertThrows(DeadlockException.class, s::run);
        assertEquals(1, e.blocked().size());
        assertEquals("stuck", e.blocked().get(0).name());
        assertEquals(Duration.ofSeconds(5), s.elapsed());
    }

    @Test
    @Timeout(20)
    void a_timeout_nobody_waits_for_any_more_does_not_delay_the_report() {
        Scheduler s = new Scheduler(); // wall-clock: waiting for the hour would hang the test
        Channel<String> replies = new Channel<>("replies", 1);
        s.spawn("asker", () -> {
            replies.send("quick");
            Select.Case<String> reply = Select.receive(replies);
            Select.Case<Duration> timeout = Select.receive(Scheduler.current().after(Duration.ofHours(1)));
            assertTrue(Select.select(reply, timeout).is(reply)); // the reply won; the hour's timer stays pending
            new Channel<String>("void").receive();
        });
        DeadlockException e = assertThrows(DeadlockException.class, s::run);
        assertEquals("asker", e.blocked().get(0).name());
        assertTrue(s.elapsed().compareTo(Duration.ofMinutes(1)) < 0, s.elapsed().toString());
    }

    @Test
    void a_timeout_a_tasklet_waits_for_is_not_a_deadlock() {
        Scheduler s = Scheduler.withVirtualTime();
        List<String> got = new ArrayList<>();
        s.spawn(() -> {
            Select.Case<String> reply = Select.receive(new Channel<String>("silent"));
            Select.Case<Duration> timeout = Select.receive(Scheduler.current().after(Duration.ofHours(1)));
            got.add(Select.select(reply, timeout).is(timeout) ? "timed out" : "replied");
        });
        s.run();
        assertEquals(List.of("timed out"), got);
        assertEquals(Duration.ofHours(1), s.elapsed());
    }
}
