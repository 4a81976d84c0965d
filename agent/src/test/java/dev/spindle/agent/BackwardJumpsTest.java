package dev.spindle.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.objectweb.asm.Opcodes.*;

import java.lang.invoke.MethodHandles;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

class BackwardJumpsTest {
    /**
     * {@code static int far(int x)}: {@code top: if (x == 0) goto end; <filler>; x--; goto top; end: return 7}, with
     * a forward jump of just over 32 KB and a backward one of just under, which ASM widens past 32 KB when it
     * widens the forward one (a method that the agent's rewrite made this large, from a javac method of half).
     */
    private static ClassNode longJumps(int filler) {
        ClassNode cls = new ClassNode(ASM9);
        cls.visit(V17, ACC_PUBLIC, "dev/spindle/agent/LongJumps", null, "java/lang/Object", null);
        MethodNode far = new MethodNode(ASM9, ACC_PUBLIC | ACC_STATIC, "far", "(I)I", null, null);
        LabelNode top = new LabelNode(), end = new LabelNode();
        far.instructions.add(top);
        far.instructions.add(new VarInsnNode(ILOAD, 0));
        far.instructions.add(new JumpInsnNode(IFEQ, end));
        for (int i = 0; i < filler; i++) far.instructions.add(new InsnNode(NOP));
        far.visitIincInsn(0, -1);
        far.instructions.add(new JumpInsnNode(GOTO, top));
        far.instructions.add(end);
        far.visitIntInsn(BIPUSH, 7);
        far.visitInsn(IRETURN);
        cls.methods.add(far);
        return cls;
    }

    private static byte[] write(ClassNode cls) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        cls.accept(writer);
        return writer.toByteArray();
    }

    @Test
    void asmAloneCannotWriteTheMethod() {
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> write(longJumps(32_759)),
                "ASM writes it now: BackwardJumps may no longer be needed");
    }

    @Test
    void withTheBackwardJumpWideItIsWrittenAndRuns() throws Throwable {
        ClassNode cls = longJumps(32_759);
        byte[] bytes = BackwardJumps.writeWidenedIfNeeded(cls, true, () -> write(cls));
        Class<?> type = MethodHandles.lookup().defineClass(bytes);
        var far = MethodHandles.lookup().findStatic(type, "far", java.lang.invoke.MethodType.methodType(int.class,
                int.class));
        assertEquals(7, (int) far.invokeExact(0));
        assertEquals(7, (int) far.invokeExact(3));
    }

    @Test
    void aMethodWithoutLongJumpsIsWrittenAsItIs() {
        ClassNode cls = longJumps(100);
        byte[] plain = write(longJumps(100));
        assertEquals(plain.length, BackwardJumps.writeWidenedIfNeeded(cls, true, () -> write(cls)).length);
    }
}
