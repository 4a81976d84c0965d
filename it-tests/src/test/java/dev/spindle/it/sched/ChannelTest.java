package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.sched.Channel;
import dev.spindle.sched.ChannelClosedException;
import dev.spindle.sched.ChannelIterator;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Select;
import dev.spindle.sched.Tasklet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Channels: rendezvous and buffers, balance, preference, close, iteration, use from outside a tasklet. */
class ChannelTest {
    private final List<String> log = new ArrayList<>();
    private final Scheduler s = new Scheduler();

    @Test
    void an_unbuffered_send_waits_for_a_receiver() {
        Channel<String> ch = new Channel<>("ch");
        Tasklet sender = s.spawn("sender", () -> {
            log.add("sending");
            ch.send("hello");
            log.add("sent");
        });
        assertTrue(s.run(1));
        assertEquals(List.of("sending"), log);
        assertTrue(sender.isBlocked());
        assertEquals(1, ch.balance());
        s.spawn("receiver", () -> log.add("got " + ch.receive()));
        s.run();
        assertEquals(List.of("sending", "got hello", "sent"), log);
        assertEquals(0, ch.balance());
    }

    @Test
    void a_receive_waits_for_a_sender_and_balance_counts_waiting_receivers() {
        Channel<Integer> ch = new Channel<>();
        for (int i = 0; i < 3; i++) s.spawn(() -> log.add("got " + ch.receive()));
        assertTrue(s.run(3));
        assertEquals(-3, ch.balance());
        s.spawn(() -> {
            for (int i = 1; i <= 3; i++) ch.send(i);
        });
        s.run();
        assertEquals(List.of("got 1", "got 2", "got 3"), log); // waiting receivers are served in FIFO order
        assertEquals(0, ch.balance());
    }

    @Test
    void waiting_senders_are_served_in_fifo_order() {
        Channel<String> ch = new Channel<>();
        for (String v : List.of("a", "b", "c")) s.spawn(() -> ch.send(v));
        assertTrue(s.run(3));
        assertEquals(3, ch.balance());
        s.spawn(() -> {
            for (int i = 0; i < 3; i++) log.add(ch.receive());
        });
        s.run();
        assertEquals(List.of("a", "b", "c"), log);
    }

    @Test
    void a_buffered_channel_takes_values_until_full_then_the_sender_waits() {
        Channel<Integer> ch = new Channel<>("buf", 2);
        assertEquals(2, ch.capacity());
        Tasklet sender = s.spawn(() -> {
            for (int i = 1; i <= 3; i++) {
                ch.send(i);
                log.add("sent " + i);
            }
        });
        assertTrue(s.run(1));
        assertEquals(List.of("sent 1", "sent 2"), log);
        assertEquals(2, ch.size());
        assertEquals(1, ch.balance());
        assertTrue(sender.isBlocked());
        s.spawn(() -> {
            for (int i = 0; i < 3; i++) log.add("got " + ch.receive());
        });
        s.run();
        assertEquals(List.of("sent 1", "sent 2", "got 1", "got 2", "got 3", "sent 3"), log);
        assertEquals(0, ch.size());
    }

    @Test
    void a_buffered_channel_keeps_send_order_when_a_waiting_sender_refills_it() {
        Channel<Integer> ch = new Channel<>(1);
        s.spawn(() -> {
            for (int i = 1; i <= 4; i++) ch.send(i);
            ch.close();
        });
        s.spawn(() -> {
            for (ChannelIterator<Integer> it = ch.iterator(); it.hasNext(); ) log.add(String.valueOf(it.next()));
        });
        s.run();
        assertEquals(List.of("1", "2", "3", "4"), log);
    }

    @Test
    void null_values_pass_through() {
        Channel<String> unbuffered = new Channel<>();
        Channel<String> buffered = new Channel<>(3);
        s.spawn(() -> {
            unbuffered.send(null);
            buffered.send(null);
            buffered.send("x");
            buffered.close();
        });
        s.spawn(() -> {
            log.add(String.valueOf(unbuffered.receive()));
            for (ChannelIterator<String> it = buffered.iterator(); it.hasNext(); ) log.add(String.valueOf(it.next()));
        });
        s.run();
        assertEquals(List.of("null", "null", "x"), log);
    }

    // ---- preference ----

    /** A sender meets a waiting receiver, with a third tasklet runnable. */
    private List<String> sendToWaitingReceiver(Channel.Preference p) {
        Channel<String> ch = new Channel<String>().setPreference(p);
        s.spawn("receiver", () -> log.add("received " + ch.receive()));
        s.spawn("sender", () -> {
            ch.send("v");
            log.add("sender goes on");
        });
        s.spawn("third", () -> log.add("third"));
        s.run();
        return log;
    }

