package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;

/**
 * Instruments one class: rewrites its suspendable methods (adding their resume copies), guards its plain
 * methods' calls to suspendable ones, and writes the class with freshly computed stack map frames.
 */
final class ClassInstrumenter {
    private final ClassHierarchy hierarchy;
    private final SuspendableRules rules;
    private final AgentOptions options;

    ClassInstrumenter(ClassHierarchy hierarchy, AgentOptions options) {
        this.hierarchy = hierarchy;
        this.rules = new SuspendableRules(hierarchy);
        this.options = options;
    }

    /**
     * The rewritten class, or null if it needs no change. If the class as a whole cannot be rewritten (its constant
     * pool would overflow, say), it is only guarded: see {@link #guardEveryCall}.
     */
    byte[] instrument(byte[] bytes, ClassInfo info) {
        OversizedMethods oversized = new OversizedMethods();
        try {
            for (;;) {
                try {
                    return instrument(bytes, info, oversized);
                } catch (MethodTooLargeException e) {
                    if (!oversized.note(ClassInfo.key(e.getMethodName(), e.getDescriptor()))) throw e;
                }
            }
        } catch (RuntimeException e) {
            String className = info.name.replace('/', '.');
            byte[] guarded = guardEveryCall(bytes, true, "its class could not be rewritten: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), "See the agent's warning about class "
                    + className + " when it was loaded; if the class is too large, split it, or move the call that"
                    + " suspends out of it");
            Log.warn("could not instrument class " + className + ": " + e + "; it is loaded as it was"
                    + (guarded == null ? " (it calls no suspendable method)"
                            : " except for a check after each call to a suspendable method, so a suspension through"
                                    + " its methods is refused"));
            return guarded;
        }
    }

    /** A class file older than Java 8, which the agent does not rewrite: only guarded (see {@link #guardEveryCall}). */
    private byte[] guardOldClass(byte[] bytes, ClassInfo info, Set<String> suspendable, int java) {
        String className = info.name.replace('/', '.');
        String why = "it was compiled for Java " + java + ", and Spindle rewrites class files of Java 8 and later only";
        if (!suspendable.isEmpty()) {
            Log.warn("class " + className + " has suspendable methods, but " + why + ", so a suspension through its"
                    + " methods is refused");
        }
        return guardEveryCall(bytes, true, why, "Compile " + className + " for Java 8 or later");
    }

    /**
     * A class loaded before the agent was installed, being retransformed: it cannot get new methods now, so it is
     * only guarded (see {@link #guardEveryCall}); null if it calls no suspendable method.
     */
    byte[] guardLoadedBefore(byte[] bytes, String className) {
        return guardEveryCall(bytes, false, "its class was loaded before the Spindle agent was installed", "Call"
                + " Spindle.install() before " + className + " is loaded (from a class with no suspendable code), or"
                + " start the JVM with -javaagent:spindle-agent.jar");
    }

