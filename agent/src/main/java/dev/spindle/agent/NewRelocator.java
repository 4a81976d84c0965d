package dev.spindle.agent;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Moves {@code new X; dup} past the evaluation of the constructor's arguments when those may suspend, so no
 * uninitialized object is on the stack or in a local at a suspension point (such a value can be neither saved
 * nor recreated): {@code new Foo(f(), g())} becomes "push two placeholders (nulls), evaluate f() and g(), store
 * them in locals, drop the placeholders, new Foo, dup, load them, call the constructor". The placeholders go
 * wherever javac moves the uninitialized object and its copy (it spills the whole stack to locals around a
 * switch expression with a {@code try} in it). Where the {@code new} was, an {@code invokedynamic} initializes Foo
 * (the runtime's {@code ClassInitTrigger}), so its static initializer still runs before the arguments, as the
 * JLS orders it. Shapes javac does not produce are refused ({@link PlaceholderCheck}).
 */
final class NewRelocator {
    static final String CLASS_INIT_TRIGGER = "dev/spindle/internal/ClassInitTrigger";
    private static final Handle INITIALIZE = new Handle(Opcodes.H_INVOKESTATIC, CLASS_INIT_TRIGGER, "initialize",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;)"
                    + "Ljava/lang/invoke/CallSite;", false);

    private NewRelocator() {
    }

    /**
     * Rewrites every {@code new}/{@code <init>} pair that spans one of {@code suspendingCalls}.
     *
     * @throws IllegalArgumentException for a shape javac does not produce (a {@code new} not followed by
     *                                  {@code dup}, its object used otherwise), which cannot be rewritten
     */
    static void relocate(String owner, MethodNode method, Set<AbstractInsnNode> suspendingCalls) {
        Map<AbstractInsnNode, PlaceholderCheck.Moved> placeholders = new HashMap<>();
        InsnList insns = method.instructions;
        Deque<TypeInsnNode> open = new ArrayDeque<>();
        Deque<Boolean> spans = new ArrayDeque<>();
        for (AbstractInsnNode insn = insns.getFirst(); insn != null; ) {
            AbstractInsnNode next = insn.getNext();
            if (insn.getOpcode() == Opcodes.NEW) {
                open.push((TypeInsnNode) insn);
                spans.push(false);
            } else if (suspendingCalls.contains(insn)) {
                // every constructor call still open around this call spans a suspension point
                int k = spans.size();
                spans.clear();
                for (int i = 0; i < k; i++) spans.push(true);
            } else if (insn instanceof MethodInsnNode m && m.getOpcode() == Opcodes.INVOKESPECIAL
                    && m.name.equals("<init>") && !open.isEmpty() && open.peek().desc.equals(m.owner)) {
                TypeInsnNode alloc = open.pop();
                if (spans.pop()) move(method, alloc, m, placeholders);
            }
            insn = next;
        }
        if (!placeholders.isEmpty()) PlaceholderCheck.check(owner, method, placeholders);
    }

    private static void move(MethodNode method, TypeInsnNode alloc, MethodInsnNode init,
                             Map<AbstractInsnNode, PlaceholderCheck.Moved> placeholders) {
        AbstractInsnNode dup = alloc.getNext();
        if (dup == null || dup.getOpcode() != Opcodes.DUP) {
            throw new IllegalArgumentException("'new " + alloc.desc.replace('/', '.') + "' is not followed by 'dup'"
                    + " and its constructor's arguments may suspend");
        }
        InsnList insns = method.instructions;
        InsnNode placeholder = new InsnNode(Opcodes.ACONST_NULL);
        // the JDK's classes initialize unobservably; the method's own class is not skipped: its initializer may
        // have failed after leaking an instance, whose methods then run this
        if (!alloc.desc.startsWith("java/")) insns.insertBefore(alloc, initialize(alloc.desc));
        insns.set(alloc, placeholder);
        Type[] args = Type.getArgumentTypes(init.desc);
        int[] slots = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            slots[i] = method.maxLocals;
            method.maxLocals += args[i].getSize();
        }
        InsnList before = new InsnList();
        for (int i = args.length - 1; i >= 0; i--) before.add(new VarInsnNode(args[i].getOpcode(Opcodes.ISTORE), slots[i]));
        InsnNode drop = new InsnNode(Opcodes.POP2); // the two placeholders
        placeholders.put(placeholder, new PlaceholderCheck.Moved(alloc, drop));
        before.add(drop);
        before.add(new TypeInsnNode(Opcodes.NEW, alloc.desc));
        before.add(new InsnNode(Opcodes.DUP));
        for (int i = 0; i < args.length; i++) before.add(new VarInsnNode(args[i].getOpcode(Opcodes.ILOAD), slots[i]));
        insns.insertBefore(init, before);
    }

    private static InvokeDynamicInsnNode initialize(String internalName) {
        return new InvokeDynamicInsnNode("initialize", "()V", INITIALIZE, internalName.replace('/', '.'));
    }
}
