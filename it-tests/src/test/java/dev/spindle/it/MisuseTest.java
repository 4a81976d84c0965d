package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.objectweb.asm.Opcodes.*;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import dev.spindle.SuspendableRunnable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;

/**
 * Suspending where it cannot work must fail loudly with an {@link IllegalStateException} that names the culprit,
 * end the coroutine, and leave nothing half done (no code run twice, no monitor left held).
 */
class MisuseTest {
    /** Counters the tests read after the coroutine failed. */
    private final AtomicInteger entered = new AtomicInteger();
    private final AtomicInteger afterSuspension = new AtomicInteger();

    /** Resumes {@code c} expecting its first resume to fail with an ISE; checks the coroutine is then done. */
    private static IllegalStateException failsOnFirstResume(Coroutine c) {
        IllegalStateException e = assertThrows(IllegalStateException.class, c::resume);
        assertNotNull(e.getMessage());
        assertTrue(c.isDone(), "a coroutine whose body threw is done");
        assertEquals(Coroutine.State.DONE, c.state());
        return e;
    }

    private static void assertMentions(IllegalStateException e, String name) {
        assertTrue(e.getMessage().contains(name), "the message should name " + name + ": " + e.getMessage());
    }

    @Test
    void yieldOutsideACoroutine() {
        assertThrows(IllegalStateException.class, Coroutine::yield);
        assertThrows(IllegalStateException.class, Co::pauseAlways);
    }

    // ---- through JDK code ----

    /** A Consumer whose accept is suspendable. */
    interface SuspendableConsumer<T> extends Consumer<T> {
        @Suspendable
        @Override
        void accept(T t);
    }

    @Suspendable
    private void stepOfForEach(String s) {
        entered.incrementAndGet();
        pause();
        afterSuspension.incrementAndGet();
    }

