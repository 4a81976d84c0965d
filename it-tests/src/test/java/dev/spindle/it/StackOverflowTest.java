package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stack overflows wherever they land in Spindle's own work: in a body, a frame's saving, a driver's bookkeeping, a
 * reader of saved frames. Each leaves no coroutine running for ever and the thread able to run coroutines again.
 *
 * <p>These run in a JVM of their own (see the pom): an overflow that strikes the JVM while it initializes a class
 * leaves that class unusable for the rest of the JVM's life, which would fail unrelated tests later. Each test
 * first runs its code at a normal depth, so that what it needs is initialized before the overflows begin.
 */
class StackOverflowTest {
    /**
     * Classes the JDK loads lazily, to build a stack trace's elements and (JDK 24+) to spin a lambda's class: loaded
     * at the end of a stack, the JVM's call of the agent there overflows in the JDK's own frames and the JVM prints
     * "transform method call failed" (the class loads all the same); loaded here, the overflows do not reach them.
     */
    @BeforeAll
    static void loadWhatTheJdkLoadsLazily() {
        new Throwable().getStackTrace()[0].toString();
        try {
            Class.forName("jdk.internal.classfile.impl.DirectCodeBuilder$LabelOverflowException");
        } catch (ClassNotFoundException beforeJdk24) {
            // no class file API inside the JDK
        }
    }

    private static void nestUntilTheStackOverflows(List<Coroutine> all) {
        Coroutine c = new Coroutine(() -> nestUntilTheStackOverflows(all));
        all.add(c);
        c.resume();
    }

    /**
     * Each coroutine's body resumes a new one until the stack overflows: wherever the overflow lands (in a body,
     * or in a driver's own bookkeeping as the error passes through), no coroutine stays RUNNING for ever, and the
     * thread can run coroutines again.
     */
    @Test
    void aStackOverflowAmongNestedResumesLeavesNoCoroutineRunning() throws Exception {
        Coroutine warm = new Coroutine(Co::pause);
        warm.resume();
        warm.resume();
        for (int stackKb : new int[] {256, 384, 512, 768}) {
            List<Coroutine> all = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> usableAfter = new AtomicReference<>();
            Thread t = new Thread(null, () -> {
                try {
                    nestUntilTheStackOverflows(all);
                } catch (Throwable e) {
                    failure.set(e);
                }
                Coroutine after = new Coroutine(Co::pause);
                usableAfter.set(after.resume() && !after.resume() && after.isDone());
            }, "small-stack", stackKb << 10);
            t.start();
            t.join();
            // (the JDK wraps an overflow in its own linkage code in an InternalError)
            Throwable overflow = failure.get();
            while (overflow != null && !(overflow instanceof StackOverflowError)) overflow = overflow.getCause();
            assertTrue(overflow != null, stackKb + " KB: " + failure.get());
            // (the last one may be NEW: the overflow can come before its resume claims it)
            assertEquals(List.of(), all.stream().filter(c -> c.state() == Coroutine.State.RUNNING)
                    .map(Object::toString).toList(), stackKb + " KB");
            assertEquals(Boolean.TRUE, usableAfter.get(), stackKb + " KB");
        }
    }

