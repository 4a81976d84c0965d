package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static dev.spindle.it.Co.sInt;
import static dev.spindle.it.Co.sLong;
import static dev.spindle.it.Co.sRef;
import static dev.spindle.it.Co.sameWithAndWithoutSuspension;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exceptions thrown, caught and cleaned up around suspension points. */
class ExceptionsTest {
    static final class Boom extends RuntimeException {
        Boom(String message) {
            super(message);
        }
    }

    interface IntStep {
        @Suspendable
        int step(int x);
    }

    @Suspendable
    static Integer boxedFails(Integer x) {
        pause();
        throw new Boom("after the pause " + x);
    }

    private static StackTraceElement adapterFrame(Throwable t) {
        return Arrays.stream(t.getStackTrace()).filter(e -> e.getMethodName().startsWith("lambda$boxedFails$"))
                .findFirst().orElseThrow(() -> new AssertionError("no adapter frame in " + Arrays.toString(
                        t.getStackTrace())));
    }

    @Suspendable
    static void failsWithACause() {
        pause();
        Boom b = new Boom("outer");
        b.initCause(new IllegalArgumentException("cause"));
        b.addSuppressed(new IllegalStateException("suppressed"));
        throw b;
    }

    @Suspendable
    static void callsFailsWithACause() {
        failsWithACause();
    }

    private static List<String> ownFrames(Throwable t) {
        return Arrays.stream(t.getStackTrace()).filter(e -> e.getClassName().equals(ExceptionsTest.class.getName()))
                .map(e -> e.getMethodName()).toList();
    }

    @Suspendable
    static int overloaded(int x) {
        pause();
        if (x > 0) throw new Boom("after the pause");
        return x;
    }

    @Suspendable
    static int overloaded(long x) { // a second method of the name: its resume copy's name has a suffix
        return overloaded((int) x) + 1;
    }

    @Suspendable
    static int callsOverloaded() {
        return overloaded(1L) + 1;
    }

    /**
     * The trace after a resume prints as a thread's does, frame for frame: the suspended callers' frames, a copy
     * with a suffixed name among them, once printed "app//" before the class (the JVM omits its own loaders' names).
     */
    @Test
    void aTraceAfterAResumePrintsAsAThreadsDoes() {
        Boom plain = assertThrows(Boom.class, ExceptionsTest::callsOverloaded);
        Coroutine c = new Coroutine(ExceptionsTest::callsOverloaded);
        assertTrue(c.resume());
        Boom resumed = assertThrows(Boom.class, c::resume);
        assertEquals(printedOwnFrames(plain), printedOwnFrames(resumed));
    }

    static List<String> printedOwnFrames(Throwable t) {
        return Arrays.stream(t.getStackTrace()).filter(e -> e.getClassName().equals(ExceptionsTest.class.getName())
                && e.getMethodName().contains("verloaded")).map(StackTraceElement::toString).toList();
    }

    @Suspendable
    static RuntimeException madeAfterAPause() {
        pause();
        return new Boom("made");
    }

    @Suspendable
    static void throwsWhatItsCalleeMade(boolean wrap) {
        RuntimeException made = madeAfterAPause();
        if (wrap) throw new IllegalStateException("wrapper", made);
        throw made;
    }

    @Suspendable
    static void callsAThrowerOfWhatItsCalleeMade(boolean wrap) {
        throwsWhatItsCalleeMade(wrap);
    }

    /**
     * An exception that a resumed method makes and returns, and its caller throws (or wraps): its trace shows the
     * callers of where it was made, as in a thread, though it left a different resumed frame than the one that
     * made it.
     */
    @Test
    void anExceptionMadeByAResumedCalleeAndThrownByItsCallerShowsWhereItWasMade() {
        for (boolean wrap : new boolean[] {false, true}) {
            RuntimeException plain = assertThrows(RuntimeException.class, () -> callsAThrowerOfWhatItsCalleeMade(wrap));
            Coroutine c = new Coroutine(() -> callsAThrowerOfWhatItsCalleeMade(wrap));
            assertTrue(c.resume());
            RuntimeException resumed = assertThrows(RuntimeException.class, c::resume);
            Throwable plainMade = wrap ? plain.getCause() : plain;
            Throwable resumedMade = wrap ? resumed.getCause() : resumed;
            assertEquals(List.of("madeAfterAPause", "throwsWhatItsCalleeMade", "callsAThrowerOfWhatItsCalleeMade"),
                    ownFrames(resumedMade).subList(0, 3));
            assertEquals(printedOwnFramesOf(plainMade), printedOwnFramesOf(resumedMade));
            assertEquals(printedOwnFramesOf(plain), printedOwnFramesOf(resumed));
        }
    }