    @Test
    void receiver_preference_switches_to_the_receiver_then_back_to_the_sender() {
        assertEquals(Channel.Preference.RECEIVER, new Channel<>().preference()); // Stackless's default
        assertEquals(List.of("received v", "sender goes on", "third"),
                sendToWaitingReceiver(Channel.Preference.RECEIVER));
    }

    @Test
    void sender_preference_lets_the_sender_go_on() {
        assertEquals(List.of("sender goes on", "third", "received v"),
                sendToWaitingReceiver(Channel.Preference.SENDER));
    }

    @Test
    void no_preference_lets_the_caller_go_on() {
        assertEquals(List.of("sender goes on", "third", "received v"),
                sendToWaitingReceiver(Channel.Preference.NEITHER));
    }

    /** A receiver meets a waiting sender, with a third tasklet runnable. */
    private List<String> receiveFromWaitingSender(Channel.Preference p) {
        Channel<String> ch = new Channel<String>().setPreference(p);
        s.spawn("sender", () -> {
            ch.send("v");
            log.add("sender goes on");
        });
        s.spawn("receiver", () -> log.add("received " + ch.receive()));
        s.spawn("third", () -> log.add("third"));
        s.run();
        return log;
    }

    @Test
    void receiver_preference_lets_a_receiver_go_on() {
        assertEquals(List.of("received v", "third", "sender goes on"),
                receiveFromWaitingSender(Channel.Preference.RECEIVER));
    }

    @Test
    void sender_preference_switches_to_the_waiting_sender() {
        assertEquals(List.of("sender goes on", "received v", "third"),
                receiveFromWaitingSender(Channel.Preference.SENDER));
    }

    @Test
    void no_preference_lets_a_receiver_go_on() {
        assertEquals(List.of("received v", "third", "sender goes on"),
                receiveFromWaitingSender(Channel.Preference.NEITHER));
    }

    // ---- close ----

    @Test
    void after_close_receivers_drain_the_buffer_then_get_the_end_of_channel_signal() {
        Channel<Integer> ch = new Channel<>("c", 3);
        s.spawn(() -> {
            ch.send(1);
            ch.send(2);
            ch.close();
        });
        s.run();
        assertTrue(ch.isClosed());
        assertEquals(2, ch.size());
        AtomicReference<ChannelClosedException> end = new AtomicReference<>();
        s.spawn(() -> {
            log.add("got " + ch.receive());
            log.add("got " + ch.receive());
            try {
                ch.receive();
            } catch (ChannelClosedException e) {
                end.set(e);
            }
        });
        s.run();
        assertEquals(List.of("got 1", "got 2"), log);
        assertFalse(end.get().onSend());
        assertTrue(end.get().getMessage().startsWith("end of Channel[c"), end.get().getMessage());
    }

    @Test
    void close_wakes_waiting_receivers_with_the_end_signal() {
        Channel<String> ch = new Channel<>();
        for (int i = 0; i < 2; i++) {
            s.spawn(() -> {
                try {
                    ch.receive();
                } catch (ChannelClosedException e) {
                    log.add("end");
                }
            });
        }
        s.spawn(ch::close);
        s.run();
        assertEquals(List.of("end", "end"), log);
        assertEquals(0, ch.balance());
    }

    @Test
    void close_fails_waiting_senders_and_later_sends() {
        Channel<String> ch = new Channel<>("c");
        s.spawn(() -> {
            try {
                ch.send("lost");
            } catch (ChannelClosedException e) {
                log.add("sender: " + e.getMessage() + ", onSend " + e.onSend());
            }
        });
        s.spawn(() -> {
            ch.close();
            ch.close(); // twice: nothing more happens
            try {
                ch.send("late");
            } catch (ChannelClosedException e) {
                log.add("late sender refused");
            }
        });
        s.run();
        assertEquals(List.of("late sender refused",
                "sender: cannot send on Channel[c, capacity 0, balance 0, closed]: it is closed, onSend true"), log);
    }