    /**
     * Coroutines that suspend (through chains 0 to 3 deep, with or without a {@code finally} in each frame) at
     * every depth near the end of the stack: wherever an overflow lands, in a frame's saving, a handler, or the
     * driver's handling of the failed unwind, the thread is not left unwinding, the next coroutine it runs
     * suspends and ends as ever, and once the threads are done no other thread's call sites are kept on their
     * slower path (these threads are not the first to suspend, so they count themselves in Hooks' counter).
     */
    @Test
    void aStackOverflowWhileSuspendingLeavesTheThreadAbleToSuspendAgain() throws Exception {
        for (int chain = 0; chain < 8; chain++) suspendBelow(0, chain);
        for (int chain = 0; chain < 8; chain++) {
            int kind = chain;
            List<String> after = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(null, () -> {
                try {
                    suspendAtEachLevelOnTheWayUp(0, new int[] {-1}, kind);
                    for (int i = 0; i < 3; i++) {
                        Coroutine c = new Coroutine(() -> NestingAndThreadsTest.pauseAtTheBottom(2));
                        after.add(c.resume() + " " + c.resume());
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "small-stack", 512 << 10);
            t.start();
            t.join();
            assertEquals(null, failure.get(), "chain " + kind);
            assertEquals(List.of("true false", "true false", "true false"), after, "chain " + kind);
        }
        assertFalse(dev.spindle.internal.Hooks.unwinding(), "a count of an unwinding thread was left behind");
    }

    @Suspendable
    private static void pauseThroughFinally(int depth, int[] unwound) {
        if (depth == 0) {
            Co.pause();
            return;
        }
        try {
            pauseThroughFinally(depth - 1, unwound);
        } finally {
            unwound[0]++;
        }
    }

    /** Recurses until the stack overflows, then, in the 80 frames nearest its end, suspends coroutines. */
    private static void suspendAtEachLevelOnTheWayUp(int n, int[] bottom, int chain) {
        try {
            suspendAtEachLevelOnTheWayUp(n + 1, bottom, chain);
        } catch (StackOverflowError end) {
            bottom[0] = n;
        }
        if (n < bottom[0] - 80) return;
        for (int pad = 0; pad < 60; pad++) suspendBelow(pad, chain);
    }

    /** Suspends a coroutine {@code pad} frames further down, so that the overflow lands in another place. */
    private static void suspendBelow(int pad, int chain) {
        if (pad > 0) {
            suspendBelow(pad - 1, chain);
            return;
        }
        try {
            int[] unwound = {0};
            Coroutine c = new Coroutine(() -> { // chains 4 to 7: a finally in each frame
                for (;;) {
                    if (chain < 4) NestingAndThreadsTest.pauseAtTheBottom(chain);
                    else pauseThroughFinally(chain - 4, unwound);
                }
            });
            c.resume();
            c.resume();
        } catch (StackOverflowError | IllegalStateException tooDeep) {
            // refused or overflowed here: what matters is the thread afterwards
        }
    }

    /**
     * A reader of a suspended coroutine's frames whose own stack overflows, wherever it does, leaves the coroutine
     * as it found it: another thread resumes it, and reads its frames, as before.
     */
    @Test
    void aStackOverflowInAThreadReadingTheFramesLeavesTheCoroutineResumable() throws Exception {
        Coroutine warm = new Coroutine(NestingAndThreadsTest::pauseForEver);
        warm.resume();
        warm.stackTrace();
        for (int stackKb : new int[] {128, 192, 256, 320, 384, 448}) {
            Coroutine c = new Coroutine(NestingAndThreadsTest::pauseForEver);
            assertTrue(c.resume());
            Thread reader = new Thread(null, () -> {
                try {
                    readFramesDeeperAndDeeper(c);
                } catch (StackOverflowError done) {
                    // at last where no frame can be read at all
                }
            }, "small-stack reader", stackKb << 10);
            reader.start();
            reader.join(20_000);
            assertFalse(reader.isAlive(), stackKb + " KB: the reader hangs in a later stackTrace()");
            FutureTask<Boolean> resume = new FutureTask<>(c::resume);
            new Thread(resume, "resumer").start();
            assertTrue(resume.get(10, TimeUnit.SECONDS), stackKb + " KB");
            assertTrue(c.stackTrace().length > 0, stackKb + " KB");
        }
    }

    /** Reads c's frames at every depth of its own stack, down to where the stack overflows. */
    private static void readFramesDeeperAndDeeper(Coroutine c) {
        try {
            c.stackTrace();
        } catch (StackOverflowError tooDeepForThisOne) {
            // try one frame deeper: the overflow lands somewhere else in the reading each time
        }
        readFramesDeeperAndDeeper(c);
    }
}
