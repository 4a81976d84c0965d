package dev.spindle.it;

import static org.objectweb.asm.Opcodes.*;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/** Class files written with ASM, for shapes javac does not emit. */
public final class AsmClasses {
    private AsmClasses() {
    }

    /**
     * A writer that has begun {@code public class <internalName> implements SuspendableCallable} (Java 17) and
     * written its public no-argument constructor: add {@code call()}, then end it.
     */
    public static ClassWriter suspendableCallable(String internalName) {
        return suspendableCallable(internalName, V17);
    }

    /** {@link #suspendableCallable(String)} in the class file version {@code version} ({@code Opcodes.V1_7}...). */
    public static ClassWriter suspendableCallable(String internalName, int version) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(version, ACC_PUBLIC, internalName, null, "java/lang/Object",
                new String[] {"dev/spindle/SuspendableCallable"});
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        return cw;
    }

    /** The class file of a {@code SuspendableCallable} whose {@code call()} is {@code Coroutine.yield(); return null;}. */
    public static byte[] yieldingCallable(String internalName, int version) {
        ClassWriter cw = suspendableCallable(internalName, version);
        MethodVisitor m = cw.visitMethod(ACC_PUBLIC, "call", "()Ljava/lang/Object;", null, null);
        m.visitCode();
        m.visitMethodInsn(INVOKESTATIC, "dev/spindle/Coroutine", "yield", "()V", false);
        m.visitInsn(ACONST_NULL);
        m.visitInsn(ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
