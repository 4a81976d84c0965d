package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.objectweb.asm.Opcodes.*;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The bugs users of older JVM coroutine libraries hit, one test each (those not covered by a test of their
 * shape elsewhere: suspension before a catch is in {@link ExceptionsTest}, switch labels and for-each with string
 * concatenation in {@link ControlFlowTest}, records and sealed types in {@link CallKindsTest}, JaCoCo in
 * {@code process.AgentProcessTest}).
 */
class RegressionTest {
    @Suspendable
    private static int lengthAfterYield(Object[] array) {
        Co.pause();
        return array.length;
    }

    /** Merging array types (String[] and Integer[] to Object[]) needs supertype lookups of array classes. */
    @Test
    void arrayTypesMergedAcrossASuspension() {
        SuspendableCallable<String> body = () -> {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                Object[] a = i % 2 == 0 ? new String[] {"x", "y"} : new Integer[] {1};
                CharSequence[] cs = i == 1 ? new String[3] : new StringBuilder[4];
                Co.pause();
                out.append(lengthAfterYield(a)).append(cs.length).append(a.getClass().getSimpleName()).append(';');
            }
            return out.toString();
        };
        Co.sameWithAndWithoutSuspension(body);
    }

    /** A class file from this JDK's own javac at its own release (class file 69 on JDK 25). */
    @Test
    void classFilesOfTheRunningJdksRelease() throws Exception {
        int feature = Runtime.version().feature();
        Map<String, byte[]> classes = RuntimeCompiler.compile(Map.of("gen.Latest", """
                package gen;
                import dev.spindle.*;
                public class Latest implements SuspendableCallable<String> {
                    @Suspendable static String part(String s) { Coroutine.yield(); return s; }
                    public String call() { var a = part("a"); var b = part("b"); return a + b; }
                }
                """), String.valueOf(feature));
        byte[] bytes = classes.get("gen.Latest");
        assertEquals(44 + feature, ((bytes[6] & 0xFF) << 8) | (bytes[7] & 0xFF), "class file major version");
        assertEquals(new Co.Run<>("ab", 2), run(classes, "gen.Latest"));
    }

    /**
     * Pattern switches of Java 21 and later: javac's {@code typeSwitch} bootstrap, the restart index it keeps in a
     * local when a guard fails, record deconstruction with its {@code MatchException} handlers, nested record
     * patterns and {@code case null}; guards, arms and the selector suspend.
     */
    @Test
    void patternSwitchesOfJava21AndLater() throws Exception {
        Class<?> type = compiledAtThisRelease(21, "gen.Patterns", """
                package gen;
                import dev.spindle.*;
                public class Patterns implements SuspendableCallable<String> {
                    sealed interface Shape permits Circle, Rect, Group {}
                    record Circle(double r) implements Shape {}
                    record Rect(long w, long h) implements Shape {}
                    record Group(Shape first, Shape second) implements Shape {}
                    @Suspendable static <T> T s(T v) { if (Coroutine.current() != null) Coroutine.yield(); return v; }
                    @Suspendable static String describe(Object o) {
                        long base = s(10L);
                        return base + ":" + switch (s(o)) {
                            case null -> s("null");
                            case Circle(double r) when s(r) > 2.0 -> "big circle " + s(r * 2);
                            case Circle c -> "circle " + c.r();
                            case Rect(long w, long h) when s(w) == h -> "square " + s(w * h);
                            case Rect(var w, var h) -> "rect " + (w + s(h));
                            case Group(Circle(var r), Rect(var w, var h)) -> "cr " + s(r) + w + h;
                            case Group(var a, var b) -> "group(" + describe(a) + "," + describe(b) + ")";
                            case String str when str.length() > s(3) -> "long string " + str;
                            case String str -> "string " + s(str);
                            case Integer i when i > s(0) -> "positive " + s(i);
                            default -> "other " + s(o.getClass().getSimpleName());
                        };
                    }
                    public String call() {
                        StringBuilder b = new StringBuilder();
                        Object[] things = {null, new Circle(3), new Circle(1), new Rect(2, 2), new Rect(2, 5),
                                new Group(new Circle(0.5), new Rect(1, 2)), new Group(new Rect(3, 3), new Circle(4)),
                                "hi", "hello", 7, -7, 2.5};
                        for (Object o : things) b.append(describe(o)).append(';');
                        return b.toString();
                    }
                }
                """);
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> patterns = (SuspendableCallable<String>) type.getConstructor().newInstance();
        String expected = "10:null;10:big circle 6.0;10:circle 1.0;10:square 4;10:rect 7;10:cr 0.512;"
                + "10:group(10:square 9,10:big circle 8.0);10:string hi;10:long string hello;10:positive 7;"
                + "10:other Integer;10:other Double;";
        assertEquals(expected, patterns.call(), "run directly");
        Co.Run<String> run = Co.inCoroutine(patterns);
        assertEquals(expected, run.value(), "run in a coroutine");
        assertTrue(run.suspensions() > 40, "suspended in selectors, guards and arms: " + run.suspensions());
    }

    /**
     * Java 25's flexible constructor bodies: a suspendable call in the statements before {@code super(...)} runs
     * normally outside a coroutine; inside one, its suspension is refused with the constructor advice, before any
     * later statement of the constructor runs.
     */
    @Test
    void suspendableCallBeforeSuperInAJava25Constructor() throws Exception {
        Class<?> early = compiledAtThisRelease(25, "gen.Early", """
                package gen;
                import dev.spindle.*;
                public class Early implements SuspendableCallable<String> {
                    public static int afterSuper;
                    static class Base { final String v; Base(String v) { this.v = v; } }
                    static class Derived extends Base {
                        final int n;
                        Derived(String x) {
                            String y = twice(x);
                            n = y.length();
                            super(y);
                            afterSuper++;
                        }
                    }
                    @Suspendable static String twice(String x) {
                        if (Coroutine.current() != null) Coroutine.yield();
                        return x + x;
                    }
                    public String call() { Derived d = new Derived("ab"); return d.v + d.n; }
                }
                """);
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> body = (SuspendableCallable<String>) early.getConstructor().newInstance();
        assertEquals("abab4", body.call());
        assertEquals(1, early.getField("afterSuper").getInt(null));
        Coroutine c = new Coroutine(body::call);
        IllegalStateException e = assertThrows(IllegalStateException.class, c::resume);
        assertTrue(e.getMessage().contains("gen.Early$Derived.<init>"), e.getMessage());
        assertTrue(e.getMessage().contains("Constructors cannot suspend"), e.getMessage());
        assertTrue(c.isDone());
        assertEquals(1, early.getField("afterSuper").getInt(null), "nothing after the refused suspension ran");
    }

    /** Java 8 class files: javac's synthetic access$NNN accessors for private members of the outer class. */
    @Test
    void syntheticAccessorsOfJava8ClassFiles() throws Exception {
        Map<String, byte[]> classes = RuntimeCompiler.compile(Map.of("gen.Outer8", """
                package gen;
                import dev.spindle.*;
                public class Outer8 implements SuspendableCallable<String> {
                    private int count;
                    @Suspendable private String step(String s) { Coroutine.yield(); count++; return s; }
                    class Inner {
                        @Suspendable String twice() { return step("x") + step("y") + count; }
                    }
                    public String call() { return new Inner().twice(); }
                }
                """), "8");
        assertEquals(52, classes.get("gen.Outer8")[7] & 0xFF, "class file major version");
        assertEquals(new Co.Run<>("xy2", 2), run(classes, "gen.Outer8"));
    }

    /**
     * A local variable table with an entry of the wrong type and one for a slot never used: the agent must go by
     * the code, not the table.
     */
    @Test
    void localVariableTableWithWrongAndUnusedEntries() throws Exception {
        assertEquals(new Co.Run<>("42", 1), run(Map.of("gen.OddTable", oddTable()), "gen.OddTable"));
    }

    /** Locals that only ever hold null, live across suspensions. */
    @Test
    void localsThatHoldOnlyNull() {
        Co.sameWithAndWithoutSuspension(() -> {
            String s = null;
            Object o = null;
            int[] a = null;
            Co.pause();
            return String.valueOf(s) + o + (a == null) + Co.sInt(3);
        });
    }

    /**
     * Compiles {@code source} at this JDK's own release and loads class {@code name} from it; the test is skipped
     * on a JDK older than {@code minimum}, whose javac lacks the language feature.
     */
    private static Class<?> compiledAtThisRelease(int minimum, String name, String source) throws Exception {
        int feature = Runtime.version().feature();
        assumeTrue(feature >= minimum, "needs Java " + minimum);
        Map<String, byte[]> classes = RuntimeCompiler.compile(Map.of(name, source), String.valueOf(feature));
        return new ClassLoaderTest.BytesLoader(RegressionTest.class.getClassLoader(), classes).loadClass(name);
    }

    @SuppressWarnings("unchecked")
    private static Co.Run<String> run(Map<String, byte[]> classes, String name) throws Exception {
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(RegressionTest.class.getClassLoader(), classes);
        SuspendableCallable<String> callable = (SuspendableCallable<String>) loader.loadClass(name)
                .getConstructor().newInstance();
        return Co.inCoroutine(callable);
    }

    /** {@code call() { int x = 41; Coroutine.yield(); return String.valueOf(x + 1); }} with a lying table. */
    private static byte[] oddTable() {
        ClassWriter cw = AsmClasses.suspendableCallable("gen/OddTable");
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "call", "()Ljava/lang/Object;", null, null);
        m.visitCode();
        Label start = new Label(), end = new Label();
        m.visitLabel(start);
        m.visitIntInsn(BIPUSH, 41);
        m.visitVarInsn(ISTORE, 1);
        m.visitMethodInsn(INVOKESTATIC, "dev/spindle/Coroutine", "yield", "()V", false);
        m.visitVarInsn(ILOAD, 1);
        m.visitInsn(ICONST_1);
        m.visitInsn(IADD);
        m.visitMethodInsn(INVOKESTATIC, "java/lang/String", "valueOf", "(I)Ljava/lang/String;", false);
        m.visitInsn(ARETURN);
        m.visitLabel(end);
        m.visitLocalVariable("this", "Lgen/OddTable;", null, start, end, 0);
        m.visitLocalVariable("x", "Ljava/lang/String;", null, start, end, 1); // really an int
        m.visitLocalVariable("ghost", "J", null, start, end, 2); // never used
        m.visitMaxs(0, 4);
        m.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