    @Test
    void iteration_ends_when_the_channel_is_closed_and_drained() {
        Channel<Integer> ch = new Channel<>();
        s.spawn("producer", () -> {
            for (int i = 1; i <= 5; i++) ch.send(i);
            ch.close();
        });
        AtomicReference<Throwable> afterEnd = new AtomicReference<>();
        s.spawn("consumer", () -> {
            ChannelIterator<Integer> it = ch.iterator();
            while (it.hasNext()) log.add(String.valueOf(it.next()));
            assertFalse(it.hasNext());
            try {
                it.next();
            } catch (NoSuchElementException e) {
                afterEnd.set(e);
            }
        });
        s.run();
        assertEquals(Arrays.asList("1", "2", "3", "4", "5"), log);
        assertTrue(afterEnd.get() instanceof NoSuchElementException);
    }

    // ---- outside a tasklet ----

    @Test
    void code_outside_any_tasklet_may_send_and_receive_when_it_need_not_wait() {
        Channel<String> ch = new Channel<>();
        Channel<String> buf = new Channel<>(1);
        s.spawn(() -> log.add(ch.receive()));
        s.run(1);
        ch.send("to a waiting receiver");
        buf.send("buffered");
        assertEquals("buffered", buf.receive());
        s.run();
        assertEquals(List.of("to a waiting receiver"), log);
    }

