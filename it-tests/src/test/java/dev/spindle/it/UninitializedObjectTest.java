package dev.spindle.it;

import static dev.spindle.it.Co.sBool;
import static dev.spindle.it.Co.sDouble;
import static dev.spindle.it.Co.sInt;
import static dev.spindle.it.Co.sLong;
import static dev.spindle.it.Co.sRef;
import static dev.spindle.it.Co.sameWithAndWithoutSuspension;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.Suspendable;
import dev.spindle.it.Co.Run;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code new Foo(f())} leaves an uninitialized object (and its duplicate) on the operand stack while {@code f()}
 * runs; the instrumentation must rebuild the allocation when {@code f()} suspends.
 */
class UninitializedObjectTest {
    record Bar(int v) {
    }

    record Foo(int a, Bar bar) {
    }

    record Wide(long l, double d, int i, Object o) {
    }

    /** Counts constructor runs: a resumed allocation must construct each object exactly once. */
    static final class Counted {
        static int constructed;
        final String s;

        Counted(String s) {
            constructed++;
            this.s = s;
        }

        @Override
        public String toString() {
            return "Counted(" + s + ")";
        }
    }

    final class Inner {
        final int k;

        Inner(int k) {
            this.k = k;
        }

        @Override
        public String toString() {
            return "Inner(" + k + " of " + UninitializedObjectTest.this.getClass().getSimpleName() + ")";
        }
    }

    @Suspendable
    private static int f() {
        return sInt(1);
    }

    @Suspendable
    private static int g() {
        return sInt(2) * 10;
    }

    @Test
    void nestedAllocationsWithSuspendingArguments() {
        Foo foo = sameWithAndWithoutSuspension(() -> new Foo(f(), new Bar(g())));
        assertEquals(new Foo(1, new Bar(20)), foo);
    }

    @Test
    void wideArgumentsAndNullBesideTheAllocation() {
        Wide w = sameWithAndWithoutSuspension(() -> new Wide(sLong(1L << 50), sDouble(-2.5), sInt(3), sRef(null)));
        assertEquals(new Wide(1L << 50, -2.5, 3, null), w);
        Foo foo = sameWithAndWithoutSuspension(() -> new Foo(sInt(4), null));
        assertEquals(new Foo(4, null), foo);
    }

    @Test
    void threeLevelsOfUninitializedObjects() {
        String s = sameWithAndWithoutSuspension(() ->
                new StringBuilder(sRef("a")).append(new Foo(sInt(1), new Bar(new Wide(sLong(2), 0, sInt(3),
                        new Bar(g())).i()))).append(sInt(9)).toString());
        assertEquals(new StringBuilder("a").append(new Foo(1, new Bar(3))).append(9).toString(), s);
    }

