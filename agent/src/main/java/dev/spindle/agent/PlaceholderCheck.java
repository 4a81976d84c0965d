package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.ASM9;

import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.SourceInterpreter;
import org.objectweb.asm.tree.analysis.SourceValue;

/**
 * Checks what {@link NewRelocator} did against the method's data flow. The rewrite is right only if the null
 * placeholders that took the place of an uninitialized object and its copy are the two values dropped before the
 * real {@code new}, and no instruction but a copy, a local store or load, or a pop ever uses one: javac's shapes.
 * Anything else (a third copy by {@code dup; dup}, a constructor call on another path, the object passed along)
 * would go on with a null where the object was, so it is refused.
 */
final class PlaceholderCheck extends SourceInterpreter {
    /** What a placeholder stands for: the {@code new} it replaced, and the {@code pop2} that drops it and its copy */
    record Moved(TypeInsnNode alloc, AbstractInsnNode drop) {
    }

    /**
     * The one source of every value that is not a placeholder. Only where placeholders flow matters here; with
     * the real sources, the sets merged at each jump grow with the method, and a large method with loops took
     * seconds and gigabytes (past ASM's limit, so it was refused), where it now takes milliseconds.
     */
    private static final AbstractInsnNode OTHER = new InsnNode(Opcodes.NOP);
    private static final SourceValue OTHER_1 = new SourceValue(1, OTHER), OTHER_2 = new SourceValue(2, OTHER);
    /** What a local holds before anything is stored in it (no source at all). */
    private static final SourceValue NONE_1 = new SourceValue(1), NONE_2 = new SourceValue(2);

    /** Each placeholder instruction, with what it stands for. */
    private final Map<AbstractInsnNode, Moved> placeholders;
    private String misuse;

    private PlaceholderCheck(Map<AbstractInsnNode, Moved> placeholders) {
        super(ASM9);
        this.placeholders = placeholders;
    }

    /** @throws IllegalArgumentException naming the first {@code new} whose object is used some other way */
    static void check(String owner, MethodNode method, Map<AbstractInsnNode, Moved> placeholders) {
        PlaceholderCheck interpreter = new PlaceholderCheck(placeholders);
        Frame<SourceValue>[] frames;
        try {
            frames = AsmLimits.lifted(new Analyzer<>(interpreter)).analyze(owner, method);
        } catch (AnalyzerException e) { // a copy of an uninitialized object was not where javac keeps it
            throw refused("an object created by 'new' cannot be moved past its constructor's arguments ("
                    + e.getMessage() + ")");
        }
        if (interpreter.misuse != null) throw refused(interpreter.misuse);
        for (Map.Entry<AbstractInsnNode, Moved> p : placeholders.entrySet()) {
            Frame<SourceValue> f = frames[method.instructions.indexOf(p.getValue().drop())];
            if (f == null) continue; // unreachable
            int top = f.getStackSize();
            if (top < 2 || !isOnly(f.getStack(top - 1), p.getKey()) || !isOnly(f.getStack(top - 2), p.getKey())) {
                throw refused("'new " + p.getValue().alloc().desc.replace('/', '.') + "' and its copy are not on top of the"
                        + " stack when its constructor is called");
            }
        }
    }

    private static IllegalArgumentException refused(String what) {
        return new IllegalArgumentException(what + ", and its constructor's arguments may suspend: javac does not"
                + " produce this shape, and the agent can rewrite only javac's");
    }

    private static boolean isOnly(SourceValue v, AbstractInsnNode placeholder) {
        return v.insns.size() == 1 && v.insns.contains(placeholder);
    }

    /** Notes the first use of a placeholder by anything but a copy. */
    private void used(AbstractInsnNode insn, SourceValue v) {
        if (misuse != null) return;
        for (AbstractInsnNode source : v.insns) {
            Moved moved = placeholders.get(source);
            if (moved != null) {
                misuse = "the object of 'new " + moved.alloc().desc.replace('/', '.') + "' is used before its constructor"
                        + " is called, by " + (insn instanceof MethodInsnNode call
                                ? "a call of " + call.owner.replace('/', '.') + "." + call.name
                                : "the instruction of opcode " + insn.getOpcode());
                return;
            }
        }
    }

    /** A placeholder, or a value from somewhere else. */
    private SourceValue abstracted(SourceValue v) {
        if (v.insns.size() == 1 && placeholders.containsKey(v.insns.iterator().next())) return v;
        return v.size == 2 ? OTHER_2 : OTHER_1;
    }

    @Override
    public SourceValue newOperation(AbstractInsnNode insn) {
        return abstracted(super.newOperation(insn));
    }

    /** Shared values where it can, so that most merges are of a value with itself, which changes nothing. */
    @Override
    public SourceValue newValue(Type type) {
        if (type == Type.VOID_TYPE) return null;
        return type != null && type.getSize() == 2 ? NONE_2 : NONE_1;
    }

    @Override
    public SourceValue merge(SourceValue a, SourceValue b) {
        if (a == b) return a;
        SourceValue m = super.merge(a, b);
        return m.insns.size() == 1 && m.insns.contains(OTHER) ? m.size == 2 ? OTHER_2 : OTHER_1 : m;
    }

    /** A copy is the value itself, so that its source stays the placeholder through dups, stores and loads. */
    @Override
    public SourceValue copyOperation(AbstractInsnNode insn, SourceValue value) {
        return value;
    }

    @Override
    public SourceValue unaryOperation(AbstractInsnNode insn, SourceValue value) {
        used(insn, value);
        return abstracted(super.unaryOperation(insn, value));
    }

    @Override
    public SourceValue binaryOperation(AbstractInsnNode insn, SourceValue value1, SourceValue value2) {
        used(insn, value1);
        used(insn, value2);
        return abstracted(super.binaryOperation(insn, value1, value2));
    }

    @Override
    public SourceValue ternaryOperation(AbstractInsnNode insn, SourceValue value1, SourceValue value2,
                                        SourceValue value3) {
        used(insn, value1);
        used(insn, value2);
        used(insn, value3);
        return abstracted(super.ternaryOperation(insn, value1, value2, value3));
    }

    @Override
    public SourceValue naryOperation(AbstractInsnNode insn, List<? extends SourceValue> values) {
        for (SourceValue v : values) used(insn, v);
        return abstracted(super.naryOperation(insn, values));
    }

    @Override
    public void returnOperation(AbstractInsnNode insn, SourceValue value, SourceValue expected) {
        used(insn, value);
    }
}