    /** The frames of the three methods above, printed with their lines. */
    private static List<String> printedOwnFramesOf(Throwable t) {
        return Arrays.stream(t.getStackTrace()).filter(e -> e.getClassName().equals(ExceptionsTest.class.getName())
                && e.getMethodName().contains("WhatItsCalleeMade") || e.getMethodName().equals("madeAfterAPause"))
                .map(StackTraceElement::toString).toList();
    }

    /** A cause and a suppressed exception made after a resume, never thrown themselves, show the callers too. */
    @Test
    void theCauseAndSuppressedOfAnExceptionAfterAResumeShowTheSuspendedCallersToo() {
        Coroutine c = new Coroutine(ExceptionsTest::callsFailsWithACause);
        assertTrue(c.resume());
        Boom b = assertThrows(Boom.class, c::resume);
        List<String> chain = List.of("failsWithACause", "callsFailsWithACause");
        assertEquals(chain, ownFrames(b).subList(0, 2));
        assertEquals(chain, ownFrames(b.getCause()).subList(0, Math.min(2, ownFrames(b.getCause()).size())));
        Throwable suppressed = b.getSuppressed()[0];
        assertEquals(chain, ownFrames(suppressed).subList(0, Math.min(2, ownFrames(suppressed).size())));
    }

    /** The agent's adapter for an unboxing reference shows as the same frame in a thread and after a resume. */
    @Test
    void aReferencesAdapterIsTheSameFrameInAThreadAndAfterAResume() {
        IntStep s = ExceptionsTest::boxedFails;
        int line = new Throwable().getStackTrace()[0].getLineNumber() - 1;
        StackTraceElement plain = adapterFrame(assertThrows(Boom.class, () -> s.step(1)));
        Coroutine c = new Coroutine(() -> s.step(1));
        assertTrue(c.resume());
        StackTraceElement resumed = adapterFrame(assertThrows(Boom.class, c::resume));
        assertEquals(plain.toString(), resumed.toString());
        assertEquals(line, plain.getLineNumber(), "the line of the reference: " + plain);
    }

    /** Suspends, then throws. */
    @Suspendable
    private static int throwAfterPause(String message) {
        pause();
        throw new Boom(message);
    }

    @Test
    void tryCatchFinallyAroundSuspensionPoints() {
        List<String> log = sameWithAndWithoutSuspension(ExceptionsTest::tryCatchFinally);
        assertEquals(List.of("try0", "tried", "finally0", "try1", "caught m1", "finally1", "try2", "boom deep2",
                "finally2"), log);
    }

