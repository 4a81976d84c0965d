package dev.spindle.it.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Suspendable;
import dev.spindle.sched.Condition;
import dev.spindle.sched.DeadlockException;
import dev.spindle.sched.Event;
import dev.spindle.sched.Latch;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Semaphore;
import dev.spindle.sched.Tasklet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Cooperative locks: mutual exclusion, FIFO fairness, and that a waiting tasklet never blocks the thread. */
class LocksTest {
    private final List<String> log = new ArrayList<>();
    private final Scheduler s = new Scheduler();
    private int inside;
    private int maxInside;

    @Suspendable
    private void critical(String name) {
        inside++;
        maxInside = Math.max(maxInside, inside);
        log.add(name + " in");
        Scheduler.schedule(); // the others run here
        log.add(name + " out");
        inside--;
    }

    // ---- Condition: interruptions after a signal ----

    /**
     * Signalled, then interrupted while it waits to take the mutex back: await still returns holding it (the
     * caller's finally unlocks it), and the interruption comes out of await.
     */
    @Test
    void a_condition_waiter_interrupted_while_taking_the_mutex_back_still_gets_it() {
        Mutex m = new Mutex("m");
        Condition c = m.newCondition();
        Tasklet killed = s.spawn("killed", () -> {
            try {
                m.withLock(c::await);
            } finally {
                log.add("killed unwinds");
            }
        });
        Tasklet raised = s.spawn("raised", () -> {
            m.lock();
            try {
                c.await();
            } catch (IllegalStateException e) {
                log.add("raised caught " + e.getMessage() + ", owner " + m.owner().name());
            } finally {
                m.unlock();
            }
        });
        s.spawn("signaller", () -> {
            m.lock();
            c.signalAll();
            Scheduler.schedule(); // both woken: now they wait for the mutex this one holds
            killed.kill();
            raised.raiseException(new IllegalStateException("boom"));
            Scheduler.schedule();
            log.add("signaller unlocks");
            m.unlock();
        });
        s.run();
        // interrupted ones run in the order they were interrupted, so the killed one queues for the mutex first
        assertEquals(List.of("signaller unlocks", "killed unwinds", "raised caught boom, owner raised"), log);
        assertNull(m.owner());
    }

    /** Signalled, then killed before it ran: the signal goes to the next waiter instead of being lost. */
    @Test
    void a_signal_to_a_waiter_killed_before_it_runs_goes_to_the_next() {
        Mutex m = new Mutex("m");
        Condition c = m.newCondition();
        Tasklet first = s.spawn("first", () -> m.withLock(() -> {
            c.await();
            log.add("first?!");
        }));
        s.spawn("second", () -> m.withLock(() -> {
            c.await();
            log.add("second woken");
        }));
        s.spawn("signaller", () -> m.withLock(() -> {
            c.signal();
            first.kill();
        }));
        s.run();
        assertEquals(List.of("second woken"), log);
        assertEquals(0, c.queueLength());
    }

    /** signalAll woke every waiter there was: one killed before it ran passes nothing on to a later waiter. */
    @Test
    void a_waiter_woken_by_signal_all_then_killed_passes_nothing_to_a_later_one() {
        Mutex m = new Mutex("m");
        Condition c = m.newCondition();
        Tasklet first = s.spawn("first", () -> m.withLock(c::await));
        s.spawn("second", () -> m.withLock(() -> {
            c.await();
            log.add("second woken");
        }));
        s.spawn("signaller", () -> m.withLock(c::signalAll));
        s.spawn("later", () -> m.withLock(() -> { // waits after the signalAll, before the woken ones run
            c.await();
            log.add("later woken, never signalled");
        }));
        s.spawn("killer", first::kill);
        DeadlockException e = assertThrows(DeadlockException.class, s::run);
        assertEquals(List.of("second woken"), log);
        assertTrue(e.getMessage().contains("later"), e.getMessage());
    }

    // ---- Mutex ----

    @Test
    void a_mutex_keeps_critical_sections_apart_across_switches() {
        Mutex m = new Mutex("m");
        for (String n : List.of("a", "b", "c")) s.spawn(n, () -> m.withLock(() -> critical(n)));
        s.run();
        assertEquals(1, maxInside);
        assertEquals(List.of("a in", "a out", "b in", "b out", "c in", "c out"), log);
        assertFalse(m.isLocked());
    }

