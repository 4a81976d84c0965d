package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.ASM9;

import java.util.List;
import java.util.Map;
import org.objectweb.asm.tree.AbstractInsnNode;
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

    /** A copy is the value itself, so that its source stays the placeholder through dups, stores and loads. */
    @Override
    public SourceValue copyOperation(AbstractInsnNode insn, SourceValue value) {
        return value;
    }

    @Override
    public SourceValue unaryOperation(AbstractInsnNode insn, SourceValue value) {
        used(insn, value);
        return super.unaryOperation(insn, value);
    }

    @Override
    public SourceValue binaryOperation(AbstractInsnNode insn, SourceValue value1, SourceValue value2) {
        used(insn, value1);
        used(insn, value2);
        return super.binaryOperation(insn, value1, value2);
    }

    @Override
    public SourceValue ternaryOperation(AbstractInsnNode insn, SourceValue value1, SourceValue value2,
                                        SourceValue value3) {
        used(insn, value1);
        used(insn, value2);
        used(insn, value3);
        return super.ternaryOperation(insn, value1, value2, value3);
    }

    @Override
    public SourceValue naryOperation(AbstractInsnNode insn, List<? extends SourceValue> values) {
        for (SourceValue v : values) used(insn, v);
        return super.naryOperation(insn, values);
    }

    @Override
    public void returnOperation(AbstractInsnNode insn, SourceValue value, SourceValue expected) {
        used(insn, value);
    }
}
