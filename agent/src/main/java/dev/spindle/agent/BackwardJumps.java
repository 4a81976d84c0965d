package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IFNONNULL;
import static org.objectweb.asm.Opcodes.IFNULL;
import static org.objectweb.asm.Opcodes.JSR;

import java.util.function.Supplier;
import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Writes long backward jumps in their wide form ({@code goto_w}) where ASM 9.11's writer cannot write a class
 * otherwise. When a method has forward jumps of more than 32 KB, ASM marks them and rewrites the class in a second
 * pass that widens them; 9.11 also marks the short jumps that this widening stretches past 32 KB, backward ones
 * included, but the reader of that second pass takes every marked jump for a forward one, and fails (an {@code
 * ArrayIndexOutOfBoundsException}). A backward jump already wide is never marked. Seen with javac 21's pattern
 * switches, whose guards jump back to the switch's start from all over a large method.
 */
final class BackwardJumps {
    /** The opcode of {@code goto_w}, which ASM's writer takes for a jump written wide (it is not in Opcodes). */
    private static final int GOTO_W = 200;
    /** Backward jumps longer than this in the failed write are widened first; all of them if that fails too. */
    private static final int LONG = 16 * 1024;

    private BackwardJumps() {
    }

    /**
     * {@code write}'s class file of {@code cls}; if ASM's writer fails on it, written again with its long backward
     * jumps widened, then with all of them. {@code framesComputed}: the writer computes the frames, so a
     * conditional jump can be widened too (as {@code if<not> skip; goto_w target; skip:}, a new branch target).
     */
    static byte[] writeWidenedIfNeeded(ClassNode cls, boolean framesComputed, Supplier<byte[]> write) {
        try {
            return write.get();
        } catch (MethodTooLargeException | ClassTooLargeException e) {
            throw e;
        } catch (RuntimeException asmCannotWriteItsLongJumps) {
            for (int minSpan : new int[] {LONG, 0}) {
                boolean widened = false;
                for (MethodNode m : cls.methods) widened |= widen(m, framesComputed, minSpan);
                if (!widened) continue;
                for (MethodNode m : cls.methods) m.instructions.resetLabels(); // placed by the failed write
                try {
                    return write.get();
                } catch (MethodTooLargeException | ClassTooLargeException e) {
                    throw e;
                } catch (RuntimeException stillFails) {
                    asmCannotWriteItsLongJumps.addSuppressed(stillFails);
                }
            }
            throw asmCannotWriteItsLongJumps;
        }
    }

    /**
     * Widens the backward jumps of {@code m} that spanned more than {@code minSpan} bytes in the write that failed
     * (measured from the label before the jump, which its labels still hold).
     */
    private static boolean widen(MethodNode m, boolean conditionalToo, int minSpan) {
        boolean changed = false;
        int at = -1;
        InsnList insns = m.instructions;
        for (AbstractInsnNode insn = insns.getFirst(); insn != null; insn = insn.getNext()) {
            if (insn instanceof LabelNode l) at = Math.max(at, offset(l));
            if (!(insn instanceof JumpInsnNode jump) || jump.getOpcode() == JSR || jump.getOpcode() == GOTO_W) continue;
            int target = offset(jump.label);
            if (target < 0 || target > at || at - target < minSpan) continue; // forward, or short enough
            if (jump.getOpcode() == GOTO) {
                JumpInsnNode wide = new JumpInsnNode(GOTO_W, jump.label);
                insns.set(jump, wide);
                insn = wide; // set() unlinks the node it replaces
                changed = true;
            } else if (conditionalToo) {
                LabelNode skip = new LabelNode();
                insns.insertBefore(jump, new JumpInsnNode(inverse(jump.getOpcode()), skip));
                insns.insertBefore(jump, new JumpInsnNode(GOTO_W, jump.label));
                insns.set(jump, skip);
                insn = skip;
                changed = true;
            }
        }
        return changed;
    }

    /** Where the failed write put {@code l}, or -1 if it did not get that far. */
    private static int offset(LabelNode l) {
        try {
            return l.getLabel().getOffset();
        } catch (IllegalStateException notPlaced) {
            return -1;
        }
    }

    /** The conditional jump taken exactly when {@code opcode}'s is not (IFEQ and IFNE, IF_ICMPLT and IF_ICMPGE...). */
    private static int inverse(int opcode) {
        if (opcode == IFNULL) return IFNONNULL;
        if (opcode == IFNONNULL) return IFNULL;
        return ((opcode + 1) ^ 1) - 1; // IFEQ (153) .. IF_ACMPNE (166) come in pairs
    }
}