    /**
     * The class as it was, with only the check of {@link #guardUninstrumentedMethod} after every suspendable call
     * in every method, or null if it makes none: what a class gets that cannot be rewritten (its rewrite failed,
     * or its class file is older than Java 8), so that a suspension through it is refused rather than its methods
     * running on with the placeholder result. The check adds no branch, so the class's own stack map frames stay
     * valid, and the writer keeps the constant pool as it was and adds only the check's few constants to it.
     * {@code loading}: the class is being loaded (not retransformed), so its {@code Coroutine::yield} references
     * can be pointed at the agent's entry too.
     */
    private byte[] guardEveryCall(byte[] bytes, boolean loading, String why, String advice) {
        Set<String> noRoom = new java.util.HashSet<>();
        for (;;) {
            ClassReader reader = new ClassReader(bytes);
            ClassNode cls = new ClassNode(ASM9);
            // below Java 6 the JVM ignores stack map frames, and ASM refuses to write a file's frames back there
            reader.accept(cls, reader.readUnsignedShort(6) < 50 ? ClassReader.SKIP_FRAMES : 0);
            // as in a rewritten class, so that the proxy stays transparent; not when retransforming a class whose
            // call sites may be linked already
            boolean changed = loading && redirectYieldReferences(cls);
            List<MethodNode> wrappers = new ArrayList<>();
            for (MethodNode m : cls.methods) {
                if (noRoom.contains(ClassInfo.key(m.name, m.desc))) {
                    wrappers.add(guardedWrapper(cls, m, why + "; not even the checks after its calls fit in it",
                            advice));
                } else {
                    changed |= guardUninstrumentedMethod(cls.name, m, why, advice);
                }
            }
            if (!changed && wrappers.isEmpty()) return null;
            cls.methods.addAll(wrappers);
            try {
                return BackwardJumps.writeWidenedIfNeeded(cls, false, () -> {
                    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
                    cls.accept(writer);
                    return writer.toByteArray();
                });
            } catch (MethodTooLargeException e) {
                // no room in the method even for the checks: it gets a wrapper that checks after calling it
                if (e.getMethodName().startsWith("<") || !noRoom.add(ClassInfo.key(e.getMethodName(),
                        e.getDescriptor()))) {
                    throw e;
                }
            }
        }
    }

    /**
     * For a method with no room for the checks after its calls: renames it (private, synthetic, unchanged) and
     * returns a method of its name, access and annotations that calls it and then checks, so that a suspension
     * through it is refused as it returns (it does run on to its end with the placeholder first, as JDK code
     * does), rather than its caller taking the placeholder for its result.
     */
    private static MethodNode guardedWrapper(ClassNode cls, MethodNode m, String why, String advice) {
        String original = m.name;
        boolean isStatic = (m.access & ACC_STATIC) != 0;
        MethodNode w = new MethodNode(ASM9, m.access & ~(ACC_SYNCHRONIZED | ACC_NATIVE | ACC_ABSTRACT), original,
                m.desc, m.signature, m.exceptions.toArray(new String[0]));
        w.visibleAnnotations = m.visibleAnnotations;
        w.invisibleAnnotations = m.invisibleAnnotations;
        w.visibleParameterAnnotations = m.visibleParameterAnnotations;
        w.invisibleParameterAnnotations = m.invisibleParameterAnnotations;
        w.annotationDefault = m.annotationDefault;
        w.parameters = m.parameters;
        m.visibleAnnotations = null;
        m.invisibleAnnotations = null;
        m.visibleParameterAnnotations = null;
        m.invisibleParameterAnnotations = null;
        m.name = original + MethodInstrumenter.COPY_SUFFIX + "unguarded";
        m.access = (m.access & ~(ACC_PUBLIC | ACC_PROTECTED | ACC_BRIDGE | ACC_VARARGS)) | ACC_PRIVATE | ACC_SYNTHETIC;
        int slot = 0;
        if (!isStatic) w.instructions.add(new VarInsnNode(ALOAD, slot++));
        for (Type p : Type.getArgumentTypes(m.desc)) {
            w.instructions.add(new VarInsnNode(p.getOpcode(ILOAD), slot));
            slot += p.getSize();
        }
        boolean isInterface = (cls.access & ACC_INTERFACE) != 0;
        w.instructions.add(new MethodInsnNode(isStatic ? INVOKESTATIC : INVOKESPECIAL, cls.name, m.name, m.desc,
                isInterface));
        w.instructions.add(new LdcInsnNode(MethodInstrumenter.describe(cls.name, original) + "|"
                + why.replace('|', '/') + "|" + advice));
        w.instructions.add(new MethodInsnNode(INVOKESTATIC, MethodInstrumenter.HOOKS, "afterCallInUninstrumentedMethod",
                "(Ljava/lang/String;)V", false));
        w.instructions.add(new InsnNode(Type.getReturnType(m.desc).getOpcode(IRETURN)));
        return w;
    }

