package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableCallable;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A method whose one resume copy would pass the JVM's 64 KB limit has its suspension points divided among several
 * copies. Here 800 points each keep 47 of 48 {@code int}s live, a different one dead at each (48 sets of live
 * values, each restored by code of its own): one copy would take at least 78 KB, and with 600 points it was refused.
 */
class LargeMethodsTest {
    private static final int POINTS = 800, VALUES = 48;
    /** The line of the method's first suspendable call in the generated source: after 10 lines and the ints. */
    private static final int FIRST_CALL_LINE = 11 + VALUES;
    private static Class<?> many;
    private static ExecutorService other;

    @BeforeAll
    static void load() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < VALUES; i++) body.append("        int v").append(i).append(" = p + ").append(i).append(";\n");
        for (int k = 0; k < POINTS; k++) body.append("        v").append(k % VALUES).append(" += s(").append(k).append(");\n");
        StringBuilder sum = new StringBuilder("0");
        for (int i = 0; i < VALUES; i++) sum.append(" + v").append(i).append(" * ").append(i + 1);
        String source = "package gen;\nimport dev.spindle.*;\npublic class Many implements SuspendableCallable<Integer> {\n"
                + "    public static int throwAt = -1;\n"
                + "    @Suspendable static int s(int k) {\n"
                + "        if (k == throwAt) throw new IllegalStateException(\"at \" + k);\n"
                + "        if (Coroutine.current() != null) Coroutine.yield();\n        return k % 7 - 3;\n    }\n"
                + "    @Suspendable public static int many(int p) {\n" + body + "        return " + sum + ";\n    }\n"
                + "    final int p;\n    public Many(int p) { this.p = p; }\n    public Integer call() { return many(p); }\n}\n";
        many = new ClassLoaderTest.BytesLoader(LargeMethodsTest.class.getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.Many", source))).loadClass("gen.Many");
        other = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stop() {
        other.shutdownNow();
    }

    @SuppressWarnings("unchecked")
    private static SuspendableCallable<Integer> many(int p) throws ReflectiveOperationException {
        return (SuspendableCallable<Integer>) many.getConstructor(int.class).newInstance(p);
    }

    private static void throwAt(int k) throws ReflectiveOperationException {
        many.getField("throwAt").setInt(null, k);
    }

    @Test
    void everyPointResumesWithItsValuesWhicheverCopyHoldsIt() throws Exception {
        throwAt(-1);
        SuspendableCallable<Integer> body = many(5);
        assertEquals(new Co.Run<>(body.call(), POINTS), Co.inCoroutine(body));
    }

    /** Every other resume on another thread: the copies are plain static methods, as one copy is. */
    @Test
    void resumedInTurnOnTwoThreads() throws Exception {
        throwAt(-1);
        SuspendableCallable<Integer> body = many(9);
        int direct = body.call();
        int[] result = new int[1];
        Coroutine c = new Coroutine(() -> result[0] = body.call());
        int suspensions = 0;
        for (boolean here = true; ; here = !here) {
            boolean suspended = here ? c.resume() : other.submit(c::resume).get();
            if (!suspended) break;
            suspensions++;
        }
        assertEquals(POINTS, suspensions);
        assertEquals(direct, result[0]);
    }

    /**
     * An exception thrown after a resume from a point in one of the last copies: its trace shows the method as
     * written, at the line of the call, whichever copy ran it.
     */
    @Test
    void anExceptionAfterAResumeInALaterCopyShowsTheMethodAsWritten() throws Exception {
        int at = POINTS - 10;
        throwAt(at);
        SuspendableCallable<Integer> body = many(1);
        Coroutine c = new Coroutine(body::call);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            while (c.resume()) {
                // on to the throw
            }
        });
        assertEquals("at " + at, e.getMessage());
        StackTraceElement[] trace = e.getStackTrace();
        assertFalse(Arrays.toString(trace).contains("$spindle$"), Arrays.toString(trace));
        assertEquals("s", trace[0].getMethodName());
        assertEquals("many", trace[1].getMethodName());
        assertEquals(FIRST_CALL_LINE + at, trace[1].getLineNumber(), Arrays.toString(trace));
        assertTrue(c.isDone());
    }
}
