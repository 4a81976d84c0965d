package dev.spindle.it.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Generator;
import dev.spindle.GeneratorScope;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** {@code close()}: a suspended generator unwinds, running its finally blocks and try-with-resources. */
class GeneratorCloseTest {
    private final List<String> log = new ArrayList<>();

    private final class Resource implements AutoCloseable {
        private final String name;

        Resource(String name) {
            this.name = name;
            log.add("open " + name);
        }

        @Override
        public void close() {
            log.add("close " + name);
        }
    }

    @Suspendable
    private void inner(GeneratorScope<Integer> g) {
        try (Resource r = new Resource("inner")) {
            g.yield(2);
            log.add("not reached");
        }
    }

    @Suspendable
    private void outer(GeneratorScope<Integer> g) {
        try {
            g.yield(1);
            inner(g);
            log.add("not reached either");
        } finally {
            log.add("outer finally");
        }
    }

    @Test
    void closingASuspendedGeneratorRunsFinallyBlocksAndTryWithResourcesInnermostFirst() {
        Generator<Integer> gen = Generator.of(this::outer);
        assertEquals(1, gen.next());
        assertEquals(2, gen.next());
        gen.close();
        assertEquals(List.of("open inner", "close inner", "outer finally"), log);
        assertEquals(Coroutine.State.DONE, gen.state());
        assertFalse(gen.hasNext());
        assertThrows(NoSuchElementException.class, gen::next);
        assertThrows(NoSuchElementException.class, () -> gen.send(null));
    }

    @Test
    void closingBeforeTheStartMeansTheBodyNeverRuns() {
        Generator<Integer> gen = Generator.of(g -> {
            log.add("ran");
            g.yield(1);
        });
        gen.close();
        assertEquals(Coroutine.State.DONE, gen.state());
        assertFalse(gen.hasNext());
        assertEquals(List.of(), log);
    }

    @Test
    void closingAfterTheEndOrTwiceDoesNothing() {
        Generator<Integer> gen = Generator.of(g -> {
            try {
                g.yield(1);
            } finally {
                log.add("finally");
            }
        });
        assertEquals(List.of(1), GeneratorIterationTest.drain(gen));
        gen.close();
        gen.close();
        assertEquals(List.of("finally"), log);
    }

    @Test
    void tryWithResourcesAroundALoopThatBreaksClosesTheGenerator() {
        try (Generator<Integer> gen = Generator.of(this::outer)) {
            for (int v : gen) {
                if (v == 1) break;
            }
        }
        assertEquals(List.of("outer finally"), log);
    }

    @Test
    void catchExceptionInTheBodyDoesNotStopTheExit() {
        Generator<Integer> gen = Generator.of(g -> {
            try {
                g.yield(1);
            } catch (Exception e) {
                log.add("caught " + e);
            } finally {
                log.add("finally");
            }
            log.add("after");
        });
        gen.next();
        gen.close();
        assertEquals(List.of("finally"), log);
    }

    @Test
    void aBodyThatSwallowsTheExitAndReturnsIsClosed() {
        Generator<Integer> gen = Generator.of(g -> {
            try {
                g.yield(1);
            } catch (Throwable t) {
                log.add("swallowed");
            }
        });
        gen.next();
        gen.close();
        assertEquals(List.of("swallowed"), log);
        assertEquals(Coroutine.State.DONE, gen.state());
    }

    @Test
    void aBodyThatYieldsAgainWhileClosingMakesCloseFailAsInPython() {
        Generator<Integer> gen = Generator.of(g -> {
            for (int i = 0; ; i++) {
                try {
                    g.yield(i);
                } catch (Throwable t) {
                    log.add("ignored the exit");
                }
            }
        });
        gen.next();
        IllegalStateException e = assertThrows(IllegalStateException.class, gen::close);
        assertTrue(e.getMessage().contains("ignored close()"), e.getMessage());
        assertEquals(List.of("ignored the exit"), log);
        assertEquals(Coroutine.State.SUSPENDED, gen.state(), "as in Python, it is still suspended");
    }

    /** A resource whose close() throws no checked exception. */
    private interface Quiet extends AutoCloseable {
        @Override
        void close();
    }

    @Test
    void aResourceWhoseCloseFailsWhileTheExitUnwindsMakesCloseThrowItsException() {
        IllegalStateException first = new IllegalStateException("db close failed");
        IllegalStateException second = new IllegalStateException("file close failed");
        Generator<Integer> gen = Generator.of(g -> {
            try (Quiet file = () -> {
                log.add("close file");
                throw second;
            }; Quiet db = () -> {
                log.add("close db");
                throw first;
            }) {
                g.yield(1);
            }
        });
        gen.next();
        // as Python raises what a context manager's exit raised while GeneratorExit unwound the body
        assertSame(first, assertThrows(IllegalStateException.class, gen::close));
        assertEquals(List.of(second), List.of(first.getSuppressed()));
        assertEquals(List.of("close db", "close file"), log);
        assertEquals(Coroutine.State.DONE, gen.state());
        gen.close(); // closed now: nothing more
        Generator<Integer> viaStream = Generator.of(g -> {
            try (Quiet db = () -> {
                throw first;
            }) {
                g.yield(1);
                g.yield(2);
            }
        });
        java.util.stream.Stream<Integer> stream = viaStream.stream();
        assertEquals(List.of(1), stream.limit(1).toList());
        assertSame(first, assertThrows(IllegalStateException.class, stream::close));
    }

    @Test
    void anExceptionFromAFinallyBlockComesOutOfClose() {
        IllegalArgumentException cleanupFailure = new IllegalArgumentException("cleanup failed");
        Generator<Integer> gen = Generator.of(g -> {
            try {
                g.yield(1);
            } finally {
                throw cleanupFailure;
            }
        });
        gen.next();
        assertSame(cleanupFailure, assertThrows(IllegalArgumentException.class, gen::close));
        assertEquals(Coroutine.State.DONE, gen.state());
    }

    @Test
    void closeDropsAValueThatHasNextFetched() {
        Generator<Integer> gen = Generator.of(this::outer);
        assertTrue(gen.hasNext());
        gen.close();
        assertFalse(gen.hasNext());
        assertEquals(List.of("outer finally"), log);
    }

    @Test
    void closingAGeneratorFromItsOwnBodyIsRefused() {
        Generator<?>[] self = new Generator<?>[1];
        Generator<Integer> gen = Generator.of(g -> {
            try {
                self[0].close();
            } catch (IllegalStateException e) {
                log.add(e.getMessage());
            }
            g.yield(1);
        });
        self[0] = gen;
        assertEquals(1, gen.next());
        assertTrue(log.get(0).contains("already running") && log.get(0).contains("close()"), log.get(0));
    }

    @Test
    void closingWhileDelegatingClosesTheSubGeneratorFirst() {
        Generator<Integer> sub = Generator.of(g -> {
            try (Resource r = new Resource("sub")) {
                g.yield(1);
                g.yield(2);
            }
        });
        Generator<Integer> gen = Generator.of(g -> {
            try {
                g.yieldAll(sub);
            } finally {
                log.add("outer finally");
            }
        });
        assertEquals(1, gen.next());
        gen.close();
        assertEquals(List.of("open sub", "close sub", "outer finally"), log);
        assertEquals(Coroutine.State.DONE, sub.state());
    }
}