    @Test
    void a_mutex_is_fifo_fair_and_an_unlocker_cannot_barge_back_in() {
        Mutex m = new Mutex("m");
        s.spawn("a", () -> {
            m.lock();
            Scheduler.schedule(); // b, c, d queue up meanwhile
            Scheduler.schedule();
            m.unlock();
            m.lock(); // the lock went to b: a queues behind c and d
            log.add("a");
            m.unlock();
        });
        for (String n : List.of("b", "c", "d")) {
            s.spawn(n, () -> {
                m.lock();
                log.add(n);
                Scheduler.schedule();
                m.unlock();
            });
        }
        s.run(4);
        assertEquals(3, m.queueLength());
        assertEquals("a", m.owner().name());
        s.run();
        assertEquals(List.of("b", "c", "d", "a"), log);
    }

    @Test
    void with_lock_returns_the_value_and_unlocks_on_an_exception() {
        Mutex m = new Mutex();
        AtomicReference<Integer> got = new AtomicReference<>();
        s.spawn(() -> {
            got.set(m.withLock(() -> 42));
            try {
                m.withLock(() -> {
                    throw new IllegalStateException("inside");
                });
            } catch (IllegalStateException e) {
                log.add("caught, locked " + m.isLocked());
            }
        });
        s.run();
        assertEquals(42, got.get());
        assertEquals(List.of("caught, locked false"), log);
    }

    @Test
    void a_mutex_is_reentrant() {
        Mutex m = new Mutex("m");
        s.spawn("a", () -> m.withLock(() -> m.withLock(() -> {
            assertTrue(m.tryLock());
            m.unlock();
            log.add("nested");
        })));
        s.spawn("b", () -> m.withLock(() -> log.add("b")));
        s.run();
        assertEquals(List.of("nested", "b"), log);
        assertNull(m.owner());
    }

    @Test
    void unlock_by_another_tasklet_is_refused() {
        Mutex m = new Mutex("m");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.spawn("owner", () -> {
            m.lock();
            Scheduler.schedule();
        });
        s.spawn("thief", () -> {
            assertFalse(m.tryLock());
            try {
                m.unlock();
            } catch (IllegalMonitorStateException e) {
                failure.set(e);
            }
        });
        s.run();
        assertTrue(failure.get().getMessage().contains("tasklet thief does not hold it"), failure.get().getMessage());
        assertThrows(IllegalMonitorStateException.class, m::unlock); // and from outside any tasklet
    }

    @Test
    void locking_outside_a_tasklet_is_refused() {
        assertThrows(IllegalStateException.class, () -> new Mutex().lock());
    }

    @Test
    void a_killed_waiter_leaves_the_queue_and_the_lock_goes_to_the_next() {
        Mutex m = new Mutex("m");
        s.spawn("holder", () -> m.withLock(() -> {
            Scheduler.schedule();
            Scheduler.schedule();
        }));
        Tasklet doomed = s.spawn("doomed", () -> m.withLock(() -> log.add("doomed")));
        s.spawn("next", () -> m.withLock(() -> log.add("next")));
        s.run(3);
        assertEquals(2, m.queueLength());
        doomed.kill();
        assertEquals(1, m.queueLength());
        s.run();
        assertEquals(List.of("next"), log);
    }

    @Test
    void a_tasklet_killed_after_it_was_handed_the_lock_passes_it_on() {
        Mutex m = new Mutex("m");
        AtomicReference<Tasklet> doomed = new AtomicReference<>();
        s.spawn("holder", () -> {
            m.lock();
            Scheduler.schedule();
            m.unlock(); // hands the lock to doomed, which is runnable but has not run yet
            assertSame(doomed.get(), m.owner());
            doomed.get().kill();
        });
        doomed.set(s.spawn("doomed", () -> m.withLock(() -> log.add("doomed"))));
        s.spawn("next", () -> m.withLock(() -> log.add("next")));
        s.run();
        assertEquals(List.of("next"), log);
        assertFalse(m.isLocked());
    }

    // ---- Semaphore ----

    @Test
    void a_semaphore_lets_at_most_its_permits_in() {
        Semaphore sem = new Semaphore("two", 2);
        for (String n : List.of("a", "b", "c", "d")) s.spawn(n, () -> sem.withPermit(() -> critical(n)));
        s.run();
        assertEquals(2, maxInside);
        assertEquals(List.of("a in", "b in", "a out", "b out", "c in", "d in", "c out", "d out"), log);
        assertEquals(2, sem.availablePermits());
    }

    @Test
    void a_semaphore_is_fifo_fair_even_when_a_permit_is_free() {
        Semaphore sem = new Semaphore(0);
        for (String n : List.of("a", "b", "c")) {
            s.spawn(n, () -> {
                sem.acquire();
                log.add(n);
            });
        }
        s.run(3);
        assertEquals(3, sem.queueLength());
        sem.release(); // from outside a tasklet: permits are not owned
        assertFalse(sem.tryAcquire()); // the permit went to a, which has not run yet
        sem.release();
        sem.release();
        s.run();
        assertEquals(List.of("a", "b", "c"), log);
        assertEquals(0, sem.availablePermits());
        sem.release();
        assertEquals(5, sem.withPermit(() -> 5)); // a free permit: no need to wait, even outside a tasklet
        assertEquals(1, sem.availablePermits());
    }

