package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.objectweb.asm.Opcodes.*;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Class files javac does not write (other compilers and bytecode tools do): the agent rewrites what it can prove
 * right and refuses the rest with a clear exception at the suspension, never running on with a wrong value.
 */
public class HandWrittenBytecodeTest {
    private static final String ME = "dev/spindle/it/HandWrittenBytecodeTest";
    private static final String SB = "java/lang/StringBuilder";

    /** A suspension point for the generated classes, which cannot see {@link Co}'s package-private ones. */
    @Suspendable
    public static int s(int v) {
        Co.pause();
        return v;
    }

    /** Whether {@code a} and {@code b} are the same object, and what {@code a} is. */
    public static String same(Object a, Object b) {
        return (a == b) + ":" + a;
    }

    @SuppressWarnings("unchecked")
    private static SuspendableCallable<Object> load(String name, byte[] bytes) throws Exception {
        Class<?> type = new ClassLoaderTest.BytesLoader(HandWrittenBytecodeTest.class.getClassLoader(),
                Map.of(name, bytes)).loadClass(name);
        return (SuspendableCallable<Object>) type.getConstructor().newInstance();
    }

    /** {@code class <name> implements SuspendableCallable { public Object call() { <body> } }}. */
    private static byte[] callable(String name, Consumer<MethodVisitor> body) {
        return callable(name, cw -> { }, body);
    }

    /** {@link #callable(String, Consumer)} with what {@code more} adds to the class besides. */
    private static byte[] callable(String name, Consumer<ClassWriter> more, Consumer<MethodVisitor> body) {
        ClassWriter cw = AsmClasses.suspendableCallable(name);
        more.accept(cw);
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "call", "()Ljava/lang/Object;", null, null);
        m.visitCode();
        body.accept(m);
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** Pushes {@code String.valueOf(s(7))}: a constructor argument that suspends. */
    private static void suspendingArgument(MethodVisitor m) {
        m.visitIntInsn(BIPUSH, 7);
        m.visitMethodInsn(INVOKESTATIC, ME, "s", "(I)I", false);
        m.visitMethodInsn(INVOKESTATIC, "java/lang/String", "valueOf", "(I)Ljava/lang/String;", false);
    }

    private static void init(MethodVisitor m) {
        m.visitMethodInsn(INVOKESPECIAL, SB, "<init>", "(Ljava/lang/String;)V", false);
    }

    /** Runs {@code body} plainly (it must give {@code expected}), then in a coroutine, where it must be refused. */
    private static IllegalStateException refusedInACoroutineOnly(SuspendableCallable<Object> body, Object expected)
            throws Exception {
        assertEquals(expected, body.call());
        Object[] result = {"nothing"};
        Coroutine c = new Coroutine(() -> result[0] = body.call());
        IllegalStateException e = assertThrows(IllegalStateException.class, c::resume);
        assertTrue(c.isDone());
        assertEquals("nothing", result[0], "nothing after the refused suspension may run");
        return e;
    }

    private static void assertMentions(Throwable e, String text) {
        assertTrue(e.getMessage().contains(text), "the message should mention " + text + ": " + e.getMessage());
    }

    /** {@code new; dup; dup}: a third reference to the object, which moving the {@code new} would leave null. */
    @Test
    void aNewWithTwoCopiesAndASuspendingArgumentIsRefusedNotRunWithANull() throws Exception {
        SuspendableCallable<Object> body = load("gen.DupDup", callable("gen/DupDup", m -> {
            m.visitTypeInsn(NEW, SB);
            m.visitInsn(DUP);
            m.visitInsn(DUP);
            suspendingArgument(m);
            init(m);
            m.visitMethodInsn(INVOKESTATIC, ME, "same", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/String;",
                    false);
            m.visitInsn(ARETURN);
        }));
        IllegalStateException e = refusedInACoroutineOnly(body, "true:7");
        assertMentions(e, "gen.DupDup.call");
        assertMentions(e, "javac does not produce");
        assertMentions(e, "In gen.DupDup.call, call what suspends before the code the analysis rejected");
    }