    @Test
    void waiting_outside_any_tasklet_is_refused_with_the_reason() {
        Channel<String> ch = new Channel<>("nobody");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.send("x"));
        assertTrue(e.getMessage().startsWith("cannot wait to send on Channel[nobody"), e.getMessage());
        assertTrue(e.getMessage().contains("no tasklet runs on this thread"), e.getMessage());
        assertThrows(IllegalStateException.class, ch::receive);
        assertEquals(0, ch.balance());
    }

    @Test
    void a_coroutine_nested_in_a_tasklet_may_not_wait_on_a_channel() {
        Channel<String> ch = new Channel<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.spawn("t", () -> {
            try {
                new Coroutine("inner", ch::receive).resume();
            } catch (IllegalStateException e) {
                failure.set(e);
            }
        });
        s.run();
        assertTrue(failure.get().getMessage().contains("nested inside tasklet t"), failure.get().getMessage());
        assertEquals(0, ch.balance());
    }

    @Test
    void a_killed_sender_does_not_deliver() {
        Channel<String> ch = new Channel<>();
        Tasklet sender = s.spawn(() -> ch.send("never"));
        s.run(1);
        sender.kill();
        assertEquals(0, ch.balance());
        s.spawn(() -> {
            try {
                ch.receive();
            } catch (ChannelClosedException e) {
                log.add("end");
            }
        });
        s.spawn(ch::close);
        s.run();
        assertEquals(List.of("end"), log);
        assertNull(sender.waitingFor());
    }

    @Test
    void a_value_handed_to_a_receiver_killed_before_it_ran_goes_to_the_next_receiver() {
        Channel<Integer> ch = new Channel<Integer>("c").setPreference(Channel.Preference.NEITHER);
        List<Integer> got = new ArrayList<>();
        Tasklet first = s.spawn("first", () -> got.add(ch.receive()));
        s.spawn("second", () -> got.add(ch.receive()));
        s.spawn("sender", () -> {
            ch.send(42); // handed to "first", which has not run yet
            first.kill();
        });
        s.run();
        assertEquals(List.of(42), got);
    }

    @Test
    void a_value_handed_to_a_select_interrupted_before_it_ran_goes_to_the_next_receive() {
        Channel<Integer> ch = new Channel<Integer>("c", 1).setPreference(Channel.Preference.NEITHER);
        Tasklet selector = s.spawn("selector", () -> Select.select(Select.receive(ch), Select.receive(new Channel<>())));
        s.spawn("sender", () -> {
            ch.send(7);
            selector.raiseException(new IllegalStateException("stop"));
        });
        assertThrows(IllegalStateException.class, s::run);
        assertEquals(1, ch.size());
        assertEquals(7, ch.receive());
    }

    @Test
    void a_value_handed_to_a_killed_receiver_keeps_its_place_ahead_of_values_buffered_after_it() {
        Channel<Integer> ch = new Channel<Integer>("c", 2).setPreference(Channel.Preference.NEITHER);
        List<Integer> got = new ArrayList<>();
        Tasklet first = s.spawn("first", () -> got.add(ch.receive()));
        Tasklet selecting = s.spawn("selecting", () -> got.add((Integer) Select.select(Select.receive(ch)).value()));
        s.spawn("sender", () -> {
            ch.send(1); // handed to "first", which has not run yet
            ch.send(2); // handed to "selecting"
            ch.send(3); // into the buffer
            first.kill();
            selecting.kill();
        });
        s.run();
        assertEquals(3, ch.size()); // two given back ahead of the one buffered
        assertTrue(ch.toString().contains("3 buffered"), ch.toString());
        s.spawn("second", () -> {
            for (int i = 0; i < 3; i++) got.add(ch.receive());
        });
        s.run();
        assertEquals(List.of(1, 2, 3), got);
        assertEquals(0, ch.size());
    }

    @Test
    void values_given_back_keep_their_send_order_whatever_the_order_of_the_interruptions() {
        for (int capacity : new int[] {0, 2}) {
            Scheduler sched = new Scheduler();
            Channel<Integer> ch = new Channel<Integer>("c", capacity).setPreference(Channel.Preference.NEITHER);
            List<Integer> got = new ArrayList<>();
            Tasklet first = sched.spawn("first", () -> got.add(ch.receive()));
            Tasklet second = sched.spawn("second", () -> got.add(ch.receive()));
            sched.spawn("sender", () -> {
                ch.send(1); // handed to "first"
                ch.send(2); // handed to "second"
                if (capacity > 0) ch.send(3); // buffered
                second.raiseException(new IllegalStateException("stop"));
                first.kill();
            });
            assertThrows(IllegalStateException.class, sched::run);
            sched.spawn("next", () -> {
                while (ch.size() > 0) got.add(ch.receive());
            });
            sched.run();
            assertEquals(capacity > 0 ? List.of(1, 2, 3) : List.of(1, 2), got, "capacity " + capacity);
        }
    }

    /** Waiters taken out of the middle of a queue (kills, newest first) leave the others in their order. */
    @Test
    void receivers_killed_from_the_middle_of_the_queue_leave_the_rest_served_in_order() {
        Channel<Integer> ch = new Channel<>("c");
        int n = 20_000;
        List<Tasklet> receivers = new ArrayList<>();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int me = i;
            receivers.add(s.spawn(() -> {
                int v = ch.receive();
                if (v != me) log.add("receiver " + me + " got " + v);
                got.add(v);
            }));
        }
        assertTrue(s.run(n)); // every receiver waits, in spawn order
        assertEquals(-n, ch.balance());
        for (int i = n - 1; i >= 0; i -= 2) receivers.get(i).kill(); // the odd ones, newest first
        assertEquals(-n / 2, ch.balance());
        s.spawn(() -> {
            for (int i = 0; i < n; i += 2) ch.send(i);
        });
        s.run();
        assertEquals(List.of(), log);
        assertEquals(n / 2, got.size());
        assertEquals(0, ch.balance());
    }

    @Test
    void a_value_handed_to_a_killed_receiver_of_a_rendezvous_counts_in_its_size() {
        Channel<Integer> ch = new Channel<Integer>("c").setPreference(Channel.Preference.NEITHER);
        Tasklet first = s.spawn("first", ch::receive);
        s.spawn("sender", () -> {
            ch.send(42);
            first.kill();
        });
        s.run();
        assertEquals(1, ch.size());
        assertEquals(0, ch.balance()); // no sender waits
        assertEquals(42, ch.receive()); // from outside: there without waiting
        assertEquals(0, ch.size());
    }

    /**
     * With the sender preferred, a receive that takes a waiting sender's value switches to the sender at once; a
     * receiver interrupted before it runs again has not taken the value, which goes to the next receive.
     */
    @Test
    void a_receiver_interrupted_while_the_preferred_sender_runs_gives_the_value_back() {
        for (boolean kill : new boolean[] {false, true}) {
            for (boolean select : new boolean[] {false, true}) {
                Scheduler sched = new Scheduler();
                Channel<Integer> ch = new Channel<Integer>("c", 1).setPreference(Channel.Preference.SENDER);
                List<Object> got = new ArrayList<>();
                Tasklet[] receiver = new Tasklet[1];
                sched.spawn("sender", () -> {
                    ch.send(1); // buffered
                    ch.send(2); // waits: the receive below takes 1, puts 2 in the buffer and switches here
                    if (kill) receiver[0].kill();
                    else receiver[0].raiseException(new IllegalArgumentException("stop"));
                });
                receiver[0] = sched.spawn("receiver", () -> {
                    try {
                        got.add(select ? Select.select(Select.receive(ch)).value() : ch.receive());
                    } catch (IllegalArgumentException e) {
                        got.add(e.getMessage());
                    }
                });
                sched.run();
                sched.spawn("next", () -> {
                    got.add(ch.receive());
                    got.add(ch.receive());
                });
                sched.run();
                assertEquals(kill ? List.of(1, 2) : List.of("stop", 1, 2), got, "kill " + kill + ", select " + select);
            }
        }
    }
}
