package dev.spindle.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Supertypes of classes whose class files cannot be read (a loader that defines classes from bytes and serves no
 * resources, before it has defined them), learned from the class's own stack map frames. Where paths merge, the
 * compiler's frame names the type each value has there ({@code E e = flag ? new D1() : new D2()} has {@code E}),
 * so the class of every value that arrives is a subtype of it; the merge the agent computes for its rewrite must
 * come out the same, or code after it that uses an {@code E} fails verification. Without these facts the merge
 * of two unknown classes could only be {@code Object}.
 *
 * <p>One per class being transformed. The analysis and the frame writer note when they had to guess a merge of
 * an unknown class; only then are the facts learned and the class rewritten once more with them.
 */
final class LearnedSupertypes {
    /** What methods with no frames of their own (the agent's adapters) use: knows nothing, notes nothing. */
    static final LearnedSupertypes NONE = new LearnedSupertypes(false);
    private static final String OBJECT = "java/lang/Object";

    private final boolean recording;
    private final Map<String, Set<String>> supers;
    /** Whether a class with no class file is an interface, as the class being transformed uses it. */
    private final Map<String, Boolean> interfaces;
    private boolean guessed;

    private LearnedSupertypes(boolean recording) {
        this(recording, new HashMap<>(), new HashMap<>());
    }

    private LearnedSupertypes(boolean recording, Map<String, Set<String>> supers, Map<String, Boolean> interfaces) {
        this.recording = recording;
        this.supers = supers;
        this.interfaces = interfaces;
    }

    static LearnedSupertypes empty() {
        return new LearnedSupertypes(true);
    }

    /** These facts, for a check of the rewritten class that must not note guesses (the {@code verify} option). */
    LearnedSupertypes readOnly() {
        return new LearnedSupertypes(false, supers, interfaces);
    }

    /** A merge involving an unknown class was answered without these facts. */
    void noteGuess() {
        if (recording) guessed = true;
    }

    /** Whether a guess was noted since the last call, which forgets it. */
    boolean takeGuess() {
        boolean g = guessed;
        guessed = false;
        return g;
    }

    /**
     * The nearest type that the learned facts and the hierarchy show both classes assignable to, other than
     * {@code Object}; null if there is none. A class is preferred to an interface: to the JVM's verifier any
     * reference fits an interface, so a value merged as the class also fits where the interface is expected, not
     * the other way round ({@code D1} and {@code D2} extending {@code E} and implementing {@code Tag} merge as
     * {@code E} even where javac's frame says {@code Tag}).
     */
    String commonSupertype(String a, String b, ClassHierarchy hierarchy) {
        if (supers.isEmpty()) return null;
        Set<String> ofB = ancestors(b, hierarchy);
        String unsure = null;
        for (String s : ancestors(a, hierarchy)) {
            if (s.equals(OBJECT) || !ofB.contains(s)) continue;
            ClassInfo info = hierarchy.find(s);
            // boxed on both sides: a boolean one would unbox a class the map does not know, a NullPointerException
            Boolean isInterface = info != null ? Boolean.valueOf(info.isInterface) : interfaces.get(s);
            if (isInterface == null) {
                if (unsure == null) unsure = s;
            } else if (!isInterface) {
                return s;
            }
        }
        return unsure;
    }