    /**
     * The class rewritten; rewritten again if a merge of classes with no class file had to be guessed and the
     * class's frames tell more of them (see {@link LearnedSupertypes}).
     */
    private byte[] instrument(byte[] bytes, ClassInfo info, OversizedMethods oversized) {
        LearnedSupertypes learned = LearnedSupertypes.empty();
        for (int round = 1; ; round++) {
            // a round that is done again with more facts reports nothing: what it could not do, the next may
            PendingLog log = new PendingLog();
            byte[] out = instrument(bytes, info, oversized, learned, log);
            if (!learned.takeGuess() || round == 4 || !learnMore(bytes, learned)) {
                log.print();
                return out;
            }
        }
    }

    private boolean learnMore(byte[] bytes, LearnedSupertypes learned) {
        ClassNode cls = new ClassNode(ASM9);
        new ClassReader(bytes).accept(cls, ClassReader.EXPAND_FRAMES);
        return learned.learnFrom(cls, verifier(cls), hierarchy);
    }

    private byte[] instrument(byte[] bytes, ClassInfo info, OversizedMethods oversized,
                              LearnedSupertypes learned, PendingLog log) {
        Set<String> suspendable = rules.suspendableMethodsOf(info);
        ClassReader reader = new ClassReader(bytes);
        if (suspendable.isEmpty() && !info.mentionsSpindle && !MethodReferenceAdapters.mayNeedOne(info, rules)
                && !rules.callsSuspendable(reader)) {
            return null;
        }
        int major = reader.readUnsignedShort(6); // after the magic number and the minor version
        if (major < 52) return guardOldClass(bytes, info, suspendable, major - 44);

        ClassNode cls = new ClassNode(ASM9);
        // javac's frames are kept for what they say of merged types (see LearnedSupertypes); the writer computes
        // all frames anew
        reader.accept(cls, ClassReader.EXPAND_FRAMES);
        Map<String, TypeHints> hints = new HashMap<>();
        for (MethodNode m : cls.methods) {
            learned.learnFromHandlers(m, hierarchy); // needs no analysis, and the analysis may need it
            hints.put(ClassInfo.key(m.name, m.desc), TypeHints.of(m, learned));
        }
        HierarchyVerifier verifier = verifier(cls);
        boolean isInterface = (cls.access & ACC_INTERFACE) != 0;
        List<MethodNode> copies = new ArrayList<>();
        Map<String, Integer> copyNames = new HashMap<>();
        List<MethodNode> adapters = MethodReferenceAdapters.add(cls, rules);
        for (MethodNode a : adapters) {
            cls.methods.add(a);
            suspendable.add(ClassInfo.key(a.name, a.desc));
            hints.put(ClassInfo.key(a.name, a.desc), TypeHints.NONE);
        }
        boolean changed = !adapters.isEmpty();
        List<MethodNode> wrappers = new ArrayList<>();
        for (int index = 0; index < cls.methods.size(); index++) {
            MethodNode m = cls.methods.get(index);
            if (m.instructions.size() == 0) continue; // abstract or native
            String key = ClassInfo.key(m.name, m.desc);
            boolean isSuspendable = suspendable.contains(key) || hasAnnotation(m);
            if (m.name.equals("<init>") || m.name.equals("<clinit>")) {
                if (hasAnnotation(m)) {
                    log.warn("@Suspendable on " + (m.name.equals("<init>") ? "constructor" : "static initializer")
                            + " of " + info.name.replace('/', '.') + " ignored: constructors and static initializers"
                            + " cannot suspend");
                }
                changed |= guardInitializer(cls.name, m, oversized.tooLarge(key), oversized.noRoom(key), log);
                continue;
            }
            String method = MethodInstrumenter.describe(cls.name, m.name);
            if (!isSuspendable) {
                if (oversized.tooLarge(key)) {
                    wrappers.add(guardedWrapper(cls, m, "it is not @Suspendable, and has no room left under the"
                            + " JVM's 64 KB limit for the checks after its calls", "Split " + method + " into"
                            + " smaller methods, and mark those that call suspendable methods @Suspendable"));
                    log.warn("method " + method + m.desc + " has no room left under the JVM's 64 KB limit for the"
                            + " checks after its calls to suspendable methods: it is wrapped, and a suspension"
                            + " through it is refused at its next call of a suspendable method or when it returns;"
                            + " split it into smaller methods");
                    changed = true;
                } else {
                    changed |= guardPlainMethod(cls.name, m, log);
                }
                continue;
            }
            int n = copyNames.merge(m.name, 1, Integer::sum);
            String copyName = n == 1 ? m.name : m.name + MethodInstrumenter.COPY_SUFFIX + (n - 1);
            if (oversized.noRoom(key)) {
                wrappers.add(guardedWrapper(cls, m, "its rewrite would exceed the JVM's 64 KB limit; not even the"
                        + " checks after its calls fit in it", "Split " + method + " into smaller methods"));
                log.warn("could not instrument " + method + m.desc + ": the rewritten method exceeds the JVM's 64"
                        + " KB limit, and so do the checks after its calls; split it into smaller methods. It is"
                        + " wrapped, and a suspension through it is refused at its next call of a suspendable method"
                        + " or when it returns");
                changed = true;
                continue;
            }
            if (oversized.tooLarge(key)) {
                changed |= guardUninstrumentedMethod(cls.name, m, "its rewrite would exceed the JVM's 64 KB limit");
                log.warn("could not instrument " + method + m.desc + ": the rewritten method exceeds the JVM's 64"
                        + " KB limit; split it into smaller methods. It is left as it was and will refuse to suspend");
                continue;
            }
            verifier.hints = hints.get(key);
            try {
                MethodInstrumenter instrumenter = new MethodInstrumenter(cls.name, isInterface, cls.version,
                        cls.sourceFile, m, copyName, oversized.room(key), rules, verifier);
                List<MethodNode> made = instrumenter.instrument();
                oversized.made(key, made);
                copies.addAll(instrumenter.savers());
                for (MethodNode copy : made) {
                    copies.add(copy);
                    hints.put(ClassInfo.key(copy.name, copy.desc), verifier.hints);
                }
                changed = true;
                if (options.verbose()) {
                    log.info("instrumented " + method + m.desc + (made.isEmpty() ? " (no suspension points)"
                            : made.size() > 1 ? " (" + made.size() + " resume copies, for the 64 KB limit)" : ""));
                }
            } catch (AnalyzerException | RuntimeException e) {
                MethodNode plain = pristine(bytes, m.name, m.desc);
                cls.methods.set(index, plain);
                guardUninstrumentedMethod(cls.name, plain, e.getMessage(), e instanceof MethodInstrumenter.TooLarge
                        ? "Split " + method + " into smaller methods"
                        : "In " + method + ", call what suspends before the code the analysis rejected, or move"
                                + " that code into a plain method that does not suspend. Spindle should take whatever"
                                + " javac writes: if javac wrote this, report it");
                changed = true;
                log.warn("could not instrument " + method + m.desc + ": " + e.getMessage()
                        + "; it will refuse to suspend");
            }
        }
        changed |= redirectYieldReferences(cls);
        if (!changed && copies.isEmpty()) return null;
        cls.methods.addAll(copies);
        cls.methods.addAll(wrappers);
        byte[] out = BackwardJumps.writeWidenedIfNeeded(cls, true, () -> {
            HierarchyClassWriter writer = new HierarchyClassWriter(hierarchy);
            cls.accept(new ClassVisitor(ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] ex) {
                    writer.hints = hints.getOrDefault(ClassInfo.key(name, desc), TypeHints.NONE);
                    return super.visitMethod(access, name, desc, signature, ex);
                }
            });
            return writer.toByteArray();
        });
        if (options.verify()) verify(out, learned.readOnly(), log);
        return out;
    }

    private HierarchyVerifier verifier(ClassNode cls) {
        List<Type> interfaces = new ArrayList<>();
        for (String i : cls.interfaces) interfaces.add(Type.getObjectType(i));
        return new HierarchyVerifier(hierarchy, Type.getObjectType(cls.name),
                cls.superName == null ? null : Type.getObjectType(cls.superName), interfaces,
                (cls.access & ACC_INTERFACE) != 0);
    }

    private static boolean hasAnnotation(MethodNode m) {
        if (m.visibleAnnotations == null) return false;
        return m.visibleAnnotations.stream().anyMatch(a -> a.desc.equals(ClassInfo.SUSPENDABLE_DESC));
    }

    /**
     * A constructor or static initializer, which cannot suspend: checked after its suspendable calls as a plain
     * method is; with the shorter check of a method left as it was if those push it past the JVM's 64 KB limit
     * ({@code tooLarge}); left without checks if even those do ({@code noRoom}), for it cannot be wrapped (see
     * {@link #guardedWrapper}). The rest of the class is rewritten either way.
     */
    private boolean guardInitializer(String owner, MethodNode m, boolean tooLarge, boolean noRoom,
                                     PendingLog log) {
        String method = MethodInstrumenter.describe(owner, m.name) + m.desc;
        if (noRoom) {
            log.warn(method + " has no room left under the JVM's 64 KB limit for the checks after its calls to"
                    + " suspendable methods: it is left as it was, and a suspension through it goes undetected (it"
                    + " would run on with the placeholder result); split it into smaller methods");
            return false;
        }
        if (tooLarge) {
            log.warn(method + " is too large for the usual checks after its calls to suspendable methods under"
                    + " the JVM's 64 KB limit: it gets shorter ones");
            return guardUninstrumentedMethod(owner, m, "it is a constructor or static initializer, which cannot"
                    + " suspend, and too large for the usual checks", "Call what suspends outside "
                    + MethodInstrumenter.describe(owner, m.name) + ", or split it");
        }
        return guardPlainMethod(owner, m, log);
    }

    /**
     * In a method that is not suspendable, a call to a suspendable method that suspends is refused right after
     * it returns, before this method can run on with the placeholder result.
     */
    private boolean guardPlainMethod(String owner, MethodNode m, PendingLog log) {
        int guarded = 0;
        for (AbstractInsnNode insn : m.instructions.toArray()) {
            if (!(insn instanceof MethodInsnNode call)) continue;
            if (!rules.isSuspendableCall(call.owner, call.name, call.desc)) continue;
            LabelNode ok = new LabelNode();
            InsnList guard = new InsnList();
            guard.add(MethodInstrumenter.unwindingTest());
            guard.add(new JumpInsnNode(IFEQ, ok));
            guard.add(new LdcInsnNode(MethodInstrumenter.describe(owner, m.name)));
            guard.add(new LdcInsnNode(MethodInstrumenter.describe(call.owner, call.name)));
            guard.add(new MethodInsnNode(INVOKESTATIC, MethodInstrumenter.HOOKS, "afterCallInPlainMethod",
                    "(Ljava/lang/String;Ljava/lang/String;)V", false));
            guard.add(ok);
            m.instructions.insert(insn, guard);
            guarded++;
        }
        if (guarded > 0 && options.verbose()) {
            log.info("instrumented " + MethodInstrumenter.describe(owner, m.name) + m.desc + " (not suspendable:"
                    + " checked after its " + guarded + (guarded == 1 ? " call" : " calls")
                    + " of suspendable methods)");
        }
        return guarded > 0;
    }

    /**
     * A suspendable method that could not be rewritten (too large, or code the analysis refused): a suspension in
     * it is refused right after the call that suspended, as in a plain method, so that it does not run on with
     * the placeholder result. One call per site, with one constant, since the method may be near the size limit.
     */
    private boolean guardUninstrumentedMethod(String owner, MethodNode m, String why) {
        String method = MethodInstrumenter.describe(owner, m.name);
        return guardUninstrumentedMethod(owner, m, why, "Split " + method + " into smaller methods, or move the call"
                + " that suspends out of it");
    }

    private boolean guardUninstrumentedMethod(String owner, MethodNode m, String why, String advice) {
        // the hook splits the constant at its first two bars
        String check = MethodInstrumenter.describe(owner, m.name) + "|" + why.replace('|', '/') + "|" + advice;
        boolean changed = false;
        for (AbstractInsnNode insn : m.instructions.toArray()) {
            if (!(insn instanceof MethodInsnNode call)) continue;
            if (!rules.isSuspendableCall(call.owner, call.name, call.desc)) continue;
            if (call.owner.equals(SuspendableRules.COROUTINE) && call.name.equals("yield") && call.desc.equals("()V")) {
                // Coroutine.yield's own body would not know why this method was left as it was: tell it
                m.instructions.insertBefore(call, new LdcInsnNode(check));
                m.instructions.set(call, new MethodInsnNode(INVOKESTATIC, MethodInstrumenter.HOOKS,
                        "yieldInUninstrumentedMethod", "(Ljava/lang/String;)V", false));
                changed = true;
                continue;
            }
            InsnList guard = new InsnList();
            guard.add(new LdcInsnNode(check));
            guard.add(new MethodInsnNode(INVOKESTATIC, MethodInstrumenter.HOOKS, "afterCallInUninstrumentedMethod",
                    "(Ljava/lang/String;)V", false));
            m.instructions.insert(insn, guard);
            changed = true;
        }
        return changed;
    }

    /**
     * {@code Coroutine::yield} as a method reference: point it at the agent's yield entry, so the lambda's
     * proxy (which the agent cannot instrument) is transparent.
     */
    private static boolean redirectYieldReferences(ClassNode cls) {
        boolean changed = false;
        for (MethodNode m : cls.methods) {
            for (AbstractInsnNode insn : m.instructions) {
                if (!(insn instanceof InvokeDynamicInsnNode indy)) continue;
                for (int i = 0; i < indy.bsmArgs.length; i++) {
                    if (indy.bsmArgs[i] instanceof Handle h && h.getOwner().equals(SuspendableRules.COROUTINE)
                            && h.getName().equals("yield") && h.getDesc().equals("()V")) {
                        indy.bsmArgs[i] = new Handle(H_INVOKESTATIC, MethodInstrumenter.HOOKS, "yield", "()V", false);
                        changed = true;
                    }
                }
            }
        }
        return changed;
    }

    /** The method as it was in the class file, for when its rewrite failed half-way. */
    private static MethodNode pristine(byte[] bytes, String name, String desc) {
        ClassNode fresh = new ClassNode(ASM9);
        new ClassReader(bytes).accept(fresh, ClassReader.SKIP_FRAMES);
        return fresh.methods.stream().filter(m -> m.name.equals(name) && m.desc.equals(desc)).findFirst().orElseThrow();
    }

    /** The {@code verify} option: ASM's verifier over every method of the rewritten class, with what was learned. */
    private void verify(byte[] bytes, LearnedSupertypes learned, PendingLog log) {
        ClassNode cls = new ClassNode(ASM9);
        new ClassReader(bytes).accept(cls, ClassReader.EXPAND_FRAMES);
        HierarchyVerifier verifier = verifier(cls);
        for (MethodNode m : cls.methods) {
            if (m.instructions.size() == 0) continue;
            verifier.hints = TypeHints.of(m, learned);
            try {
                AsmLimits.lifted(new Analyzer<BasicValue>(verifier)).analyze(cls.name, m);
            } catch (AnalyzerException e) {
                log.warn("verify: rewritten class " + cls.name.replace('/', '.') + " fails verification in "
                        + m.name + m.desc + ": " + e.getMessage());
            }
        }
    }
}