    @Suspendable
    private static List<String> tryCatchFinally() {
        List<String> log = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            long wide = sLong(m * 1000L);
            try {
                log.add("try" + sInt(m));
                if (m == 1) {
                    throw new IllegalArgumentException("m" + sInt(m));
                }
                if (m == 2) {
                    throwAfterPause("deep" + m);
                }
                log.add("tried");
            } catch (IllegalArgumentException e) {
                pause();
                log.add("caught " + e.getMessage());
            } catch (Boom e) {
                log.add("boom " + sRef(e.getMessage()));
            } finally {
                pause();
                log.add("finally" + wide / 1000);
            }
        }
        return log;
    }

    @Test
    void returnValueSurvivesSuspensionInFinally() {
        String r = sameWithAndWithoutSuspension(() -> {
            List<String> log = new ArrayList<>();
            int v = returnThroughFinally(log);
            return v + " " + log;
        });
        assertEquals("7 [try, finally inner, finally outer]", r);
    }

    @Suspendable
    private static int returnThroughFinally(List<String> log) {
        try {
            try {
                log.add("try");
                return sInt(7);
            } finally {
                pause();
                log.add("finally inner");
            }
        } finally {
            log.add(sRef("finally outer"));
        }
    }

    /** A resource whose close() itself suspends. */
    static final class Resource implements AutoCloseable {
        final String name;
        final List<String> log;
        final boolean failOnClose;

        Resource(String name, List<String> log, boolean failOnClose) {
            this.name = name;
            this.log = log;
            this.failOnClose = failOnClose;
            log.add("open " + name);
        }

        @Suspendable
        @Override
        public void close() {
            pause();
            log.add("close " + name);
            if (failOnClose) {
                throw new Boom("close " + name);
            }
        }
    }

    @Test
    void tryWithResourcesAroundSuspensionPoints() {
        String r = sameWithAndWithoutSuspension(() -> {
            List<String> log = new ArrayList<>();
            try (Resource a = new Resource(sRef("a"), log, false); Resource b = new Resource("b", log, false)) {
                log.add("body " + a.name + sInt(1) + b.name);
            }
            log.add("after");
            return log.toString();
        });
        assertEquals("[open a, open b, body a1b, close b, close a, after]", r);
    }

    @Test
    void tryWithResourcesWithExceptionsInBodyAndClose() {
        String r = sameWithAndWithoutSuspension(() -> {
            List<String> log = new ArrayList<>();
            try (Resource a = new Resource("a", log, true); Resource b = new Resource("b", log, true)) {
                log.add("body");
                throwAfterPause("body");
            } catch (Boom e) {
                log.add("caught " + e.getMessage() + " suppressed " + Arrays.stream(e.getSuppressed())
                        .map(Throwable::getMessage).toList());
            }
            return log.toString();
        });
        assertEquals("[open a, open b, body, close b, close a, caught body suppressed [close b, close a]]", r);
    }

    @Test
    void exceptionAfterResumeIsCaughtInOuterFrame() {
        String r = sameWithAndWithoutSuspension(() -> outer(5));
        assertEquals("outer 5 caught middle 6 ok", r);
    }

    @Suspendable
    private static String outer(int x) {
        long keep = sLong(x);
        try {
            return middle(x + 1) + " not caught";
        } catch (Boom e) {
            return "outer " + keep + " caught " + e.getMessage() + sRef(" ok");
        }
    }

    @Suspendable
    private static String middle(int y) {
        String s = "middle " + sInt(y);
        return s + throwAfterPause(s); // throws after a resume; nothing here catches it
    }

    @Test
    void suspensionPointRightBeforeACatch() {
        String ok = sameWithAndWithoutSuspension(() -> lastCallInTry(false));
        String failed = sameWithAndWithoutSuspension(() -> lastCallInTry(true));
        assertEquals("start-a-end", ok);
        assertEquals("start-a-caught:late-end", failed);
        String only = sameWithAndWithoutSuspension(ExceptionsTest::onlyCallInTry);
        assertEquals("0 caught 1 caught 2 caught", only);
    }

    @Suspendable
    private static String lastCallInTry(boolean fail) {
        String s = "start";
        try {
            s = s + sRef("-a");
            mayThrowAfterPause(fail); // the last instruction covered by the handler
        } catch (IllegalStateException e) {
            s = s + "-caught:" + e.getMessage();
        }
        return s + "-end";
    }

    @Suspendable
    private static void mayThrowAfterPause(boolean fail) {
        pause();
        if (fail) {
            throw new IllegalStateException("late");
        }
    }

    @Suspendable
    private static String onlyCallInTry() {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 3; k++) {
            sb.append(k);
            try {
                throwAfterPause("x");
            } catch (Boom e) {
                sb.append(" caught");
            }
            if (k < 2) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    @Test
    void caughtExceptionKeptAcrossSuspensionAndRethrown() {
        Boom[] created = new Boom[1];
        Coroutine c = new Coroutine(() -> {
            try {
                created[0] = new Boom("original");
                throw created[0];
            } catch (Boom e) {
                pause();
                throw e;
            }
        });
        assertTrue(c.resume());
        Boom thrown = assertThrows(Boom.class, c::resume);
        assertSame(created[0], thrown);
        assertTrue(c.isDone());
    }

    @Test
    void exceptionEscapingTheBodyComesOutOfResumeAsTheSameObject() {
        RuntimeException[] created = new RuntimeException[1];
        Coroutine c = new Coroutine(() -> {
            pause();
            created[0] = new Boom("escape");
            deepThrow(created[0], 3);
        });
        assertTrue(c.resume());
        assertEquals(Coroutine.State.SUSPENDED, c.state());
        int[] suspensions = new int[1];
        Boom thrown = assertThrows(Boom.class, () -> {
            while (c.resume()) {
                suspensions[0]++;
            }
        });
        assertSame(created[0], thrown);
        assertEquals(4, suspensions[0], "deepThrow suspends once at each of its 4 levels before throwing");
        assertEquals(Coroutine.State.DONE, c.state());
        assertTrue(c.isDone());
        assertThrows(IllegalStateException.class, c::resume);
    }

    @Suspendable
    private static void deepThrow(RuntimeException e, int depth) {
        pause();
        if (depth == 0) {
            throw e;
        }
        deepThrow(e, depth - 1);
    }

    @Test
    void errorsAndCheckedExceptionsEscapeUnchanged() {
        AssertionError error = new AssertionError("an error");
        Coroutine c1 = new Coroutine(() -> {
            pause();
            throw error;
        });
        assertTrue(c1.resume());
        assertSame(error, assertThrows(AssertionError.class, c1::resume));
        assertTrue(c1.isDone());

        Exception checked = new java.io.IOException("checked");
        Coroutine c2 = new Coroutine(() -> {
            pause();
            ExceptionsTest.<RuntimeException>sneakyThrow(checked);
        });
        assertTrue(c2.resume());
        assertSame(checked, assertThrows(java.io.IOException.class, c2::resume));
        assertTrue(c2.isDone());
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void exceptionThrownBeforeAnySuspensionEscapesTheFirstResume() {
        Boom boom = new Boom("first");
        Coroutine c = new Coroutine(() -> {
            throw boom;
        });
        assertSame(boom, assertThrows(Boom.class, c::resume));
        assertTrue(c.isDone());
    }

    // ---- the stack trace of an exception thrown after a resume ----

    @Suspendable
    private static void a() {
        b();
    }

    @Suspendable
    private static void b() {
        c();
    }

    @Suspendable
    private static void c() {
        pause();
        throw new Boom("in c");
    }

    /** The frames of a(), b() and c() in the trace, in order, as method name and line. */
    private static List<String> abcFrames(Throwable t) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(ExceptionsTest.class.getName())
                    && Set.of("a", "b", "c").contains(e.getMethodName())) {
                assertTrue(e.getLineNumber() > 0, "no line number in " + e);
                out.add(e.getMethodName() + ":" + e.getLineNumber());
            }
        }
        return out;
    }

    @Test
    void stackTraceOfExceptionAfterResumeShowsTheSuspendedCallers() {
        Boom direct = assertThrows(Boom.class, ExceptionsTest::a);
        List<String> expected = abcFrames(direct);
        assertEquals(List.of("c", "b", "a"), expected.stream().map(s -> s.substring(0, 1)).toList());

        Coroutine co = new Coroutine(ExceptionsTest::a);
        assertTrue(co.resume());
        Boom resumed = assertThrows(Boom.class, co::resume);
        assertEquals(expected, abcFrames(resumed), "full trace: " + Arrays.toString(resumed.getStackTrace()));
        for (StackTraceElement e : resumed.getStackTrace()) {
            assertFalse(e.getMethodName().contains("$spindle"), "internal method name in the trace: " + e);
        }
    }

    /** The frames of this class's {@code methods} in the trace, in order, as method name and line. */
    private static List<String> framesOf(Set<String> methods, Throwable t) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(ExceptionsTest.class.getName()) && methods.contains(e.getMethodName())) {
                out.add(e.getMethodName() + ":" + e.getLineNumber());
            }
        }
        return out;
    }

    private static final Set<String> KEPT = Set.of("keptA", "keptB", "keptC");
    private static final Set<String> RECURSION = Set.of("recurse", "catchAfterResume", "callerOfCatchAfterResume");
    private static final Set<String> LOOP = Set.of("countRound", "loopThenThrow");

    @Suspendable
    private static void keptA(boolean pauseFirst) {
        keptB(pauseFirst);
    }

    @Suspendable
    private static void keptB(boolean pauseFirst) {
        if (pauseFirst) pause();
        keptC();
    }

    /** The exception is made before the suspension in finally and thrown after it. */
    @Suspendable
    private static void keptC() {
        try {
            throw new Boom("kept");
        } finally {
            pause();
        }
    }

    /**
     * An exception's trace is taken where it is made: made before a suspension and thrown after the resume, it must
     * show each caller once, as a thread's would, whether it was made in the first run or after a resume (the
     * callers it was made under were on the stack then, the ones saved below them were not).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void stackTraceOfAnExceptionMadeBeforeASuspensionAndThrownAfterIt(boolean pauseFirst) {
        List<String> expected = framesOf(KEPT, assertThrows(Boom.class, () -> keptA(pauseFirst)));
        assertEquals(List.of("keptC", "keptB", "keptA"), expected.stream().map(f -> f.split(":")[0]).toList());

        Coroutine co = new Coroutine(() -> keptA(pauseFirst));
        int suspensions = 0;
        Boom thrown = null;
        try {
            while (co.resume()) suspensions++;
        } catch (Boom e) {
            thrown = e;
        }
        assertEquals(pauseFirst ? 2 : 1, suspensions);
        assertNotNull(thrown);
        assertEquals(expected, framesOf(KEPT, thrown), "full trace: " + Arrays.toString(thrown.getStackTrace()));
    }

    /** Level 1 suspends; after the resume it calls level 0, which throws. Every level calls from one line. */
    @Suspendable
    private static int recurse(int depth) {
        if (depth == 1) pause();
        if (depth == 0) throw new Boom("bottom");
        return recurse(depth - 1) + 1;
    }

    @Suspendable
    private static List<String> catchAfterResume() {
        pause(); // resumed here, its caller saved
        try {
            recurse(0); // throws at once: the exception never passes the driver
            return List.of();
        } catch (Boom e) {
            return framesOf(RECURSION, e);
        }
    }

    @Suspendable
    private static List<String> callerOfCatchAfterResume() {
        return catchAfterResume();
    }

    /**
     * Caught by the frame that was resumed (or by one it called since), an exception has not passed Spindle's
     * driver, which adds the saved callers to a trace on the way: the handler adds them.
     */
    @Test
    void stackTraceOfAnExceptionCaughtInTheResumedFrameShowsTheSuspendedCallers() {
        List<String> expected = callerOfCatchAfterResume();
        assertEquals(List.of("recurse", "catchAfterResume", "callerOfCatchAfterResume"),
                expected.stream().map(f -> f.split(":")[0]).toList());
        Co.Run<List<String>> run = Co.inCoroutine(ExceptionsTest::callerOfCatchAfterResume);
        assertEquals(expected, run.value());
        assertEquals(1, run.suspensions());
    }

    /**
     * The frame resumed (level 1 of a recursion) and its saved callers (levels 2 and 3) are the same method,
     * called from the same line: the trace shows each level once.
     */
    @Test
    void stackTraceOfAnExceptionThrownBelowAResumedRecursionShowsEachLevelOnce() {
        List<String> expected = framesOf(RECURSION, assertThrows(Boom.class, () -> recurse(3)));
        assertEquals(4, expected.size(), expected.toString());
        Coroutine co = new Coroutine(() -> recurse(3));
        assertTrue(co.resume());
        Boom thrown = assertThrows(Boom.class, co::resume);
        assertEquals(expected, framesOf(RECURSION, thrown), "full trace: " + Arrays.toString(thrown.getStackTrace()));
    }

    private static int rounds;

    @Suspendable
    private static void countRound() {
        if (++rounds == 3) throw new Boom("third round");
    }

    @Suspendable
    private static int loopThenThrow() {
        int total = 0; // in the resume copy, the code before the loop is dead: its line must not stay
        int i = 0;
        do {
            countRound(); // no arguments: the call is the loop's first instruction, right after the dead code
            total += i;
            pause();
        } while (++i < 5);
        return total;
    }

    /** A resumed loop's call shows its own line, not the line of the removed code before the loop. */
    @Test
    void stackTraceOfAnExceptionThrownInALoopAfterAResumeShowsTheCallsLine() {
        rounds = 0;
        List<String> expected = framesOf(LOOP, assertThrows(Boom.class, ExceptionsTest::loopThenThrow));
        rounds = 0;
        Coroutine co = new Coroutine(ExceptionsTest::loopThenThrow);
        assertTrue(co.resume());
        assertTrue(co.resume());
        Boom thrown = assertThrows(Boom.class, co::resume);
        assertEquals(expected, framesOf(LOOP, thrown), "full trace: " + Arrays.toString(thrown.getStackTrace()));
    }

    @Test
    void exceptionPendingAcrossASuspensionInFinally() {
        String r = sameWithAndWithoutSuspension(() -> {
            List<String> log = new ArrayList<>();
            try {
                try {
                    log.add("try");
                    throw new Boom("pending");
                } finally {
                    log.add("finally " + sInt(1)); // the exception waits in a local while this suspends
                    pause();
                }
            } catch (Boom e) {
                log.add("caught " + e.getMessage());
            }
            return log.toString();
        });
        assertEquals("[try, finally 1, caught pending]", r);
    }

    /** Counts how often its stack trace is read: the driver reads it to add the callers that were suspended. */
    static final class CountedTraceReads extends IllegalStateException {
        int reads;

        CountedTraceReads(String message) {
            super(message);
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            reads++;
            return super.getStackTrace();
        }
    }

    @Suspendable
    static int yieldAtEveryLevelThenThrow(int depth) {
        Coroutine.yield();
        if (depth == 0) throw new CountedTraceReads("bottom");
        try {
            return yieldAtEveryLevelThenThrow(depth - 1) + 1;
        } finally {
            pause(); // a handler at every level, and a suspension in it
        }
    }

    @Test
    void anExceptionGoingUpThousandsOfResumedFramesHasItsTraceCompletedOnceNotAtEachFrame() {
        int depth = 2_000;
        CountedTraceReads[] caught = new CountedTraceReads[1];
        Coroutine c = new Coroutine(() -> {
            try {
                yieldAtEveryLevelThenThrow(depth);
            } catch (CountedTraceReads e) {
                caught[0] = e;
            }
        });
        while (c.resume()) {
            // every level yields on the way down and in its finally on the way up
        }
        CountedTraceReads e = caught[0];
        assertNotNull(e);
        assertTrue(e.reads < 10, e.reads + " reads of the trace"); // about depth reads (each a copy) before
        long levels = Arrays.stream(e.getStackTrace())
                .filter(f -> f.getMethodName().equals("yieldAtEveryLevelThenThrow")).count();
        assertEquals(depth + 1, levels); // the whole logical chain, as a thread's trace would show it
    }

    /**
     * javac copies a {@code finally} body once for each way out of its {@code try}, so nested ones multiply: here
     * the inner body is written 9 times, 16 lines of 9 suspendable calls each, 1,300 suspension points in a method
     * of 8 KB. Each copy's restore block used to dispatch over all of the method's points, which pushed such a
     * method past 64 KB at some 250 of them; then its one resume copy did at some 900 (both refused). Now its
     * points are divided among several copies. {@code throwAt} picks the copy that runs: none thrown, a caught
     * exception in the outer or the inner {@code try}, or an uncaught one pending through both {@code finally}
     * bodies while they suspend.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, -1, -2})
    void nestedFinallyBlocksWithHundredsOfSuspensionPointsAreRewritten(int throwAt) throws Exception {
        String mixes = "                    t += mix(f(1), f(2), f(3), f(4), f(5), f(6), f(7), f(8));\n".repeat(16);
        String source = """
                package gen;
                import dev.spindle.*;
                public class NestedFinally implements SuspendableCallable<String> {
                    static int calls, throwAt;
                    final int at;
                    public NestedFinally(int at) { this.at = at; }
                    @Suspendable static long f(long v) {
                        calls++;
                        if (calls == throwAt) throw new IllegalArgumentException("at " + calls);
                        if (calls == -throwAt) throw new AssertionError("at " + calls);
                        if (calls % 5 == 0 && Coroutine.current() != null) Coroutine.yield();
                        return v * calls;
                    }
                    @Suspendable static long mix(long a, long b, long c, long d, long e, long f, long g, long h) {
                        return a + 2 * b + 3 * c + 5 * d + 7 * e + 11 * f + 13 * g + 17 * h;
                    }
                    @Suspendable static long m() {
                        long t = 0;
                        try { t += f(1); } catch (RuntimeException e) { t -= 1_000_000; } finally {
                            try { t += f(2); } catch (RuntimeException e) { t -= 2_000_000; } finally {
                """ + mixes + """
                            }
                        }
                        return t;
                    }
                    public String call() {
                        calls = 0;
                        throwAt = at;
                        try {
                            return m() + " after " + calls + " calls";
                        } catch (AssertionError e) {
                            return "escaped " + e.getMessage() + " after " + calls + " calls";
                        }
                    }
                }
                """;
        Class<?> nested = new ClassLoaderTest.BytesLoader(ExceptionsTest.class.getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.NestedFinally", source))).loadClass("gen.NestedFinally");
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> body = (SuspendableCallable<String>) nested.getConstructor(int.class)
                .newInstance(throwAt);
        String direct = body.call();
        assertTrue(direct.endsWith(" after 130 calls"), direct); // f(1), f(2) and one copy of the inner body: 128
        if (throwAt < 0) assertTrue(direct.startsWith("escaped at " + -throwAt), direct);
        assertEquals(new Co.Run<>(direct, 130 / 5), Co.inCoroutine(body));
    }
}