    @Test
    void allocationWhoseArgumentComesFromAConditional() {
        // control flow merges while the uninitialized object is on the stack
        List<Bar> bars = sameWithAndWithoutSuspension(() -> {
            List<Bar> out = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                out.add(new Bar(sBool(k % 2 == 0) ? sInt(k) : -sInt(k) * 100));
            }
            return out;
        });
        List<Bar> expected = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            expected.add(new Bar(k % 2 == 0 ? k : -k * 100));
        }
        assertEquals(expected, bars);
    }

    /**
     * A switch expression with a {@code try} in an arm, as a constructor's argument: javac moves the whole operand
     * stack into locals around it, the uninitialized object and its copy included, and back after it.
     */
    @Test
    void allocationWhoseArgumentIsASwitchWithATryInIt() {
        List<Object> made = sameWithAndWithoutSuspension(() -> {
            List<Object> out = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                int cleanups = 0;
                out.add(new Foo(sInt(k), new Bar(switch (k) {
                    case 0 -> sInt(5);
                    default -> {
                        try {
                            if (k == 2) throw new IllegalStateException("arm " + sInt(k));
                            yield sInt(k * 10);
                        } catch (IllegalStateException e) {
                            yield sInt(e.getMessage().length());
                        } finally {
                            cleanups++;
                        }
                    }
                })));
                out.add(cleanups);
            }
            return out;
        });
        assertEquals(List.of(new Foo(0, new Bar(5)), 0, new Foo(1, new Bar(10)), 1, new Foo(2, new Bar(5)), 1), made);
    }

    @Test
    void arrayInitializerOfAllocations() {
        List<Bar> bars = sameWithAndWithoutSuspension(() -> List.of(new Bar[] {new Bar(sInt(1)), new Bar(g()),
                new Bar(sInt(3) + sInt(4))}));
        assertEquals(List.of(new Bar(1), new Bar(20), new Bar(7)), bars);
    }

    @Test
    void eachObjectIsConstructedOnce() {
        Counted.constructed = 0;
        String s = sameWithAndWithoutSuspension(() -> new Counted(sRef("x") + new Counted(sRef("y"))).toString());
        assertEquals(new Counted("x" + new Counted("y")).toString(), s);
        // 2 in the direct run, 2 in the coroutine, 2 for the expected value
        assertEquals(6, Counted.constructed);
    }

    @Test
    void innerClassAllocationWithOuterInstance() {
        String s = sameWithAndWithoutSuspension(() -> new Inner(sInt(5)).toString() + this.new Inner(g()));
        assertEquals(new Inner(5).toString() + new Inner(20), s);
    }

    static final List<String> INIT_LOG = new ArrayList<>();

    /** Touched by one test only, so that its static initializer runs there. */
    static final class InitializedFirst {
        static {
            INIT_LOG.add("static initializer");
        }

        final int v;

        InitializedFirst(int v) {
            this.v = v;
        }
    }

    static final class BrokenInitializer {
        static {
            if (INIT_LOG != null) throw new IllegalStateException("no config");
        }

        BrokenInitializer(int v) {
        }
    }

    /** Its initializer makes one of it through the same site, in a coroutine of its own, then fails. */
    static final class InitializedRecursively {
        static {
            INIT_LOG.add("initializer starts");
            Co.inCoroutine(() -> madeThroughOneSite(0));
            INIT_LOG.add("initializer ends");
            if (INIT_LOG != null) throw new IllegalStateException("fails after");
        }

        InitializedRecursively(int v) {
        }
    }

    @Suspendable
    private static Object madeThroughOneSite(int i) {
        return new InitializedRecursively(logged("argument " + i));
    }

    @Suspendable
    private static int logged(String what) {
        INIT_LOG.add(what);
        return sInt(what.length());
    }

    /**
     * The {@code new} initializes its class before the arguments are evaluated (JLS 12.4.1), though the rewrite
     * moves the allocation after them: a static initializer runs first, and one that fails stops the arguments
     * from being evaluated at all, inside a coroutine as outside.
     */
    @Test
    void theClassIsInitializedBeforeTheArgumentsAsTheNewWouldHaveDoneIt() {
        INIT_LOG.clear();
        Run<Integer> run = Co.inCoroutine(() -> new InitializedFirst(logged("argument")).v);
        assertEquals(8, run.value());
        assertEquals(List.of("static initializer", "argument"), INIT_LOG);

        INIT_LOG.clear();
        List<String> failures = new ArrayList<>();
        Co.inCoroutine(() -> {
            for (int i = 0; i < 2; i++) {
                try {
                    new BrokenInitializer(logged("never evaluated"));
                } catch (LinkageError e) {
                    failures.add(e.getClass().getSimpleName());
                }
            }
            return failures.size();
        });
        assertEquals(List.of("ExceptionInInitializerError", "NoClassDefFoundError"), failures);
        assertEquals(List.of(), INIT_LOG);
        // made during its own initialization, the class is not initialized yet: the site still checks each time
        INIT_LOG.clear();
        failures.clear();
        Co.inCoroutine(() -> {
            for (int i = 1; i <= 2; i++) {
                try {
                    madeThroughOneSite(i);
                } catch (LinkageError e) {
                    failures.add(e.getClass().getSimpleName());
                }
            }
            return failures.size();
        });
        assertEquals(List.of("ExceptionInInitializerError", "NoClassDefFoundError"), failures);
        assertEquals(List.of("initializer starts", "argument 0", "initializer ends"), INIT_LOG);
    }
}