    @Test
    void suspendingThroughListForEach() {
        SuspendableConsumer<String> each = this::stepOfForEach;
        Coroutine c = new Coroutine(() -> List.of("a", "b", "c").forEach(each));
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "stepOfForEach");
        assertEquals(1, entered.get(), "the suspendable lambda must have run only once");
        assertEquals(0, afterSuspension.get());
    }

    @Test
    void jdkCodeThatResumesAnotherCoroutineAfterThePlaceholderIsRefusedThere() {
        SuspendableConsumer<String> each = this::stepOfForEach;
        Coroutine other = new Coroutine(() -> entered.addAndGet(100));
        Consumer<String> both = each.andThen(s -> other.resume()); // the JDK's andThen goes on after each
        Coroutine c = new Coroutine(() -> both.accept("a"));
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "stepOfForEach");
        assertMentions(e, "resumed coroutine");
        assertEquals(Coroutine.State.NEW, other.state(), "the other coroutine must not run inside the unwind");
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
        assertTrue(other.resume() || other.isDone(), "the thread must be left able to run coroutines");
        assertEquals(101, entered.get());
    }

    /** As above, with Scheduler.run(): the tasklet whose turn was refused has not run, and runs later. */
    @Test
    void aTaskletWhoseTurnWasRefusedThatWayRunsLater() {
        SuspendableConsumer<String> each = this::stepOfForEach;
        dev.spindle.sched.Scheduler s = new dev.spindle.sched.Scheduler();
        List<String> log = new ArrayList<>();
        dev.spindle.sched.Tasklet t = s.spawn("t", () -> log.add("ran"));
        Consumer<String> both = each.andThen(x -> s.run());
        assertMentions(failsOnFirstResume(new Coroutine(() -> both.accept("a"))), "resumed coroutine");
        assertEquals(List.of(), log);
        assertTrue(t.isAlive(), t.toString());
        s.run();
        assertEquals(List.of("ran"), log);
    }

    @Suspendable
    private static int plainSuspendable() {
        return 1;
    }

    /** JDK code goes on and calls a plain lambda of an instrumented class, which calls a suspendable method. */
    @Test
    void jdkCodeThatGoesOnThroughAPlainLambdaIsNamedNotTheLambdasClass() {
        SuspendableConsumer<String> each = this::stepOfForEach;
        Consumer<String> both = each.andThen(x -> plainSuspendable());
        IllegalStateException e = failsOnFirstResume(new Coroutine(() -> both.accept("a")));
        assertMentions(e, "stepOfForEach");
        assertMentions(e, "java.util.function.Consumer.lambda$andThen");
        assertMentions(e, "plainSuspendable");
        assertFalse(e.getMessage().contains("did not instrument"), e.getMessage());
    }

    // ---- JDK code that throws on a suspended call's placeholder ----

    /** A Function whose apply is suspendable: a stream calls it, then unboxes the null it returns when it suspends. */
    interface SuspendableFunction<T, R> extends Function<T, R> {
        @Suspendable
        @Override
        R apply(T t);
    }

    @Suspendable
    private Integer twiceAfterAPause(Integer x) {
        entered.incrementAndGet();
        pause();
        afterSuspension.incrementAndGet();
        return 2 * x;
    }

    @Suspendable
    private int sumThroughAStream() {
        SuspendableFunction<Integer, Integer> twice = this::twiceAfterAPause;
        return List.of(1, 2, 3).stream().map(twice).mapToInt(Integer::intValue).sum();
    }

    private static void assertRefusalCausedByTheStream(IllegalStateException e) {
        assertMentions(e, "twiceAfterAPause");
        assertTrue(e.getCause() instanceof NullPointerException,
                "the stream's exception is the cause: " + e.getCause());
    }

    @Test
    void aJdkMethodThatThrowsOnThePlaceholderEndsTheCoroutineWithARefusal() {
        Coroutine c = new Coroutine(this::sumThroughAStream);
        assertRefusalCausedByTheStream(failsOnFirstResume(c));
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
    }

    @Test
    void aHandlerThatCatchesWhatTheJdkMethodThrewGetsTheRefusalInstead() {
        // before, the handler ran while the suspension was half made: the frame then saved itself at its next
        // call and the coroutine "suspended" there, to resume into the wrong frame
        List<Throwable> caught = new ArrayList<>();
        AtomicInteger finallyRan = new AtomicInteger();
        Coroutine c = new Coroutine(() -> {
            try {
                try {
                    sumThroughAStream();
                } catch (NullPointerException e) {
                    caught.add(e); // cannot catch the refusal: it is thrown from here
                } finally {
                    finallyRan.incrementAndGet();
                }
            } catch (RuntimeException e) {
                caught.add(e);
            }
            pause();
        });
        assertTrue(c.resume(), "the pause after the handlers suspends normally");
        assertFalse(c.resume());
        assertEquals(1, finallyRan.get());
        assertEquals(1, caught.size());
        assertRefusalCausedByTheStream((IllegalStateException) caught.get(0));
    }

    private volatile Throwable swallowed;

    @Test
    void aHandlerThatSwallowsItLeavesNoSuspensionHalfMade() {
        // the handler makes no call: before, the body then returned while its thread was still unwinding, and
        // the coroutine looked suspended in a frame whose callee was not the one that had been saved
        Coroutine c = new Coroutine(() -> {
            try {
                sumThroughAStream();
            } catch (RuntimeException e) {
                swallowed = e;
            }
        });
        assertFalse(c.resume(), "the body ends: nothing is suspended");
        assertRefusalCausedByTheStream((IllegalStateException) swallowed);
    }

    /** A plain method (not instrumented) that calls back through a JDK interface and fails on a null result. */
    private static Integer strictly(Function<Integer, Integer> f) {
        Integer r = f.apply(1);
        if (r == null) throw new AssertionError("null result");
        return r;
    }

    @Test
    void anErrorThrownOnThePlaceholderReachesItsHandlerUnchangedAndEndsTheSuspension() {
        SuspendableFunction<Integer, Integer> twice = this::twiceAfterAPause;
        List<Throwable> caught = new ArrayList<>();
        Coroutine c = new Coroutine(() -> {
            try {
                strictly(twice);
            } catch (AssertionError e) {
                caught.add(e);
            }
        });
        assertFalse(c.resume(), "the body ends: the suspension was dropped, not kept half made");
        assertEquals(1, caught.size());
        assertEquals("null result", caught.get(0).getMessage());

        Coroutine uncaught = new Coroutine(() -> strictly(twice));
        AssertionError e = assertThrows(AssertionError.class, uncaught::resume);
        assertEquals("null result", e.getMessage());
        assertTrue(uncaught.isDone());
    }

    private volatile boolean returnEarly;

    @Test
    void aFinallyRunsAndTheRefusalGoesOn() {
        AtomicInteger finallyRan = new AtomicInteger();
        Coroutine c = new Coroutine(() -> {
            try {
                if (returnEarly) return; // splits the finally's handler range in two
                sumThroughAStream();
                if (returnEarly) return;
            } finally {
                finallyRan.incrementAndGet();
            }
        });
        assertRefusalCausedByTheStream(failsOnFirstResume(c));
        assertEquals(1, finallyRan.get());
    }

    @Test
    void suspendingThroughForEachOfOneElement() {
        // forEach returns normally after the lambda suspended: the caller of forEach must notice
        SuspendableConsumer<String> each = this::stepOfForEach;
        int[] afterForEach = new int[1];
        Coroutine c = new Coroutine(() -> {
            List.of("only").forEach(each);
            afterForEach[0]++;
        });
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "forEach");
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
        assertEquals(0, afterForEach[0], "code after the refused call must not run");
    }

    /**
     * The check after a call the JDK made (here {@code forEach}, which returns normally when the lambda suspends)
     * throws its refusal in the frame that made the call, at that call's line: that frame's catch, finally and
     * monitor exit see it as they would any exception thrown by the call.
     */
    @Suspendable
    private static String refusedForEachIn(String shape, Object lock, List<String> log) {
        SuspendableConsumer<String> suspends = s -> pause();
        switch (shape) {
            case "catch":
                try {
                    forEachLine = lineHere(); List.of("x").forEach(suspends);
                    return "not refused";
                } catch (IllegalStateException e) {
                    return "caught: " + where(e);
                }
            case "finally":
                try {
                    List.of("x").forEach(suspends);
                } finally {
                    log.add("finally");
                }
                return "not refused";
            default:
                synchronized (lock) {
                    List.of("x").forEach(suspends);
                }
                return "not refused";
        }
    }

    private static int forEachLine;

    private static int lineHere() {
        return StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst()).get().getLineNumber();
    }

    private static String where(IllegalStateException e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getMethodName().equals("refusedForEachIn")) return "refusedForEachIn:" + f.getLineNumber();
        }
        return "no frame of refusedForEachIn";
    }

    @Test
    void theFrameThatMadeTheRefusedCallSeesTheRefusalInItsHandlers() throws Exception {
        List<String> log = new ArrayList<>();
        String[] result = new String[1];
        Coroutine caught = new Coroutine(() -> result[0] = refusedForEachIn("catch", null, log));
        assertFalse(caught.resume());
        assertTrue(result[0].endsWith("refusedForEachIn:" + forEachLine), result[0]);

        Coroutine inFinally = new Coroutine(() -> refusedForEachIn("finally", null, log));
        IllegalStateException e = assertThrows(IllegalStateException.class, inFinally::resume);
        assertMentions(e, "forEach");
        assertEquals(List.of("finally"), log);

        Object lock = new Object();
        Coroutine inSynchronized = new Coroutine(() -> refusedForEachIn("synchronized", lock, log));
        e = assertThrows(IllegalStateException.class, inSynchronized::resume); // not the monitor exit's error
        assertMentions(e, "forEach");
        Thread other = new Thread(() -> {
            synchronized (lock) {
                log.add("locked by another thread");
            }
        });
        other.start();
        other.join(10_000);
        assertEquals("locked by another thread", log.get(log.size() - 1));
    }

    @Suspendable
    public static void reflectiveTarget(AtomicInteger[] counters) {
        counters[0].incrementAndGet();
        pause();
        counters[1].incrementAndGet();
    }

    @Suspendable
    private static void callReflectively(Method m, AtomicInteger[] counters) {
        try {
            m.invoke(null, (Object) counters);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void suspendingThroughAReflectiveCall() throws Exception {
        Method m = MisuseTest.class.getMethod("reflectiveTarget", AtomicInteger[].class);
        AtomicInteger[] counters = {entered, afterSuspension};
        Coroutine c = new Coroutine(() -> callReflectively(m, counters));
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "invoke");
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
    }

    @Test
    void suspendingThroughAMethodHandle() throws Exception {
        MethodHandle mh = MethodHandles.lookup().findStatic(MisuseTest.class, "reflectiveTarget",
                MethodType.methodType(void.class, AtomicInteger[].class));
        AtomicInteger[] counters = {entered, afterSuspension};
        Coroutine c = new Coroutine(() -> {
            try {
                mh.invokeExact(counters);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("unexpected", t);
            }
        });
        assertMentions(failsOnFirstResume(c), "invokeExact");
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
    }

    /** Coroutine.yield() itself called reflectively or through a handle: the reflective call is what is named. */
    @Test
    void yieldItselfCalledReflectivelyOrThroughAHandle() throws Exception {
        Method yield = Coroutine.class.getMethod("yield");
        MethodHandle handle = MethodHandles.lookup().findStatic(Coroutine.class, "yield", MethodType.methodType(void.class));
        List<SuspendableRunnable> bodies = List.of(() -> {
            try {
                yield.invoke(null);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw (RuntimeException) e.getCause();
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }, () -> {
            try {
                handle.invokeExact();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        });
        for (SuspendableRunnable body : bodies) {
            IllegalStateException e = failsOnFirstResume(new Coroutine(body));
            assertTrue(e.getMessage().contains("through") && e.getMessage().contains("reflection, a method handle"),
                    e.getMessage());
            assertMentions(e, "lambda$yieldItselfCalledReflectivelyOrThroughAHandle");
        }
    }

    // ---- through a method that is not suspendable ----

    @Suspendable
    private void outerSuspendable() {
        plainMiddleMethod();
        afterSuspension.incrementAndGet();
    }

    private void plainMiddleMethod() { // not @Suspendable
        innerSuspendable();
        afterSuspension.incrementAndGet(); // must not run: the suspension is refused right after the call
    }

    @Suspendable
    private void innerSuspendable() {
        entered.incrementAndGet();
        pause();
        afterSuspension.incrementAndGet();
    }

    @Test
    void unmarkedMethodBetweenSuspendableOnes() {
        Coroutine c = new Coroutine(this::outerSuspendable);
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "plainMiddleMethod");
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get(), "no code after the suspension point may run");
    }

    private void plainMethodThatYields() { // not @Suspendable, yet calls yield directly
        entered.incrementAndGet();
        Coroutine.yield();
        afterSuspension.incrementAndGet();
    }

    @Test
    void yieldFromAnUnmarkedMethodInsideACoroutine() {
        Coroutine c = new Coroutine(() -> plainMethodThatYields());
        assertMentions(failsOnFirstResume(c), "plainMethodThatYields");
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
    }

    static final class SuspendsInConstructor {
        SuspendsInConstructor(AtomicInteger after) {
            pause(); // constructors cannot be suspendable
            after.incrementAndGet();
        }
    }

    @Test
    void suspendingInAConstructor() {
        Coroutine c = new Coroutine(() -> new SuspendsInConstructor(afterSuspension));
        assertMentions(failsOnFirstResume(c), "SuspendsInConstructor");
        assertEquals(0, afterSuspension.get());
    }

    static final class YieldsInConstructor {
        @Suspendable // ignored, with a warning: constructors cannot suspend
        YieldsInConstructor(AtomicInteger after) {
            Coroutine.yield();
            after.incrementAndGet();
        }
    }

    /** Coroutine.yield() itself in a constructor: the constructor's advice, not "mark it @Suspendable". */
    @Test
    void yieldingInAConstructorSaysToMoveTheCallOut() {
        Coroutine c = new Coroutine(() -> new YieldsInConstructor(afterSuspension));
        assertMentions(failsOnFirstResume(c), "Constructors cannot suspend: move the call out of the constructor of "
                + YieldsInConstructor.class.getName());
        assertEquals(0, afterSuspension.get());
    }

    /**
     * gen.Steps runs gen.Middle.mid() or constructs a gen.Built, plain code in classes that name nothing of
     * Spindle's (unlike this package's classes, whose own names do), each calling the suspendable Inner.inner().
     * The loader defines classes from bytes as they are first used, with no class files to read: when Steps is
     * instrumented Middle is not known yet (so a call to it is taken as suspendable), nor Inner when Middle is.
     */
    private static final Map<String, String> PLAIN_CALLERS = Map.of("gen.Steps", """
            package gen;

            public class Steps implements dev.spindle.SuspendableRunnable {
                public static int afterSuspension;
                private final boolean construct;

                public Steps(boolean construct) {
                    this.construct = construct;
                }

                public void run() {
                    if (construct) new Built();
                    else Middle.mid();
                    afterSuspension++;
                }
            }
            """, "gen.Inner", """
            package gen;

            public class Inner {
                @dev.spindle.Suspendable
                public static int inner() {
                    dev.spindle.Coroutine.yield();
                    return 1;
                }
            }
            """, "gen.Middle", """
            package gen;

            public class Middle {
                public static void mid() {
                    Steps.afterSuspension += Inner.inner();
                }
            }
            """, "gen.Built", """
            package gen;

            public class Built {
                public Built() {
                    this(Inner.inner()); // the check after the call runs before the object is initialized
                }

                private Built(int value) {
                    Steps.afterSuspension += value;
                }
            }
            """);

    /** Runs gen.Steps in a coroutine, expecting the refusal; checks that no code after the suspension ran. */
    private static IllegalStateException plainCallerRefused(boolean construct) throws Exception {
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                RuntimeCompiler.compile(PLAIN_CALLERS));
        Class<?> steps = loader.loadClass("gen.Steps");
        Coroutine c = new Coroutine((SuspendableRunnable) steps.getConstructor(boolean.class).newInstance(construct));
        IllegalStateException e = failsOnFirstResume(c);
        assertEquals(0, steps.getField("afterSuspension").getInt(null), "no code after the suspension point may run");
        return e;
    }

    @Test
    void aPlainMethodInAClassThatNamesNothingOfSpindleIsRefusedRightAfterTheCall() throws Exception {
        assertMentions(plainCallerRefused(false), "gen.Middle.mid");
    }

    @Test
    void aConstructorInAClassThatNamesNothingOfSpindleIsRefusedRightAfterTheCall() throws Exception {
        IllegalStateException e = plainCallerRefused(true);
        assertMentions(e, "gen.Built.<init>");
        assertMentions(e, "Constructors cannot suspend");
    }

    /**
     * A suspendable method the agent cannot rewrite (its rewrite would pass the JVM's 64 KB limit, or it has more
     * resume points than a saved frame can name) is left as it was, and a suspension inside it is refused right
     * after the call that suspended: it must not run on with the placeholder result (here it would return
     * "garbage 0", and its caller's saved frame would later take the callee's result as its own).
     */
    @ParameterizedTest
    @CsvSource({"3000, 64 KB", "4200, more than 4095 suspension points"})
    void aSuspendableMethodTheAgentCannotRewriteRefusesToSuspendInsteadOfRunningOn(int calls, String why)
            throws Exception {
        StringBuilder padding = new StringBuilder();
        for (int i = 0; i < calls; i++) padding.append("            total += s();\n");
        String source = """
                package gen;
                import dev.spindle.*;
                public class Huge implements SuspendableRunnable {
                    public static boolean never;
                    public static String result;
                    @Suspendable static int s() { if (Coroutine.current() != null) Coroutine.yield(); return 7; }
                    @Suspendable public static String big() {
                        int x = s();
                        if (x == 0) return "garbage " + x;
                        int total = 0;
                        if (never) {
                """ + padding + """
                        }
                        return "ok " + (x + total);
                    }
                    public void run() { result = big(); }
                }
                """;
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.Huge", source)));
        Class<?> huge = loader.loadClass("gen.Huge");
        assertEquals("ok 7", huge.getMethod("big").invoke(null), "outside a coroutine it runs as written");
        Coroutine c = new Coroutine((SuspendableRunnable) huge.getConstructor().newInstance());
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "gen.Huge.big");
        assertMentions(e, why);
        assertMentions(e, "gen.Huge.s,");
        assertEquals(null, huge.getField("result").get(null), "big() must not have returned");
    }

    /**
     * A static initializer of 18 KB, 3,700 calls of a suspendable method, which the usual checks after those calls
     * would push past 64 KB: it gets shorter checks, and the rest of its class is rewritten (before, the whole
     * class was left as it was, so that its small suspendable methods could not suspend either).
     */
    @Test
    void aStaticInitializerTooLargeForItsChecksLeavesTheRestOfItsClassRewritten() throws Exception {
        String source = "package gen;\nimport dev.spindle.*;\npublic class Table implements SuspendableCallable<String> {\n"
                + "    @Suspendable static int s(int v) { if (Coroutine.current() != null) Coroutine.yield(); return v; }\n"
                + "    static {\n" + "        s(1);\n".repeat(3700) + "    }\n"
                + "    public String call() { return \"small \" + (s(20) + s(22)); }\n}\n";
        Class<?> table = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.Table", source))).loadClass("gen.Table");
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> small = (SuspendableCallable<String>) table.getConstructor().newInstance();
        assertEquals(new Co.Run<>("small 42", 2), Co.inCoroutine(small));
    }

    /**
     * A loop around 1,300 suspendable calls: every resume copy keeps the whole loop (any point's landing reaches
     * all of it), so dividing the points among copies does not help, and the copies pass 64 KB however many there
     * are. The warning names the method as written, not a copy.
     */
    @Test
    void aMethodWhoseResumeCopyIsTooLargeIsNamedAsWritten() throws Exception {
        StringBuilder calls = new StringBuilder();
        for (int k = 0; k < 1300; k++) calls.append("            t += s(").append(k).append(");\n");
        String source = "package gen;\nimport dev.spindle.*;\npublic class Wide implements SuspendableRunnable {\n"
                + "    @Suspendable static int s(int k) { if (Coroutine.current() != null) Coroutine.yield(); return 1; }\n"
                + "    @Suspendable public static long wide(int p) {\n        long t = 0;\n"
                + "        for (int r = 0; r < p; r++) {\n" + calls + "        }\n        return t;\n    }\n"
                + "    public void run() { wide(1); }\n}\n";
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.Wide", source)));
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        Class<?> wide;
        System.setErr(new java.io.PrintStream(log, true));
        try {
            wide = loader.loadClass("gen.Wide");
        } finally {
            System.setErr(err);
        }
        assertTrue(log.toString().contains("could not instrument gen.Wide.wide(I)J: the rewritten method exceeds the"
                + " JVM's 64 KB limit"), log.toString());
        assertFalse(log.toString().contains("$spindle$"), log.toString());
        assertEquals(2L * 1300, wide.getMethod("wide", int.class).invoke(null, 2));
        IllegalStateException e = failsOnFirstResume(new Coroutine((SuspendableRunnable) wide.getConstructor()
                .newInstance()));
        assertMentions(e, "gen.Wide.wide");
        assertMentions(e, "64 KB");
        assertFalse(e.getMessage().contains("$spindle$"), e.getMessage());
    }

    /**
     * A suspendable method so close to 64 KB (65,533 bytes) that not even the checks after its calls fit: it is
     * renamed and called through a wrapper of its name that checks, so a suspension in it is refused as it returns
     * (after running on to its end, as JDK code does), not taken by its caller for its result.
     */
    @Test
    void aSuspendableMethodWithNoRoomEvenForTheChecksIsRefusedAsItReturns() throws Exception {
        StringBuilder pads = new StringBuilder();
        for (int i = 0; i < 21_842; i++) pads.append("        x += 1;\n"); // iinc: 3 bytes each
        String source = "package gen;\nimport dev.spindle.*;\npublic class Full implements SuspendableCallable<Integer> {\n"
                + "    @Suspendable public static int full(int x) {\n        x = Step.step(x);\n" + pads
                + "        return x;\n    }\n"
                + "    public Integer call() { return full(0); }\n}\n";
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.Full", source, "gen.Step", """
                        package gen;
                        import dev.spindle.*;
                        public class Step {
                            @Suspendable public static int step(int x) {
                                if (Coroutine.current() != null) Coroutine.yield();
                                return x + 1;
                            }
                        }
                        """)));
        Class<?> full = loader.loadClass("gen.Full");
        assertEquals(21_843, full.getMethod("full", int.class).invoke(null, 0), "outside a coroutine it runs");
        assertTrue(full.getMethod("full", int.class).isAnnotationPresent(Suspendable.class), "the wrapper is it");
        @SuppressWarnings("unchecked")
        SuspendableCallable<Integer> body = (SuspendableCallable<Integer>) full.getConstructor().newInstance();
        Integer[] result = new Integer[1];
        IllegalStateException e = failsOnFirstResume(new Coroutine(() -> result[0] = body.call()));
        assertMentions(e, "cannot suspend in gen.Full.full");
        assertMentions(e, "not even the checks after its calls fit in it");
        assertEquals(null, result[0], "no result taken from the placeholder");
    }

    static final class SuspendsInToString {
        @Suspendable
        @Override
        public String toString() {
            if (Coroutine.current() != null) Coroutine.yield();
            return "T";
        }
    }

    @Suspendable
    private static String concatenated(Object o, AtomicInteger afterConcatenation) {
        String s = "x" + o + "y"; // invokedynamic: the JDK's concatenation calls o.toString()
        afterConcatenation.incrementAndGet();
        return s;
    }

    /**
     * A suspension in a {@code toString()} that string concatenation calls passes through the JDK's
     * concatenation code: it is refused right after the concatenation, which is not instrumented, as after any
     * such call. (It must not go on with "xnully" and return it.)
     */
    @Test
    void aSuspensionInsideStringConcatenationIsRefusedRightAfterIt() {
        AtomicInteger after = new AtomicInteger();
        Coroutine c = new Coroutine(() -> concatenated(new SuspendsInToString(), after));
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, SuspendsInToString.class.getName() + ".toString");
        assertMentions(e, "concatenated");
        assertEquals(0, after.get(), "nothing after the concatenation may run");
        assertEquals("xTy", concatenated(new SuspendsInToString(), after), "outside a coroutine it runs as written");
    }

    /**
     * The same with the object handed to the concatenation itself, as javac before 19 and other compilers emit
     * it (no {@code String.valueOf} call of its own before the {@code invokedynamic}): the refusal comes right
     * after the {@code invokedynamic}. Without it the method would return "xnully" and its caller's saved frame
     * would later take the string "T" from toString() as the method's result.
     */
    @Test
    void aSuspensionInsideAnInvokedynamicIsRefusedRightAfterIt() throws Exception {
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                Map.of("gen.IndyConcat", indyConcat()));
        Class<?> type = loader.loadClass("gen.IndyConcat");
        type.getField("arg").set(null, new SuspendsInToString());
        @SuppressWarnings("unchecked")
        SuspendableCallable<Object> body = (SuspendableCallable<Object>) type.getConstructor().newInstance();
        assertEquals("xTy", body.call(), "outside a coroutine it runs as written");
        type.getField("after").setInt(null, 0);
        IllegalStateException e = failsOnFirstResume(new Coroutine(body::call));
        assertMentions(e, SuspendsInToString.class.getName() + ".toString");
        assertMentions(e, "gen.IndyConcat.call");
        assertMentions(e, "StringConcatFactory");
        assertEquals(0, type.getField("after").getInt(null), "nothing after the concatenation may run");
    }

    /**
     * {@code class IndyConcat implements SuspendableCallable { static Object arg; static int after;
     * public Object call() { String s = "x" + arg + "y"; after++; return s; } }}, the concatenation one
     * {@code invokedynamic} taking {@code arg} as an {@code Object}.
     */
    private static byte[] indyConcat() {
        ClassWriter cw = AsmClasses.suspendableCallable("gen/IndyConcat");
        cw.visitField(ACC_PUBLIC | ACC_STATIC, "arg", "Ljava/lang/Object;", null, null).visitEnd();
        cw.visitField(ACC_PUBLIC | ACC_STATIC, "after", "I", null, null).visitEnd();
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "call", "()Ljava/lang/Object;", null, null);
        m.visitCode();
        m.visitFieldInsn(GETSTATIC, "gen/IndyConcat", "arg", "Ljava/lang/Object;");
        m.visitInvokeDynamicInsn("makeConcatWithConstants", "(Ljava/lang/Object;)Ljava/lang/String;",
                new Handle(H_INVOKESTATIC, "java/lang/invoke/StringConcatFactory", "makeConcatWithConstants",
                        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;"
                                + "Ljava/lang/String;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;", false),
                "x\u0001y");
        m.visitVarInsn(ASTORE, 1);
        m.visitFieldInsn(GETSTATIC, "gen/IndyConcat", "after", "I");
        m.visitInsn(ICONST_1);
        m.visitInsn(IADD);
        m.visitFieldInsn(PUTSTATIC, "gen/IndyConcat", "after", "I");
        m.visitVarInsn(ALOAD, 1);
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * A class the agent cannot rewrite as a whole (its constant pool, nearly full, would overflow with the resume
     * copies) is loaded as it was, but with a check after each suspendable call: a suspension through it is
     * refused, naming its method, instead of its method running on with the placeholder result.
     */
    @Test
    void aClassTheAgentCannotRewriteRefusesToSuspendThroughItsMethods() throws Exception {
        int free = 30; // room for the check's few constants, not for a rewrite's
        int padding = 65_535 - free - new ClassReader(callsInner("gen/Padded", V17, 0)).getItemCount();
        IllegalStateException e = suspendThroughCallsInner("gen.Padded", callsInner("gen/Padded", V17, padding));
        assertMentions(e, "its class could not be rewritten");
        assertMentions(e, "class gen.Padded");
    }

    /** So is a class compiled for a Java older than 8, which the agent does not rewrite. */
    @Test
    void aClassCompiledForJava7RefusesToSuspendThroughItsMethods() throws Exception {
        IllegalStateException e = suspendThroughCallsInner("gen.Old", callsInner("gen/Old", V1_7, 0));
        assertMentions(e, "compiled for Java 7");
        assertMentions(e, "Compile gen.Old for Java 8 or later");
    }

    /**
     * A Coroutine::yield method reference in such a class is pointed at the agent's entry, as in a rewritten one:
     * as a coroutine's body it yields; called in place from the class's unrewritten method, it is refused with
     * the agent's reason.
     */
    @Test
    void aYieldMethodReferenceInAClassCompiledForJava7YieldsAsInANewerOne() throws Exception {
        ClassWriter cw = AsmClasses.suspendableCallable("gen/Ref7", V1_7);
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "ref", "()Ldev/spindle/SuspendableRunnable;", null,
                null);
        m.visitCode();
        m.visitInvokeDynamicInsn("run", "()Ldev/spindle/SuspendableRunnable;", new Handle(H_INVOKESTATIC,
                "java/lang/invoke/LambdaMetafactory", "metafactory", "(Ljava/lang/invoke/MethodHandles$Lookup;"
                        + "Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/invoke/MethodType;"
                        + "Ljava/lang/invoke/MethodHandle;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;",
                false), org.objectweb.asm.Type.getType("()V"),
                new Handle(H_INVOKESTATIC, "dev/spindle/Coroutine", "yield", "()V", false),
                org.objectweb.asm.Type.getType("()V"));
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        m = cw.visitMethod(ACC_PUBLIC, "call", "()Ljava/lang/Object;", null, null);
        m.visitCode();
        m.visitMethodInsn(INVOKESTATIC, "gen/Ref7", "ref", "()Ldev/spindle/SuspendableRunnable;", false);
        m.visitMethodInsn(INVOKEINTERFACE, "dev/spindle/SuspendableRunnable", "run", "()V", true);
        m.visitInsn(ACONST_NULL);
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        Class<?> type = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                Map.of("gen.Ref7", cw.toByteArray())).loadClass("gen.Ref7");
        Coroutine asBody = new Coroutine((SuspendableRunnable) type.getMethod("ref").invoke(null));
        assertTrue(asBody.resume());
        assertFalse(asBody.resume());
        @SuppressWarnings("unchecked")
        SuspendableCallable<Object> body = (SuspendableCallable<Object>) type.getConstructor().newInstance();
        IllegalStateException e = failsOnFirstResume(new Coroutine(body::call));
        assertMentions(e, "gen.Ref7.call");
        assertMentions(e, "compiled for Java 7");
    }

    /**
     * A suspendable method that uses nearly all of the 65,535 local variable slots a method may have leaves no room
     * for the rewrite's own: that method is left as it was and refuses to suspend, saying why, and the other
     * methods of its class are rewritten as usual.
     */
    @Test
    void aMethodWithNoRoomForTheRewritesLocalsIsRefusedAloneSayingWhy() throws Exception {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        new ClassReader(callsInner("gen/ManyLocals", V17, 0)).accept(new org.objectweb.asm.ClassVisitor(ASM9, cw) {
            @Override
            public void visitEnd() {
                MethodVisitor m = cv.visitMethod(ACC_PUBLIC | ACC_STATIC, "many", "()J", null, null);
                m.visitAnnotation("Ldev/spindle/Suspendable;", true).visitEnd();
                m.visitCode();
                m.visitLdcInsn(5L);
                m.visitVarInsn(LSTORE, 65_532);
                m.visitFieldInsn(GETSTATIC, "gen/ManyLocals", "inner", "Ldev/spindle/SuspendableRunnable;");
                m.visitMethodInsn(INVOKEINTERFACE, "dev/spindle/SuspendableRunnable", "run", "()V", true);
                m.visitVarInsn(LLOAD, 65_532);
                m.visitInsn(LRETURN);
                m.visitMaxs(0, 0);
                m.visitEnd();
                super.visitEnd();
            }
        }, 0);
        Class<?> type = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                Map.of("gen.ManyLocals", cw.toByteArray())).loadClass("gen.ManyLocals");
        type.getField("inner").set(null, (SuspendableRunnable) Coroutine::yield);
        @SuppressWarnings("unchecked")
        SuspendableCallable<Object> body = (SuspendableCallable<Object>) type.getConstructor().newInstance();
        Coroutine rewritten = new Coroutine(body::call);
        assertTrue(rewritten.resume());
        assertFalse(rewritten.resume());
        assertEquals(1, type.getField("after").getInt(null));
        Method many = type.getMethod("many");
        IllegalStateException e = failsOnFirstResume(new Coroutine(() -> {
            try {
                many.invoke(null);
            } catch (ReflectiveOperationException x) {
                throw (RuntimeException) x.getCause();
            }
        }));
        assertMentions(e, "gen.ManyLocals.many");
        assertMentions(e, "local variable slots");
    }

    /**
     * One that calls Coroutine.yield() itself is refused with the agent's reason too (Coroutine.yield's own body
     * cannot know it), both in a coroutine and outside one.
     */
    @Test
    void aClassCompiledForJava7ThatYieldsItselfIsRefusedWithTheAgentsReason() throws Exception {
        Class<?> type = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                Map.of("gen.OldYield", AsmClasses.yieldingCallable("gen/OldYield", V1_7))).loadClass("gen.OldYield");
        @SuppressWarnings("unchecked")
        SuspendableCallable<Object> body = (SuspendableCallable<Object>) type.getConstructor().newInstance();
        IllegalStateException outside = assertThrows(IllegalStateException.class, body::call);
        assertMentions(outside, "outside a coroutine");
        IllegalStateException e = failsOnFirstResume(new Coroutine(body::call));
        assertMentions(e, "gen.OldYield.call");
        assertMentions(e, "compiled for Java 7");
        assertMentions(e, "Compile gen.OldYield for Java 8 or later");
    }

    /**
     * A Java 5 class file may carry a StackMapTable, which the JVM ignores below Java 6 (a tool wrote it, or the
     * file's version was lowered): the agent must not write it back as it reads it, which ASM refuses, leaving the
     * class unguarded.
     */
    @Test
    void aJava5ClassWithStackMapFramesRefusesToSuspendThroughItsMethodsToo() throws Exception {
        byte[] bytes = callsInner("gen/Old5", V1_6, 0); // with a frame (callsInner branches)
        bytes[6] = 0;
        bytes[7] = 49; // the major version, now Java 5's
        IllegalStateException e = suspendThroughCallsInner("gen.Old5", bytes);
        assertMentions(e, "compiled for Java 5");
    }

    /**
     * Loads {@code bytes}, a {@link #callsInner} class, and checks that it runs as written outside a coroutine and
     * that in one its {@code call()} refuses the suspension of its {@code inner} and goes no further.
     */
    private IllegalStateException suspendThroughCallsInner(String name, byte[] bytes) throws Exception {
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(MisuseTest.class.getClassLoader(),
                Map.of(name, bytes));
        Class<?> type = loader.loadClass(name);
        SuspendableRunnable yields = () -> {
            entered.incrementAndGet();
            if (Coroutine.current() != null) Coroutine.yield();
        };
        type.getField("inner").set(null, yields);
        @SuppressWarnings("unchecked")
        SuspendableCallable<Object> body = (SuspendableCallable<Object>) type.getConstructor().newInstance();
        body.call();
        assertEquals(1, type.getField("after").getInt(null), "outside a coroutine it runs as written");
        type.getField("after").setInt(null, 0);
        IllegalStateException e = failsOnFirstResume(new Coroutine(body::call));
        assertEquals(2, entered.get(), "the suspension was reached");
        assertMentions(e, name + ".call");
        assertEquals(0, type.getField("after").getInt(null), "nothing after the refused suspension may run");
        return e;
    }

    /**
     * {@code class <name> implements SuspendableCallable { static SuspendableRunnable inner; static int after;
     * public Object call() { inner.run(); if (inner != null) after++; return null; } }} in class file version
     * {@code version}, with {@code padding} more static fields, each a constant of its own.
     */
    private static byte[] callsInner(String name, int version, int padding) {
        ClassWriter cw = AsmClasses.suspendableCallable(name, version);
        cw.visitField(ACC_PUBLIC | ACC_STATIC, "inner", "Ldev/spindle/SuspendableRunnable;", null, null).visitEnd();
        cw.visitField(ACC_PUBLIC | ACC_STATIC, "after", "I", null, null).visitEnd();
        for (int i = 0; i < padding; i++) cw.visitField(ACC_STATIC, "p" + i, "I", null, null).visitEnd();
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "call", "()Ljava/lang/Object;", null, null);
        m.visitCode();
        m.visitFieldInsn(GETSTATIC, name, "inner", "Ldev/spindle/SuspendableRunnable;");
        m.visitMethodInsn(INVOKEINTERFACE, "dev/spindle/SuspendableRunnable", "run", "()V", true);
        org.objectweb.asm.Label end = new org.objectweb.asm.Label();
        m.visitFieldInsn(GETSTATIC, name, "inner", "Ldev/spindle/SuspendableRunnable;");
        m.visitJumpInsn(IFNULL, end); // a branch, so that Java 6 and later files have a stack map frame
        m.visitFieldInsn(GETSTATIC, name, "after", "I");
        m.visitInsn(ICONST_1);
        m.visitInsn(IADD);
        m.visitFieldInsn(PUTSTATIC, name, "after", "I");
        m.visitLabel(end);
        m.visitInsn(ACONST_NULL);
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    static final class SuspendingRunnable implements Runnable {
        @Suspendable
        @Override
        public void run() {
            Coroutine.yield();
        }
    }

    @Suspendable
    private static void runIt(Runnable r) {
        r.run();
    }

    /**
     * A suspendable implementation called through an interface method that is not suspendable: the call site
     * is plain, so the suspension is refused after it, and the advice is to call through a suspendable
     * interface.
     */
    @Test
    void aSuspendableImplementationCalledThroughAPlainInterfaceIsRefused() {
        IllegalStateException e = failsOnFirstResume(new Coroutine(() -> runIt(new SuspendingRunnable())));
        assertMentions(e, SuspendingRunnable.class.getName() + ".run");
        assertMentions(e, "java.lang.Runnable.run");
        assertMentions(e, "runIt");
        assertMentions(e, "SuspendableRunnable");
    }

    static final class SuspendsInStaticInitializer {
        static final int VALUE = Co.sInt(7);
    }

    @Test
    void suspendingInAStaticInitializer() {
        Coroutine c = new Coroutine(() -> assertEquals(7, SuspendsInStaticInitializer.VALUE));
        ExceptionInInitializerError e = assertThrows(ExceptionInInitializerError.class, c::resume);
        assertTrue(c.isDone());
        IllegalStateException refusal = assertInstanceOf(IllegalStateException.class, e.getCause(),
                "the JVM wraps what a static initializer throws");
        assertMentions(refusal, "SuspendsInStaticInitializer.<clinit>");
        assertMentions(refusal, "Static initializers cannot suspend");
    }

    @Test
    void aLambdaOfAPlainInterfaceIsToldToUseASuspendableOne() {
        Runnable plain = () -> pause();
        Coroutine c = new Coroutine(plain::run);
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "It is a lambda in " + MisuseTest.class.getName()
                + ".aLambdaOfAPlainInterfaceIsToldToUseASuspendableOne");
        assertMentions(e, "SuspendableRunnable");
    }

    @Test
    void aSuspendableCallMadeAgainByAClassTheAgentDidNotRewriteNamesThatClass() {
        Coroutine c = new Coroutine(() -> dev.spindle.internal.UninstrumentedCaller.twice(Co::pauseAlways));
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "suspendable method dev.spindle.it.Co.pauseAlways returned into"
                + " dev.spindle.internal.UninstrumentedCaller.twice, which the Spindle agent did not instrument, and"
                + " which went on to call dev.spindle.it.Co.pauseAlways. See the agent's warning from when"
                + " dev.spindle.internal.UninstrumentedCaller was loaded");
    }

    private static final AtomicInteger HALVES = new AtomicInteger();

    @Suspendable
    static void twoHalves() {
        HALVES.incrementAndGet();
        Coroutine.yield();
        HALVES.incrementAndGet();
    }

    @Test
    void aMethodReferenceToAJdkMethodAsTheBodyIsRefusedAfterThatMethod() {
        HALVES.set(0);
        // FutureTask.run calls twoHalves through a Runnable proxy: no instrumented frame up to the driver but the
        // adapter the agent gives task::run
        FutureTask<String> task = new FutureTask<>(MisuseTest::twoHalves, "result");
        Coroutine c = new Coroutine(task::run);
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "suspendable method " + MisuseTest.class.getName() + ".twoHalves tried to suspend through"
                + " java.util.concurrent.FutureTask.run");
        assertMentions(e, "JDK methods, reflective calls and method handles cannot suspend");
        assertEquals(1, HALVES.get(), "the second half never runs");
    }

    interface DoAs {
        @Suspendable
        Object doAs(javax.security.auth.Subject subject, java.security.PrivilegedAction<Object> action);
    }

    @Suspendable
    static Object halvesAction() {
        twoHalves();
        return "done";
    }

    @Suspendable
    @SuppressWarnings("removal")
    static Object directlyThroughSubject(java.security.PrivilegedAction<Object> action) {
        return javax.security.auth.Subject.doAs(new javax.security.auth.Subject(), action);
    }

    /**
     * The JDK has classes in packages it shares with libraries ({@code javax}, {@code com.sun}): they are the JDK's
     * all the same, never instrumented. A method reference to one gets the adapter, and it does not make calls to
     * that method elsewhere pass for suspendable ones.
     */
    @Test
    @SuppressWarnings("removal")
    void aJdkMethodInAPackageLibrariesShareIsTheJdksToo() {
        java.security.PrivilegedAction<Object> action = MisuseTest::halvesAction;
        DoAs doAs = javax.security.auth.Subject::doAs;
        HALVES.set(0);
        IllegalStateException e = failsOnFirstResume(new Coroutine(() -> doAs.doAs(new javax.security.auth.Subject(),
                action)));
        assertMentions(e, "tried to suspend through javax.security.auth.Subject.doAs");
        assertMentions(e, "JDK methods, reflective calls and method handles cannot suspend");
        assertEquals(1, HALVES.get());
        HALVES.set(0);
        e = failsOnFirstResume(new Coroutine(() -> directlyThroughSubject(action)));
        assertMentions(e, "tried to suspend through javax.security.auth.Subject.doAs (called from "
                + MisuseTest.class.getName() + ".directlyThroughSubject)");
        assertEquals(1, HALVES.get());
    }

    @Test
    void aMethodReferenceToAPlainInterfaceMethodIsRefusedInAChainToo() {
        Runnable plain = Co::pauseAlways;
        assertMentions(failsOnFirstResume(new Coroutine(plain::run)), "through java.lang.Runnable.run");
        int[] after = {0};
        Coroutine chain = new Coroutine(() -> {
            SuspendableRunnable step = plain::run;
            step.run();
            after[0]++;
        });
        assertMentions(failsOnFirstResume(chain), "through java.lang.Runnable.run");
        assertEquals(0, after[0]);
        // a reference to a JDK method that does not suspend is as before, in and out of a coroutine
        List<String> out = new ArrayList<>();
        SuspendableCallable<Boolean> add = () -> out.add("x");
        java.util.function.Supplier<String> jdk = "abc"::toUpperCase;
        SuspendableCallable<String> upper = jdk::get;
        Coroutine fine = new Coroutine(() -> {
            add.call();
            out.add(upper.call());
            Co.pause();
            out.add(upper.call());
        });
        while (fine.resume()) {
            out.add("resumed");
        }
        assertEquals(List.of("x", "ABC", "resumed", "ABC"), out);
    }

    // ---- while holding a monitor ----

    @Suspendable
    private void suspendInSynchronizedBlock(Object lock) {
        synchronized (lock) {
            entered.incrementAndGet();
            pause();
            afterSuspension.incrementAndGet();
        }
    }

    static final class Guarded {
        final AtomicInteger after = new AtomicInteger();

        @Suspendable
        synchronized void suspendInSynchronizedMethod() {
            pause();
            after.incrementAndGet();
        }
    }

    /** Asserts neither this thread nor any other still holds {@code lock}. */
    private static void assertMonitorFree(Object lock) throws InterruptedException {
        assertFalse(Thread.holdsLock(lock));
        CountDownLatch acquired = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            synchronized (lock) {
                acquired.countDown();
            }
        }, "spindle-test-locker");
        t.setDaemon(true);
        t.start();
        assertTrue(acquired.await(1, TimeUnit.MINUTES), "another thread could not take the monitor");
    }

    @Test
    void suspendingInsideASynchronizedBlock() throws InterruptedException {
        Object lock = new Object();
        Coroutine c = new Coroutine(() -> suspendInSynchronizedBlock(lock));
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "suspendInSynchronizedBlock");
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
        assertMonitorFree(lock);
    }

    /** The call is named as written, though the agent redirects a yield to its own entry point. */
    @Test
    void aYieldInsideASynchronizedBlockIsNamedAsWritten() throws InterruptedException {
        Object lock = new Object();
        IllegalStateException e = failsOnFirstResume(new Coroutine(() -> {
            synchronized (lock) {
                Coroutine.yield();
            }
        }));
        assertMentions(e, "around the call to dev.spindle.Coroutine.yield");
        assertMonitorFree(lock);
    }

    @Suspendable
    private int suspendBeforeAndInsideSynchronized(Object lock) {
        pause(); // no monitor held: this suspends
        entered.incrementAndGet();
        synchronized (lock) {
            pause();
            afterSuspension.incrementAndGet();
        }
        return 1;
    }

    /**
     * A method with a suspension point inside a monitor and one outside it. The agent once gave the one inside a
     * place in the resume copy's table of resume points without code there, so the rewrite failed (logged) and
     * the method refused every suspension, the legitimate one too, naming the failed rewrite, not the monitor.
     */
    @Test
    void aMethodThatSuspendsOutsideAMonitorAndTriesInsideOne() throws InterruptedException {
        Object lock = new Object();
        Coroutine c = new Coroutine(() -> suspendBeforeAndInsideSynchronized(lock));
        assertTrue(c.resume());
        IllegalStateException e = assertThrows(IllegalStateException.class, c::resume);
        assertMentions(e, "cannot suspend in " + MisuseTest.class.getName() + ".suspendBeforeAndInsideSynchronized"
                + " while it holds a monitor");
        assertTrue(c.isDone());
        assertEquals(1, entered.get());
        assertEquals(0, afterSuspension.get());
        assertMonitorFree(lock);
    }

    /**
     * Monitors taken and released before each suspension. The synchronized block throws to a handler outside it
     * in a loop: the agent's analysis of where a monitor is held once took that handler for one reached with the
     * monitor still held (javac's catch-all handler that releases it comes first), grew the depth on every turn
     * of the loop and never ended, hanging the class's loading; without the loop, the rewrite of the method
     * failed (logged), and it refused every suspension.
     */
    static final class ReleasedMonitors {
        @Suspendable
        static int throwOutOfSynchronized(Object lock, int n) {
            try {
                synchronized (lock) {
                    if (n > 0) throw new IllegalStateException("positive");
                }
                pause();
                return n;
            } catch (IllegalStateException e) {
                pause(); // the monitor is released: this suspends
                return -n;
            }
        }

        @Suspendable
        static int throwOutOfSynchronizedInALoop(Object lock) {
            int n = 0;
            for (int i = 0; i < 4; i++) {
                try {
                    synchronized (lock) {
                        n++;
                        if (i % 2 == 1) throw new IllegalStateException("odd " + i);
                    }
                    pause();
                } catch (IllegalStateException e) {
                    pause(); // the monitor is released: this suspends
                    n += 10;
                }
            }
            return n;
        }
    }

    @Test
    void suspendingAfterASynchronizedBlockThrewToAHandlerOutsideIt() {
        Object lock = new Object();
        int n = assertTimeoutPreemptively(Duration.ofMinutes(1),
                () -> Co.sameWithAndWithoutSuspension(() -> ReleasedMonitors.throwOutOfSynchronizedInALoop(lock)));
        assertEquals(24, n); // 1, 2 + 10, 13, 14 + 10
        assertEquals(-5, (int) Co.sameWithAndWithoutSuspension(() -> ReleasedMonitors.throwOutOfSynchronized(lock, 5)));
        assertFalse(Thread.holdsLock(lock));
    }

    @Test
    void suspendingInsideASynchronizedMethod() throws InterruptedException {
        Guarded g = new Guarded();
        Coroutine c = new Coroutine(g::suspendInSynchronizedMethod);
        IllegalStateException e = failsOnFirstResume(c);
        assertMentions(e, "suspendInSynchronizedMethod");
        assertEquals(0, g.after.get());
        assertMonitorFree(g);
    }
}
