package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @SuppressWarnings("unchecked")
    private static Co.Run<String> run(Map<String, byte[]> classes, String name) throws Exception {
        ClassLoaderTest.BytesLoader loader = new ClassLoaderTest.BytesLoader(RegressionTest.class.getClassLoader(), classes);
        SuspendableCallable<String> callable = (SuspendableCallable<String>) loader.loadClass(name)
                .getConstructor().newInstance();
        return Co.inCoroutine(callable);
    }

    /** {@code call() { int x = 41; Coroutine.yield(); return String.valueOf(x + 1); }} with a lying table. */
    private static byte[] oddTable() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(V17, ACC_PUBLIC, "gen/OddTable", null, "java/lang/Object",
                new String[] {"dev/spindle/SuspendableCallable"});
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
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