    // ---- Condition ----

    @Test
    void a_condition_hands_items_from_producer_to_consumers() {
        Mutex m = new Mutex("queue");
        Condition nonEmpty = m.newCondition();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (String n : List.of("c1", "c2")) {
            s.spawn(n, () -> {
                for (int k = 0; k < 2; k++) {
                    m.withLock(() -> {
                        while (queue.isEmpty()) nonEmpty.await();
                        log.add(n + " took " + queue.poll());
                    });
                }
            });
        }
        s.spawn("producer", () -> {
            for (int i = 1; i <= 4; i++) {
                int item = i;
                m.withLock(() -> {
                    queue.add(item);
                    nonEmpty.signal();
                });
                Scheduler.schedule();
            }
        });
        s.run();
        assertEquals(List.of("c1 took 1", "c2 took 2", "c1 took 3", "c2 took 4"), log);
    }

    @Test
    void await_restores_every_hold_and_signal_all_wakes_every_waiter() {
        Mutex m = new Mutex("m");
        Condition go = m.newCondition();
        for (String n : List.of("a", "b")) {
            s.spawn(n, () -> m.withLock(() -> m.withLock(() -> {
                go.await();
                log.add(n + " holds " + (m.owner() == Tasklet.current()));
            })));
        }
        s.spawn("signaller", () -> m.withLock(() -> {
            assertEquals(2, go.queueLength());
            go.signalAll();
        }));
        s.run();
        assertEquals(List.of("a holds true", "b holds true"), log);
        assertFalse(m.isLocked());
    }

    @Test
    void await_without_the_mutex_is_refused() {
        Mutex m = new Mutex("m");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.spawn(() -> {
            try {
                m.newCondition().await();
            } catch (IllegalMonitorStateException e) {
                failure.set(e);
            }
        });
        s.run();
        assertTrue(failure.get() instanceof IllegalMonitorStateException);
        assertThrows(IllegalMonitorStateException.class, () -> m.newCondition().signal());
    }

    @Test
    void a_tasklet_killed_in_await_takes_the_mutex_back_before_unwinding() {
        Mutex m = new Mutex("m");
        Condition never = m.newCondition();
        Tasklet waiter = s.spawn("waiter", () -> m.withLock(() -> {
            try {
                never.await();
            } finally {
                log.add("finally holds " + (m.owner() == Tasklet.current()));
            }
        }));
        s.run(1);
        assertFalse(m.isLocked());
        waiter.kill();
        assertEquals(List.of("finally holds true"), log);
        assertFalse(m.isLocked());
        assertEquals(0, never.queueLength());
    }

    // ---- Event and Latch ----

    @Test
    void an_event_wakes_every_waiter_in_order_and_later_awaits_pass() {
        Event ready = new Event("ready");
        for (String n : List.of("a", "b", "c")) {
            s.spawn(n, () -> {
                ready.await();
                log.add(n);
            });
        }
        s.run(3);
        assertFalse(ready.isSet());
        s.spawn("setter", () -> {
            log.add("set");
            ready.set();
        });
        s.spawn("late", () -> {
            ready.await(); // already set: goes on
            log.add("late");
        });
        s.run();
        assertEquals(List.of("set", "late", "a", "b", "c"), log);
        ready.clear();
        assertFalse(ready.isSet());
    }

    @Test
    void a_latch_opens_at_zero() {
        Latch done = new Latch("done", 3);
        s.spawn("waiter", () -> {
            done.await();
            log.add("all done");
        });
        for (String n : List.of("w1", "w2", "w3")) {
            s.spawn(n, () -> {
                Scheduler.schedule();
                log.add(n);
                done.countDown();
            });
        }
        s.run();
        assertEquals(List.of("w1", "w2", "w3", "all done"), log);
        assertEquals(0, done.count());
        done.countDown();
        assertEquals(0, done.count());
    }

    @Test
    void waiting_never_blocks_the_thread() {
        // Everything waits on everything in turn on one thread; if any wait blocked the thread this would hang.
        Mutex m = new Mutex();
        Semaphore sem = new Semaphore(0);
        Event e = new Event();
        Latch l = new Latch(1);
        s.spawn(() -> {
            m.lock();
            sem.acquire();
            e.await();
            l.await();
            m.unlock();
            log.add("first");
        });
        s.spawn(() -> {
            sem.release();
            Scheduler.schedule();
            e.set();
            Scheduler.schedule();
            l.countDown();
            m.withLock(() -> log.add("second"));
        });
        s.run();
        assertEquals(List.of("first", "second"), log);
    }
}
