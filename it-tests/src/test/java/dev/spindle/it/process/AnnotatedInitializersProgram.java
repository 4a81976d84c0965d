package dev.spindle.it.process;

import static org.objectweb.asm.Opcodes.*;

import dev.spindle.Suspendable;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/**
 * A child JVM's program: a class whose constructor carries @Suspendable, and one whose static initializer does
 * (made with ASM: javac cannot annotate an initializer block). The agent must warn about both and leave them
 * alone.
 */
public final class AnnotatedInitializersProgram {
    static final String STATIC_INIT = "gen.AnnotatedStaticInit";

    @Suspendable
    public AnnotatedInitializersProgram() {
    }

    public static void main(String[] args) throws Exception {
        new AnnotatedInitializersProgram();
        System.out.println("constructed");
        byte[] bytes = annotatedStaticInitializer();
        Class<?> type = new ClassLoader(AnnotatedInitializersProgram.class.getClassLoader()) {
            Class<?> define() {
                return defineClass(STATIC_INIT, bytes, 0, bytes.length);
            }
        }.define();
        System.out.println("initialized " + type.getField("VALUE").getInt(null));
    }

    /** {@code public class AnnotatedStaticInit { public static int VALUE; @Suspendable static { VALUE = 42; } }}. */
    private static byte[] annotatedStaticInitializer() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(V17, ACC_PUBLIC, STATIC_INIT.replace('.', '/'), null, "java/lang/Object", null);
        cw.visitField(ACC_PUBLIC | ACC_STATIC, "VALUE", "I", null, null).visitEnd();
        MethodVisitor init = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
        init.visitAnnotation("Ldev/spindle/Suspendable;", true).visitEnd();
        init.visitCode();
        init.visitIntInsn(BIPUSH, 42);
        init.visitFieldInsn(PUTSTATIC, STATIC_INIT.replace('.', '/'), "VALUE", "I");
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
