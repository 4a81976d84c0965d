package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Gives two kinds of method references of suspendable interfaces a small static adapter that makes the call,
 * and points the reference at it; the adapter is suspendable like any lambda body and is instrumented with the
 * class's other suspendable methods. javac writes such a method itself for other method references it cannot
 * hand to the proxy directly (varargs, {@code super::m}).
 *
 * <ul>
 *   <li>A reference whose lambda proxy would unbox the result of a suspendable method (as in
 *       {@code IntStep s = Util::boxed}, with {@code @Suspendable Integer boxed(Integer)} and an interface method
 *       that returns {@code int}): a method that suspends returns a placeholder, null for a reference, and the
 *       proxy (a hidden class the agent never sees) would unbox that null and throw a NullPointerException into
 *       the code being suspended. The adapter saves itself instead of unboxing while its thread unwinds, and
 *       unboxes the real result once resumed.</li>
 *   <li>A reference to a JDK method ({@code new Coroutine(futureTask::run)}, {@code runnable::run}), or to a
 *       plain method of a class defined before the reference was seen (a reference makes its target
 *       suspendable only if the agent learns of it before the target's class is defined): nothing between the
 *       proxy and the coroutine's driver would be instrumented, so a suspension inside that method would pass
 *       for a legitimate one while it ran on with the placeholder. In the adapter the method is a plain call,
 *       after which a suspension is refused like any other through uninstrumented code.</li>
 * </ul>
 */
final class MethodReferenceAdapters {
    private static final int FLAG_SERIALIZABLE = 1; // LambdaMetafactory.FLAG_SERIALIZABLE

    private MethodReferenceAdapters() {
    }

    /**
     * Rewrites the references of {@code cls} that need an adapter and returns the adapters, to be added to the
     * class and instrumented with its other suspendable methods.
     */
    static List<MethodNode> add(ClassNode cls, SuspendableRules rules) {
        List<MethodNode> adapters = new ArrayList<>();
        boolean isInterface = (cls.access & ACC_INTERFACE) != 0;
        for (MethodNode m : cls.methods) {
            for (AbstractInsnNode insn : m.instructions) {
                if (!(insn instanceof InvokeDynamicInsnNode indy) || !needsAdapter(cls.name, indy, rules)) continue;
                Handle impl = (Handle) indy.bsmArgs[1];
                Type sam = (Type) indy.bsmArgs[2];
                boolean unboxing = unboxes(sam.getDescriptor(), impl);
                Type result = unboxing ? sam.getReturnType() : Type.getReturnType(impl.getDesc());
                // not marked as a resume copy's name: the same in a thread's trace and a resumed coroutine's
                String name = "lambda$" + impl.getName() + (unboxing ? "$unbox$" : "$ref$") + adapters.size();
                MethodNode adapter = adapter(cls, impl, Type.getArgumentTypes(indy.desc), result, name);
                int line = lineOf(indy);
                if (line > 0) { // the line of the reference, as javac gives the lambdas it writes
                    LabelNode start = new LabelNode();
                    adapter.instructions.insert(new LineNumberNode(line, start));
                    adapter.instructions.insert(start);
                }
                adapters.add(adapter);
                indy.bsmArgs[1] = new Handle(H_INVOKESTATIC, cls.name, adapter.name, adapter.desc, isInterface);
            }
        }
        return adapters;
    }

    private static int lineOf(AbstractInsnNode insn) {
        for (AbstractInsnNode i = insn; i != null; i = i.getPrevious()) {
            if (i instanceof LineNumberNode n) return n.line;
        }
        return -1;
    }

    /** Whether a reference of the class (as {@link ClassInfo} saw it) might need an adapter. */
    static boolean mayNeedOne(ClassInfo info, SuspendableRules rules) {
        for (ClassInfo.Lambda lambda : info.lambdas) {
            if ((unboxes(lambda.samDesc(), lambda.impl()) || isPlainTarget(lambda.impl(), rules))
                    && rules.isSuspendableCall(lambda.iface(), lambda.samName(), lambda.samDesc())) {
                return true;
            }
        }
        return false;
    }

    /** The proxy turns the method's reference result into the primitive the interface method returns. */
    private static boolean unboxes(String samDesc, Handle impl) {
        int samReturn = Type.getReturnType(samDesc).getSort();
        int implReturn = Type.getReturnType(impl.getDesc()).getSort();
        return samReturn >= Type.BOOLEAN && samReturn <= Type.DOUBLE
                && (implReturn == Type.OBJECT || implReturn == Type.ARRAY) && impl.getTag() != H_NEWINVOKESPECIAL;
    }

    /**
     * A method that is not instrumented and never will be, other than a constructor (which cannot suspend anyway):
     * the JDK's, or a plain one of a class defined before the reference was seen.
     */
    private static boolean isPlainTarget(Handle impl, SuspendableRules rules) {
        return impl.getTag() != H_NEWINVOKESPECIAL && (rules.isJdkClass(impl.getOwner())
                || rules.definedPlain(impl.getOwner(), ClassInfo.key(impl.getName(), impl.getDesc())));
    }

    private static boolean needsAdapter(String className, InvokeDynamicInsnNode indy, SuspendableRules rules) {
        Object[] args = indy.bsmArgs;
        if (!indy.bsm.getOwner().equals(ClassInfo.LAMBDA_METAFACTORY) || args.length < 3
                || !(args[0] instanceof Type sam) || !(args[1] instanceof Handle impl) || !(args[2] instanceof Type)) {
            return false;
        }
        // a serializable lambda's deserializer checks the method it was made from: leave those as they are
        if (indy.bsm.getName().equals("altMetafactory") && args.length > 3 && args[3] instanceof Integer flags
                && (flags & FLAG_SERIALIZABLE) != 0) {
            return false;
        }
        // invokespecial (a private method, in class files of javac 8) may only name a method of the class itself
        if (impl.getTag() == H_INVOKESPECIAL && !impl.getOwner().equals(className)) return false;
        if (!rules.isSuspendableCall(Type.getReturnType(indy.desc).getInternalName(), indy.name, sam.getDescriptor())) {
            return false;
        }
        return isPlainTarget(impl, rules)
                || unboxes(sam.getDescriptor(), impl) && rules.isSuspendableCall(impl.getOwner(), impl.getName(),
                        impl.getDesc());
    }

    /**
     * {@code static R name([Owner receiver,] params) { return [unbox](impl(receiver, params)); }}, where the
     * parameters that the reference captures (a bound receiver) take the captured values' exact types, as the
     * lambda factory requires.
     */
    private static MethodNode adapter(ClassNode cls, Handle impl, Type[] captured, Type result, String name) {
        List<Type> params = new ArrayList<>();
        if (impl.getTag() != H_INVOKESTATIC) params.add(Type.getObjectType(impl.getOwner()));
        params.addAll(List.of(Type.getArgumentTypes(impl.getDesc())));
        for (int i = 0; i < captured.length && i < params.size(); i++) params.set(i, captured[i]);
        String desc = Type.getMethodDescriptor(result, params.toArray(new Type[0]));
        int access = MethodInstrumenter.helperAccess((cls.access & ACC_INTERFACE) != 0, cls.version & 0xFFFF);
        MethodNode a = new MethodNode(ASM9, access, name, desc, null, null);
        int slot = 0;
        for (Type p : params) {
            a.instructions.add(new VarInsnNode(p.getOpcode(ILOAD), slot));
            slot += p.getSize();
        }
        int op = switch (impl.getTag()) {
            case H_INVOKESTATIC -> INVOKESTATIC;
            case H_INVOKEINTERFACE -> INVOKEINTERFACE;
            case H_INVOKESPECIAL -> INVOKESPECIAL;
            default -> INVOKEVIRTUAL;
        };
        a.instructions.add(new MethodInsnNode(op, impl.getOwner(), impl.getName(), impl.getDesc(), impl.isInterface()));
        Type returned = Type.getReturnType(impl.getDesc());
        if (!returned.equals(result)) unbox(a, returned, result);
        a.instructions.add(new InsnNode(result.getOpcode(IRETURN)));
        a.maxLocals = slot;
        a.maxStack = Math.max(slot, 2);
        return a;
    }

    /**
     * The proxy's conversion: a wrapper is unboxed and widened; any other reference is cast to {@code Number}
     * (to {@code Character} or {@code Boolean} for those targets) and converted by its method for the target.
     */
    private static void unbox(MethodNode a, Type from, Type to) {
        Type primitive = primitiveOf(from);
        String owner;
        if (primitive != null) {
            owner = from.getInternalName();
        } else {
            primitive = to;
            owner = switch (to.getSort()) {
                case Type.CHAR -> "java/lang/Character";
                case Type.BOOLEAN -> "java/lang/Boolean";
                default -> "java/lang/Number";
            };
            a.instructions.add(new TypeInsnNode(CHECKCAST, owner));
        }
        a.instructions.add(new MethodInsnNode(INVOKEVIRTUAL, owner, primitive.getClassName() + "Value",
                "()" + primitive.getDescriptor(), false));
        widen(a, primitive, to);
    }

    private static void widen(MethodNode a, Type from, Type to) {
        boolean fromLong = from.getSort() == Type.LONG, fromFloat = from.getSort() == Type.FLOAT;
        int op = switch (to.getSort()) {
            case Type.LONG -> fromLong ? NOP : I2L;
            case Type.FLOAT -> fromLong ? L2F : fromFloat ? NOP : I2F;
            case Type.DOUBLE -> fromLong ? L2D : fromFloat ? F2D : from.getSort() == Type.DOUBLE ? NOP : I2D;
            default -> NOP; // boolean, byte, char, short and int are all ints on the stack
        };
        if (op != NOP) a.instructions.add(new InsnNode(op));
    }

    /** The primitive a wrapper class holds, or null if {@code t} is not a wrapper. */
    private static Type primitiveOf(Type t) {
        return switch (t.getDescriptor()) {
            case "Ljava/lang/Boolean;" -> Type.BOOLEAN_TYPE;
            case "Ljava/lang/Byte;" -> Type.BYTE_TYPE;
            case "Ljava/lang/Character;" -> Type.CHAR_TYPE;
            case "Ljava/lang/Short;" -> Type.SHORT_TYPE;
            case "Ljava/lang/Integer;" -> Type.INT_TYPE;
            case "Ljava/lang/Long;" -> Type.LONG_TYPE;
            case "Ljava/lang/Float;" -> Type.FLOAT_TYPE;
            case "Ljava/lang/Double;" -> Type.DOUBLE_TYPE;
            default -> null;
        };
    }
}
