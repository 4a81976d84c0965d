package dev.spindle.agent;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Runs ASM's data-flow analysis over a method and keeps what the rewrite needs: the frame (types of locals and
 * stack) before each instruction, which locals are live after it, and whether a monitor is held there.
 */
final class FlowAnalyzer {
    final Frame<BasicValue>[] frames;
    private final List<List<Integer>> successors = new ArrayList<>();
    private final List<List<Integer>> handlers = new ArrayList<>();
    private final BitSet[] liveIn;
    private final int[] monitorDepth;
    private final InsnList insns;

    FlowAnalyzer(String owner, MethodNode method, HierarchyVerifier verifier) throws AnalyzerException {
        insns = method.instructions;
        int n = insns.size();
        for (int i = 0; i < n; i++) {
            successors.add(new ArrayList<>(2));
            handlers.add(new ArrayList<>(1));
        }
        Analyzer<BasicValue> analyzer = new Analyzer<>(verifier) {
            @Override
            protected void newControlFlowEdge(int insn, int successor) {
                successors.get(insn).add(successor);
            }

            @Override
            protected boolean newControlFlowExceptionEdge(int insn, TryCatchBlockNode tcb) {
                handlers.get(insn).add(insns.indexOf(tcb.handler));
                return true;
            }
        };
        frames = AsmLimits.lifted(analyzer).analyze(owner, method);
        liveIn = liveness(method.maxLocals);
        monitorDepth = monitors(method.tryCatchBlocks);
    }

    /** Locals read after instruction {@code i} before being written (on some path), as a bit set. */
    BitSet liveAfter(int i) {
        BitSet out = new BitSet();
        for (int s : successors.get(i)) if (liveIn[s] != null) out.or(liveIn[s]);
        for (int h : handlers.get(i)) if (liveIn[h] != null) out.or(liveIn[h]);
        return out;
    }

    boolean holdsMonitor(int i) {
        return monitorDepth[i] > 0;
    }

    private BitSet[] liveness(int maxLocals) {
        int n = insns.size();
        BitSet[] in = new BitSet[n];
        for (int i = 0; i < n; i++) in[i] = new BitSet(maxLocals);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = n - 1; i >= 0; i--) {
                if (frames[i] == null) continue; // unreachable
                BitSet live = new BitSet(maxLocals);
                for (int s : successors.get(i)) live.or(in[s]);
                for (int h : handlers.get(i)) live.or(in[h]);
                AbstractInsnNode insn = insns.get(i);
                if (insn instanceof VarInsnNode v) {
                    int op = v.getOpcode();
                    if (op >= Opcodes.ISTORE && op <= Opcodes.ASTORE) {
                        live.clear(v.var);
                        if (op == Opcodes.LSTORE || op == Opcodes.DSTORE) live.clear(v.var + 1);
                    } else {
                        live.set(v.var); // loads and RET
                    }
                } else if (insn instanceof IincInsnNode inc) {
                    live.set(inc.var);
                }
                if (!live.equals(in[i])) {
                    in[i] = live;
                    changed = true;
                }
            }
        }
        return in;
    }

    /**
     * How many monitors are held before each instruction: the most on any path, so that a suspension is refused
     * wherever one may be held. An exception goes to the first handler that catches it, so the edges followed are
     * those to the handlers in table order up to the first that catches everything: javac's handler that
     * releases a synchronized block's monitor shadows the handlers around the block, which the monitor never
     * reaches. The depth is capped at the number of MONITORENTERs, so that the analysis ends on any bytecode.
     */
    private int[] monitors(List<TryCatchBlockNode> tryCatchBlocks) {
        int n = insns.size();
        int[] depth = new int[n];
        java.util.Arrays.fill(depth, -1);
        int enters = 0;
        for (int i = 0; i < n; i++) if (insns.get(i).getOpcode() == Opcodes.MONITORENTER) enters++;
        if (enters == 0) {
            java.util.Arrays.fill(depth, 0);
            return depth;
        }
        List<List<Integer>> catching = catchingHandlers(tryCatchBlocks);
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
        depth[0] = 0;
        work.add(0);
        while (!work.isEmpty()) {
            int i = work.poll();
            int d = depth[i];
            int op = insns.get(i).getOpcode();
            int after = op == Opcodes.MONITORENTER ? Math.min(d + 1, enters)
                    : op == Opcodes.MONITOREXIT ? Math.max(0, d - 1) : d;
            for (int s : successors.get(i)) {
                if (after > depth[s]) {
                    depth[s] = after;
                    work.add(s);
                }
            }
            for (int h : catching.get(i)) {
                if (d > depth[h]) {
                    depth[h] = d;
                    work.add(h);
                }
            }
        }
        for (int i = 0; i < n; i++) if (depth[i] < 0) depth[i] = 0;
        return depth;
    }

    /** For each instruction, the handlers an exception there may reach (see {@link #monitors}). */
    private List<List<Integer>> catchingHandlers(List<TryCatchBlockNode> tryCatchBlocks) {
        int n = insns.size();
        List<List<Integer>> out = new ArrayList<>(n);
        boolean[] caughtAll = new boolean[n];
        for (int i = 0; i < n; i++) out.add(new ArrayList<>(1));
        for (TryCatchBlockNode tcb : tryCatchBlocks) {
            int handler = insns.indexOf(tcb.handler);
            boolean all = tcb.type == null || tcb.type.equals("java/lang/Throwable");
            for (int i = insns.indexOf(tcb.start), end = insns.indexOf(tcb.end); i < end; i++) {
                if (caughtAll[i]) continue;
                out.get(i).add(handler);
                caughtAll[i] = all;
            }
        }
        return out;
    }
}