    /** The class and its supertypes, nearest first: learned ones, and those the hierarchy can read. */
    private Set<String> ancestors(String name, ClassHierarchy hierarchy) {
        Set<String> out = new LinkedHashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(name));
        while (!todo.isEmpty()) {
            String c = todo.poll();
            if (!out.add(c)) continue;
            todo.addAll(supers.getOrDefault(c, Set.of()));
            ClassInfo info = hierarchy.find(c);
            if (info != null) {
                if (info.superName != null) todo.add(info.superName);
                todo.addAll(List.of(info.interfaces));
            }
        }
        return out;
    }

    /**
     * Learns from every method of the class (read with {@code EXPAND_FRAMES}) what its frames say of the values
     * that reach them, analysed with what is known so far, and which of the classes it names are interfaces
     * (called with {@code invokeinterface}, implemented) or classes (created, extended, called otherwise). True if
     * something new was learned.
     */
    boolean learnFrom(ClassNode cls, HierarchyVerifier verifier, ClassHierarchy hierarchy) {
        // a merge guessed wrong makes a strict analysis fail where the value is used, before it gets to the facts
        verifier.lenient = true;
        if (cls.superName != null) interfaces.put(cls.superName, false);
        for (String i : cls.interfaces) interfaces.put(i, true);
        boolean learned = false;
        for (MethodNode m : cls.methods) {
            if (m.instructions.size() == 0) continue;
            for (AbstractInsnNode insn : m.instructions) {
                if (insn instanceof MethodInsnNode call && !call.owner.startsWith("[")) {
                    interfaces.putIfAbsent(call.owner, call.itf);
                } else if (insn.getOpcode() == Opcodes.NEW) {
                    interfaces.put(((TypeInsnNode) insn).desc, false);
                }
            }
            verifier.hints = TypeHints.of(m, this);
            try {
                learned |= learnFrom(cls.name, m, verifier, hierarchy);
            } catch (AnalyzerException | RuntimeException e) {
                // a method the analysis refuses is reported when it is instrumented, if it is
            }
        }
        return learned;
    }

    private boolean learnFrom(String owner, MethodNode m, HierarchyVerifier verifier, ClassHierarchy hierarchy)
            throws AnalyzerException {
        boolean learned = false;
        int n = m.instructions.size();
        List<List<Integer>> predecessors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) predecessors.add(new ArrayList<>(2));
        Frame<BasicValue>[] frames = AsmLimits.lifted(new Analyzer<BasicValue>(verifier) {
            @Override
            protected void newControlFlowEdge(int insn, int successor) {
                predecessors.get(successor).add(insn);
            }
        }).analyze(owner, m);
        for (int i = 0; i < n; i++) {
            if (!(m.instructions.get(i) instanceof FrameNode declared)) continue;
            // the frame holds at the labels before it: the pseudo-instructions back to the last real one
            int start = i;
            while (start > 0 && m.instructions.get(start - 1).getOpcode() < 0) start--;
            for (int j = start; j <= i; j++) {
                for (int p : predecessors.get(j)) {
                    if (p >= start && p <= i || frames[p] == null) continue;
                    learned |= learnFrom(after(frames[p], m.instructions.get(p), verifier), declared, hierarchy);
                }
            }
        }
        return learned;
    }

    /**
     * A handler's exception arrives from its try block, not from an instruction: of the catch type, where the
     * handler's frame names a supertype (a multi-catch's frame names the common one of its alternatives).
     * Learned before a method is analysed (it needs no analysis), which fails on a handler that uses its exception
     * as that supertype until this is known. True if something new was learned.
     */
    boolean learnFromHandlers(MethodNode m, ClassHierarchy hierarchy) {
        boolean learned = false;
        for (TryCatchBlockNode handler : m.tryCatchBlocks) {
            FrameNode declared = frameAt(handler.handler);
            if (handler.type == null || declared == null || declared.stack == null || declared.stack.isEmpty()) {
                continue;
            }
            learned |= learn(new BasicValue(Type.getObjectType(handler.type)), declared.stack.get(0), hierarchy);
        }
        return learned;
    }

    /** The frame declared at {@code label}: among the pseudo-instructions after it, up to the next real one. */
    private static FrameNode frameAt(LabelNode label) {
        for (AbstractInsnNode insn = label; insn != null && insn.getOpcode() < 0; insn = insn.getNext()) {
            if (insn instanceof FrameNode f) return f;
        }
        return null;
    }

    /** The frame after an instruction: what it passes to the one it goes to. */
    private static Frame<BasicValue> after(Frame<BasicValue> before, AbstractInsnNode insn, HierarchyVerifier verifier)
            throws AnalyzerException {
        Frame<BasicValue> f = new Frame<>(before);
        if (insn.getOpcode() >= 0) f.execute(insn, verifier);
        return f;
    }

    private boolean learnFrom(Frame<BasicValue> arriving, FrameNode declared, ClassHierarchy hierarchy) {
        boolean learned = false;
        if (declared.local != null) {
            int slot = 0;
            for (Object t : declared.local) {
                if (slot >= arriving.getLocals()) break;
                learned |= learn(arriving.getLocal(slot), t, hierarchy);
                slot += t == Opcodes.LONG || t == Opcodes.DOUBLE ? 2 : 1;
            }
        }
        if (declared.stack != null) {
            for (int k = 0; k < declared.stack.size() && k < arriving.getStackSize(); k++) {
                learned |= learn(arriving.getStack(k), declared.stack.get(k), hierarchy);
            }
        }
        return learned;
    }

    /**
     * A value of {@code value}'s type arrives where the frame says {@code declared}: a fact worth keeping if the
     * hierarchy cannot read that class ({@code Object} arrives where a merge was guessed: nothing to learn).
     */
    private boolean learn(BasicValue value, Object declared, ClassHierarchy hierarchy) {
        if (!(declared instanceof String d) || value == null || value.getType() == null) return false;
        Type sub = value.getType();
        Type sup = d.startsWith("[") ? Type.getType(d) : Type.getObjectType(d);
        while (sub.getSort() == Type.ARRAY && sup.getSort() == Type.ARRAY) {
            sub = Type.getType(sub.getDescriptor().substring(1));
            sup = Type.getType(sup.getDescriptor().substring(1));
        }
        if (sub.getSort() != Type.OBJECT || sup.getSort() != Type.OBJECT) return false;
        String a = sub.getInternalName(), b = sup.getInternalName();
        if (a.equals(b) || a.equals("null") || a.equals(OBJECT) || b.equals(OBJECT) || hierarchy.find(a) != null) {
            return false;
        }
        return supers.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(b);
    }
}
