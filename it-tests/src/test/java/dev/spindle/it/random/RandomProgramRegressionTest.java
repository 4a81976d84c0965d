package dev.spindle.it.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spindle.Coroutine;
import dev.spindle.Spindle;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Random programs that failed, reduced by hand to a few lines, checked the way {@link RandomProgramTest} checks
 * them: compiled in memory, defined by a loader that does not serve them as resources (so the agent cannot read a
 * nested class that is not loaded yet), run outside and inside a coroutine on one thread and on two.
 */
class RandomProgramRegressionTest {
    /** A multi-catch of a JDK exception and one whose class is not loaded when the method is instrumented. */
    @Test
    void multiCatchOfAClassNotLoadedYet() {
        check("GenMultiCatch", """
                package spindlegen;

                import dev.spindle.Suspendable;
                import dev.spindle.SuspendableCallable;

                public final class GenMultiCatch implements SuspendableCallable<String> {
                    static StringBuilder trace = new StringBuilder();
                    static int yields;

                    static final class GenEx extends RuntimeException { }

                    @Suspendable
                    public static String run() {
                        trace = new StringBuilder();
                        try {
                            trace.append(1);
                        } catch (ArithmeticException | GenEx e) {
                            trace.append(e.getMessage());
                        }
                        return trace.toString();
                    }

                    @Override
                    public String call() { return run(); }
                }
                """);
    }

    /** A local of a class not loaded yet, and a catch parameter in the same slot, meet after the try. */
    @Test
    void localOfAClassNotLoadedYetMeetsACatchParameter() {
        check("GenLocalMeetsCatch", """
                package spindlegen;

                import dev.spindle.Suspendable;
                import dev.spindle.SuspendableCallable;

                public final class GenLocalMeetsCatch implements SuspendableCallable<String> {
                    static StringBuilder trace = new StringBuilder();
                    static int yields;

                    static final class Holder { }

                    @Suspendable
                    public static String run() {
                        trace = new StringBuilder();
                        try {
                            Holder h = new Holder();
                        } catch (RuntimeException e) {
                        }
                        return trace.toString();
                    }

                    @Override
                    public String call() { return run(); }
                }
                """);
    }

    /** A catch parameter of a class not loaded yet, and a String local in the same slot, meet after the try. */
    @Test
    void catchParameterOfAClassNotLoadedYetMeetsALocal() {
        check("GenCatchMeetsLocal", """
                package spindlegen;

                import dev.spindle.Suspendable;
                import dev.spindle.SuspendableCallable;

                public final class GenCatchMeetsLocal implements SuspendableCallable<String> {
                    static StringBuilder trace = new StringBuilder();
                    static int yields;

                    static final class GenEx extends RuntimeException { }

                    @Suspendable
                    public static String run() {
                        trace = new StringBuilder();
                        try {
                            String s = "a";
                        } catch (GenEx e) {
                        }
                        return trace.toString();
                    }

                    @Override
                    public String call() { return run(); }
                }
                """);
    }

    /**
     * A caught exception of a class not loaded yet passed as a Throwable, in a method that suspends: the agent
     * could not analyze the method, left it uninstrumented, and the coroutine then ended with call() returning
     * null instead of refusing to suspend.
     */
    @Test
    void caughtExceptionOfAClassNotLoadedYetPassedAsThrowable() {
        check("GenCaughtAsThrowable", """
                package spindlegen;

                import dev.spindle.Coroutine;
                import dev.spindle.Suspendable;
                import dev.spindle.SuspendableCallable;

                public final class GenCaughtAsThrowable implements SuspendableCallable<String> {
                    static StringBuilder trace = new StringBuilder();
                    static int yields;

                    static final class GenEx extends RuntimeException { }

                    @Suspendable static void maybeYield() { yields++; if (Coroutine.current() != null) Coroutine.yield(); }

                    static String msg(Throwable t) { return t.getClass().getSimpleName(); }

                    @Suspendable
                    public static String run() {
                        trace = new StringBuilder();
                        yields = 0;
                        try {
                            trace.append("a");
                        } catch (GenEx e) {
                            trace.append(msg(e));
                        }
                        maybeYield();
                        return trace.toString();
                    }

                    @Override
                    public String call() { return run(); }
                }
                """);
    }

    private static void check(String simpleName, String source) {
        assertTrue(Spindle.isAgentInstalled(), "this test needs the JVM started with -javaagent:spindle-agent.jar");
        String name = RandomProgramGenerator.PACKAGE + "." + simpleName;
        String classPath = InMemoryCompiler.defaultClassPath(Coroutine.class, RandomProgramRegressionTest.class);
        try (InMemoryCompiler javac = new InMemoryCompiler(classPath); ProgramChecker checker = new ProgramChecker(20_000)) {
            InMemoryCompiler.Result r = javac.compile(Map.of(name, source));
            assertEquals(Map.of(), r.errors());
            Class<?> c;
            try {
                c = Class.forName(name, true, new InMemoryCompiler.MemoryClassLoader(r.classes(),
                        RandomProgramRegressionTest.class.getClassLoader()));
            } catch (Throwable t) {
                fail("loading " + name + " failed:\n" + ProgramChecker.stackTrace(t));
                return;
            }
            for (boolean alternate : new boolean[] {false, true}) {
                ProgramChecker.Failure f = checker.check(c, alternate, false);
                if (f != null) fail(f.kind() + "\n" + f.details());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