    /** {@code new; dup; astore}: the copy kept in a local is the one used after the constructor. */
    @Test
    void aNewWhoseCopyIsStoredInALocalIsRefusedToo() throws Exception {
        SuspendableCallable<Object> body = load("gen.DupStore", callable("gen/DupStore", m -> {
            m.visitTypeInsn(NEW, SB);
            m.visitInsn(DUP);
            m.visitVarInsn(ASTORE, 1);
            suspendingArgument(m);
            init(m);
            m.visitVarInsn(ALOAD, 1);
            m.visitMethodInsn(INVOKEVIRTUAL, SB, "toString", "()Ljava/lang/String;", false);
            m.visitInsn(ARETURN);
        }));
        IllegalStateException e = refusedInACoroutineOnly(body, "7");
        assertMentions(e, "gen.DupStore.call");
        assertFalse(e.getMessage().contains("smaller methods"), e.getMessage());
    }

    /** One {@code new} whose constructor is called on either of two paths: the class still loads and runs. */
    @Test
    void aNewWithAConstructorCallOnEachOfTwoPathsIsRefusedAndItsClassStillLoads() throws Exception {
        SuspendableCallable<Object> body = load("gen.TwoInits", callable("gen/TwoInits", m -> {
            Label other = new Label(), join = new Label();
            m.visitTypeInsn(NEW, SB);
            m.visitInsn(DUP);
            suspendingArgument(m);
            m.visitInsn(ICONST_1);
            m.visitJumpInsn(IFEQ, other);
            init(m);
            m.visitJumpInsn(GOTO, join);
            m.visitLabel(other);
            init(m);
            m.visitLabel(join);
            m.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Object", "toString", "()Ljava/lang/String;", false);
            m.visitInsn(ARETURN);
        }));
        assertMentions(refusedInACoroutineOnly(body, "7"), "gen.TwoInits.call");
    }

    /**
     * {@code class <name> { static int big() { int x = s(1) [or maybe(1)]; x += 1 (many times); return x; }
     * public Object call() { return big() + s(2); } }}, {@code big()} plain and {@code size} bytes long.
     */
    private static byte[] besideAPlainGiant(String name, int size) {
        return callable(name, cw -> {
            MethodVisitor b = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "big", "()I", null, null);
            b.visitCode();
            b.visitInsn(ICONST_1);
            b.visitMethodInsn(INVOKESTATIC, ME, "s", "(I)I", false);
            b.visitVarInsn(ISTORE, 0);
            for (int i = 0; i < (size - 10) / 3; i++) b.visitIincInsn(0, 1);
            b.visitVarInsn(ILOAD, 0);
            b.visitInsn(IRETURN);
            b.visitMaxs(0, 0);
            b.visitEnd();
        }, m -> {
            m.visitMethodInsn(INVOKESTATIC, name, "big", "()I", false);
            m.visitInsn(ICONST_2);
            m.visitMethodInsn(INVOKESTATIC, ME, "s", "(I)I", false);
            m.visitInsn(IADD);
            m.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
            m.visitInsn(ARETURN);
        });
    }

    /**
     * A plain method with no room left for the check after its call to a suspendable method is wrapped; the rest
     * of its class is rewritten as usual, and a suspension through the plain method is refused, naming it.
     */
    @Test
    void aPlainMethodWithNoRoomForItsChecksIsWrappedAndTheRestOfItsClassIsRewritten() throws Exception {
        int size = 65_530;
        SuspendableCallable<Object> body = load("gen.Giant", besideAPlainGiant("gen/Giant", size));
        int expected = 1 + (size - 10) / 3 + 2;
        assertEquals(expected, body.call());
        IllegalStateException e = refusedInACoroutineOnly(body, expected);
        assertMentions(e, "gen.Giant.big");
        assertMentions(e, "Split gen.Giant.big into smaller methods");
        assertFalse(e.getMessage().contains("unguarded"), e.getMessage());
        // the class's suspendable method was rewritten: it suspends where it calls s(2) itself
        Class<?> type = body.getClass();
        assertTrue(java.util.Arrays.stream(type.getDeclaredMethods()).anyMatch(m -> m.getName().equals("call")
                && m.getParameterCount() > 0), "call() has its resume copy");
    }
}
