package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.INVOKEINTERFACE;
import static org.objectweb.asm.Opcodes.SIPUSH;

import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The fewest bytes of code the class writer can make of some instructions: each in its shortest form (a
 * constant's index in one byte, no padding before a switch, no jump widened). Enough to tell, before writing a
 * class, that a method will be past the JVM's 64 KB limit however it is written.
 */
final class CodeSize {
    /** The JVM's limit on a method's code, in bytes. */
    static final int LIMIT = 65_535;

    private CodeSize() {
    }

    static int atLeast(InsnList insns) {
        int size = 0;
        for (AbstractInsnNode insn : insns) size += atLeast(insn);
        return size;
    }

    private static int atLeast(AbstractInsnNode insn) {
        return switch (insn.getType()) {
            case AbstractInsnNode.LABEL, AbstractInsnNode.LINE, AbstractInsnNode.FRAME -> 0;
            case AbstractInsnNode.INSN -> 1;
            case AbstractInsnNode.INT_INSN -> insn.getOpcode() == SIPUSH ? 3 : 2;
            case AbstractInsnNode.VAR_INSN -> {
                int var = ((VarInsnNode) insn).var;
                yield var < 4 ? 1 : var < 256 ? 2 : 4;
            }
            case AbstractInsnNode.IINC_INSN -> {
                IincInsnNode iinc = (IincInsnNode) insn;
                yield iinc.var < 256 && iinc.incr >= Byte.MIN_VALUE && iinc.incr <= Byte.MAX_VALUE ? 3 : 6;
            }
            case AbstractInsnNode.METHOD_INSN -> ((MethodInsnNode) insn).getOpcode() == INVOKEINTERFACE ? 5 : 3;
            case AbstractInsnNode.INVOKE_DYNAMIC_INSN -> 5;
            case AbstractInsnNode.LDC_INSN -> {
                Object constant = ((LdcInsnNode) insn).cst;
                yield constant instanceof Long || constant instanceof Double ? 3 : 2;
            }
            case AbstractInsnNode.TABLESWITCH_INSN -> 13 + 4 * ((TableSwitchInsnNode) insn).labels.size();
            case AbstractInsnNode.LOOKUPSWITCH_INSN -> 9 + 8 * ((LookupSwitchInsnNode) insn).keys.size();
            case AbstractInsnNode.MULTIANEWARRAY_INSN -> 4;
            default -> 3; // type, field and jump instructions
        };
    }
}
