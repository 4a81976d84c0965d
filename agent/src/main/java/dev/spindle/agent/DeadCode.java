package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Iterator;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * Removes the code no path reaches. A resume copy starts at its resume points, so most of the code before them is
 * dead; left in, the class writer would pad it with {@code nop}s and an {@code athrow}, and the copy's size would
 * keep the JIT from inlining it into its resumer.
 */
final class DeadCode {
    private DeadCode() {
    }

    static void prune(MethodNode m) {
        InsnList insns = m.instructions;
        for (AbstractInsnNode i : insns) {
            if (i.getOpcode() == JSR || i.getOpcode() == RET) return; // old subroutines: not worth following
        }
        BitSet reached = reachable(m);
        AbstractInsnNode[] all = insns.toArray();
        for (int i = 0; i < all.length; i++) {
            AbstractInsnNode insn = all[i];
            if (insn instanceof FrameNode) {
                insns.remove(insn); // recomputed by the class writer
            } else if (!reached.get(i) && !(insn instanceof LabelNode) && !(insn instanceof LineNumberNode)) {
                insns.remove(insn);
            }
        }
        // a line number needs an instruction after it: the class file format refuses one at the end of the code;
        // and of the line numbers of removed code that now start where a later one does, only that one may stay,
        // or the JVM gives the instruction there the first of them (a loop's body would show the method's first line)
        boolean codeAfter = false;
        for (AbstractInsnNode i = insns.getLast(); i != null; ) {
            AbstractInsnNode previous = i.getPrevious();
            if (i.getOpcode() >= 0) codeAfter = true;
            else if (i instanceof LineNumberNode) {
                if (!codeAfter) insns.remove(i);
                codeAfter = false;
            }
            i = previous;
        }
        for (Iterator<TryCatchBlockNode> it = m.tryCatchBlocks.iterator(); it.hasNext(); ) {
            TryCatchBlockNode t = it.next();
            if (!hasCode(t.start, t.end)) it.remove();
        }
    }

    private static BitSet reachable(MethodNode m) {
        InsnList insns = m.instructions;
        BitSet reached = new BitSet(insns.size());
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(0);
        boolean grew = true;
        while (grew) {
            while (!work.isEmpty()) {
                int i = work.poll();
                if (i >= insns.size() || reached.get(i)) continue;
                reached.set(i);
                AbstractInsnNode insn = insns.get(i);
                if (insn instanceof JumpInsnNode j) work.add(insns.indexOf(j.label));
                if (insn instanceof TableSwitchInsnNode s) {
                    work.add(insns.indexOf(s.dflt));
                    for (LabelNode l : s.labels) work.add(insns.indexOf(l));
                }
                if (insn instanceof LookupSwitchInsnNode s) {
                    work.add(insns.indexOf(s.dflt));
                    for (LabelNode l : s.labels) work.add(insns.indexOf(l));
                }
                if (!endsFlow(insn.getOpcode())) work.add(i + 1);
            }
            // a handler is reached when some instruction it covers is
            grew = false;
            for (TryCatchBlockNode t : m.tryCatchBlocks) {
                int handler = insns.indexOf(t.handler);
                if (reached.get(handler)) continue;
                int from = insns.indexOf(t.start), to = insns.indexOf(t.end);
                int next = reached.nextSetBit(from);
                if (next >= 0 && next < to) {
                    work.add(handler);
                    grew = true;
                }
            }
        }
        return reached;
    }

    private static boolean endsFlow(int op) {
        return op == GOTO || op == ATHROW || op == TABLESWITCH || op == LOOKUPSWITCH || (op >= IRETURN && op <= RETURN);
    }

    private static boolean hasCode(LabelNode start, LabelNode end) {
        for (AbstractInsnNode i = start; i != null && i != end; i = i.getNext()) {
            if (i.getOpcode() >= 0) return true;
        }
        return false;
    }
}
