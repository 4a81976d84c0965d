package dev.spindle.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.objectweb.asm.Opcodes.*;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * {@link CodeSize#atLeast} must never be more than the code the class writer makes, or the agent would refuse a
 * method whose resume copies fit. Measured on real methods: those of large classes of ASM's and the agent's own,
 * with their switches, wide locals, {@code ldc}s of every kind and long jumps.
 */
class CodeSizeTest {
    private static final String[] SAMPLES = {
        "org/objectweb/asm/ClassReader", "org/objectweb/asm/ClassWriter", "org/objectweb/asm/MethodWriter",
        "org/objectweb/asm/Frame", "org/objectweb/asm/tree/analysis/Frame", "dev/spindle/agent/MethodInstrumenter",
        "dev/spindle/agent/ClassInstrumenter", "dev/spindle/agent/CodeSizeTest",
    };

    /** The length of {@code m}'s code as the writer makes it: the offset of a label put after its last instruction. */
    private static int written(ClassNode cls, MethodNode m) {
        LabelNode end = new LabelNode();
        m.instructions.add(end);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cls.accept(writer);
        writer.toByteArray();
        m.instructions.remove(end);
        return end.getLabel().getOffset();
    }

    @Test
    void theEstimateIsNeverAboveWhatTheWriterMakesAndCloseToIt() throws IOException {
        long estimated = 0, written = 0;
        int methods = 0;
        for (String c : SAMPLES) {
            ClassNode cls = new ClassNode(ASM9);
            try (InputStream in = CodeSizeTest.class.getClassLoader().getResourceAsStream(c + ".class")) {
                new ClassReader(in).accept(cls, ClassReader.SKIP_FRAMES);
            }
            for (MethodNode m : cls.methods) {
                if (m.instructions.size() == 0) continue;
                int atLeast = CodeSize.atLeast(m.instructions), real = written(cls, m);
                assertTrue(atLeast <= real, c + "." + m.name + m.desc + ": estimated " + atLeast
                        + " bytes, written " + real);
                estimated += atLeast;
                written += real;
                methods++;
            }
        }
        assertTrue(methods > 200, "methods measured: " + methods);
        // not so low as to be of no use: constants' indices and switch padding are all it may leave out
        assertTrue(estimated > written * 0.95, "estimated " + estimated + " of " + written + " bytes");
    }

    /** Every kind of instruction the estimate sizes, in one method, against the writer. */
    @Test
    void eachKindOfInstructionAsWritten() {
        ClassNode cls = new ClassNode(ASM9);
        cls.visit(V17, ACC_PUBLIC, "dev/spindle/agent/Kinds", null, "java/lang/Object", null);
        MethodNode m = new MethodNode(ASM9, ACC_PUBLIC | ACC_STATIC, "kinds", "(I)J", null, null);
        m.visitVarInsn(ILOAD, 0);                                                   // 1
        m.visitVarInsn(ISTORE, 300);                                                // 4: wide
        m.visitVarInsn(ILOAD, 5);                                                   // 2
        m.visitVarInsn(ISTORE, 6);                                                  // 2
        m.visitIincInsn(6, 1);                                                      // 3
        m.visitIincInsn(6, 1000);                                                   // 6: wide
        m.visitIincInsn(400, 1);                                                    // 6: wide
        m.visitIntInsn(BIPUSH, 3);                                                  // 2
        m.visitIntInsn(SIPUSH, 3000);                                               // 3
        m.visitInsn(POP2);                                                          // 1
        m.visitLdcInsn("s");                                                        // 2
        m.visitInsn(POP);
        m.visitLdcInsn(7L);                                                         // 3: ldc2_w
        m.visitInsn(POP2);
        m.visitTypeInsn(NEW, "java/lang/Object");                                   // 3
        m.visitInsn(POP);
        m.visitFieldInsn(GETSTATIC, "java/lang/System", "out", "Ljava/io/PrintStream;"); // 3
        m.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Object", "hashCode", "()I", false); // 3
        m.visitInsn(POP);
        m.visitInsn(ACONST_NULL);
        m.visitMethodInsn(INVOKEINTERFACE, "java/lang/Runnable", "run", "()V", true);   // 5
        m.visitInsn(ICONST_1);
        m.visitMultiANewArrayInsn("[[I", 1);                                        // 4
        m.visitInsn(POP);
        org.objectweb.asm.Label a = new org.objectweb.asm.Label(), b = new org.objectweb.asm.Label();
        m.visitVarInsn(ILOAD, 0);
        m.visitTableSwitchInsn(0, 2, a, a, b, a);                                   // 13 + 12, padding
        m.visitLabel(a);
        m.visitVarInsn(ILOAD, 0);
        m.visitLookupSwitchInsn(b, new int[] {1, 9}, new org.objectweb.asm.Label[] {a, b}); // 9 + 16, padding
        m.visitLabel(b);
        m.visitJumpInsn(GOTO, a);                                                   // 3
        cls.methods.add(m);
        int real = written(cls, m), atLeast = CodeSize.atLeast(m.instructions);
        assertTrue(atLeast <= real, "estimated " + atLeast + ", written " + real);
        assertTrue(real - atLeast <= 6, "only the two switches' padding may be left out: " + atLeast + " of " + real);
    }
}
