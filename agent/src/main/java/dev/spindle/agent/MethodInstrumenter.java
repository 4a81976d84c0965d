package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.TryCatchBlockNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Rewrites one suspendable method into a resumable state machine, in two parts:
 * <ul>
 *   <li>the method itself keeps its code; after each suspendable call it tests whether its thread is unwinding
 *       and if so saves its live locals and operand stack (the "save path", out of line at the end) and returns
 *       at once. Nothing is saved, and nothing allocated, unless a suspension actually happens;</li>
 *   <li>a static <em>resume copy</em> of the same code, taking the thread's carrier, the frame arrays and where
 *       the saved record starts in them, restores the frame saved at a given call and continues right after that
 *       call with the callee's result (or exception) taken from the carrier. Only the innermost frame is
 *       re-entered on a resume; its callers are re-entered, one by one, when it returns.</li>
 * </ul>
 */
final class MethodInstrumenter {
    static final String HOOKS = "dev/spindle/internal/Hooks";
    static final String CARRIER = "dev/spindle/internal/Carrier";
    static final String RESUMER = "dev/spindle/internal/Resumer";
    static final String RESUMER_FACTORY = "dev/spindle/internal/ResumerFactory";
    static final String FRAMES = "dev/spindle/internal/Frames";
    /** Marks the names of added methods that had to differ from their method's name (as the runtime knows). */
    static final String COPY_SUFFIX = "$spindle$";
    /** A copy takes the carrier, the saved frame's resume point, where its record starts and the two arrays. */
    static final String COPY_DESC = "(L" + CARRIER + ";III[I[Ljava/lang/Object;)V";
    // state 4095 is the runtime's "describe yourself"
    private static final int MAX_STATES = (1 << 12) - 1, MAX_SLOTS = (1 << 10) - 1;
    private static final Type NULL_TYPE = Type.getObjectType("null");

    /** A suspendable call that saves its frame when it suspends. */
    private static final class Site {
        MethodInsnNode call;
        int state;
        int[] locals;
        Type[] localTypes;
        Type[] stack; // below the call's arguments, bottom first
        int line;
        boolean monitor;
        /** A {@code Coroutine.yield()}, which always suspends. */
        boolean yields;
        int words, refs;

        /** Sites with equal signatures save and restore the same values: they share that code. */
        String signature() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < locals.length; i++) b.append(locals[i]).append(localTypes[i].getDescriptor()).append(',');
            b.append('|');
            for (Type t : stack) b.append(t.getDescriptor()).append(',');
            return b.toString();
        }
    }

    private final String owner;
    private final boolean ownerIsInterface;
    private final MethodNode method;
    private final String copyName;
    private final String id;
    private final SuspendableRules rules;
    private final HierarchyVerifier verifier;
    private final String sourceFile;
    private final int classVersion;
    /** The savers by site signature (null where the values are too many for one). */
    private final Map<String, MethodNode> savers = new LinkedHashMap<>();
    /** How many resume points the method has: its suspendable calls but those made holding a monitor. */
    private int resumePoints;
    /** How many bytes a resume copy may take, by {@link CodeSize}'s estimate, before its points are divided. */
    private final int room;
    /**
     * Where each resume copy's run of points starts, in order: a method whose one copy would pass the JVM's 64 KB
     * limit (its restores and its code after the resume points together) gets several, each resuming a run of
     * consecutive points and keeping only the code reachable from them.
     */
    private int[] firstStates = {0};

    MethodInstrumenter(String owner, boolean ownerIsInterface, int classVersion, String sourceFile,
                       MethodNode method, String copyName, int room, SuspendableRules rules,
                       HierarchyVerifier verifier) {
        this.owner = owner;
        this.classVersion = classVersion & 0xFFFF;
        this.ownerIsInterface = ownerIsInterface;
        this.sourceFile = sourceFile;
        this.method = method;
        this.copyName = copyName;
        this.room = room;
        this.rules = rules;
        this.verifier = verifier;
        this.id = describe(owner, method.name);
    }

    /** The method is beyond what a frame record can describe: splitting it is the way out. */
    static final class TooLarge extends IllegalArgumentException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** Pushes true (non-zero) while some thread unwinds: the test after every call. */
    static AbstractInsnNode unwindingTest() {
        return new MethodInsnNode(INVOKESTATIC, HOOKS, "unwinding", "()Z", false);
    }

    static String describe(String owner, String name) {
        return owner.replace('/', '.') + "." + name;
    }

    /**
     * Rewrites the method in place and returns its resume copies: one unless that would take more than {@code
     * room} bytes, and none if no call in it can suspend and save (then only the checks are added).
     */
    List<MethodNode> instrument() throws AnalyzerException {
        Set<AbstractInsnNode> suspending = new HashSet<>();
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode m && isSuspendable(m)) suspending.add(insn);
        }
        if (!suspending.isEmpty()) NewRelocator.relocate(owner, method, suspending);

        FlowAnalyzer flow = new FlowAnalyzer(owner, method, verifier);
        boolean synchronizedMethod = (method.access & ACC_SYNCHRONIZED) != 0;
        List<Site> sites = new ArrayList<>();
        for (int i = 0; i < method.instructions.size(); i++) {
            AbstractInsnNode insn = method.instructions.get(i);
            if (!suspending.contains(insn) || flow.frames[i] == null) continue;
            Site site = new Site();
            site.call = (MethodInsnNode) insn;
            site.line = lineOf(insn);
            site.monitor = synchronizedMethod || flow.holdsMonitor(i);
            site.yields = isYield(site.call);
            if (!site.monitor) {
                site.state = resumePoints++;
                describeFrame(site, flow.frames[i], flow.liveAfter(i));
            }
            sites.add(site);
        }
        if (resumePoints > MAX_STATES) throw new TooLarge("more than " + MAX_STATES + " suspension points");
        redirectYields();

        int carrierSlot = method.maxLocals;
        // after the carrier: the resumer while saving, then the record's arrays and where it starts in each
        int tempBase = carrierSlot + RECORD_SLOTS;
        int temps = 0;
        for (Site s : sites) {
            if (s.monitor) continue;
            int size = 0;
            for (Type t : s.stack) size += t.getSize();
            temps = Math.max(temps, size);
        }

        if (tempBase + temps + CURSOR_SLOTS > 0xFFFF) { // a class file's max_locals is two bytes
            throw new TooLarge("its " + method.maxLocals + " local variable slots leave no room for the "
                    + (RECORD_SLOTS + temps + CURSOR_SLOTS) + " the rewrite adds (the JVM allows 65,535)");
        }
        List<AbstractInsnNode> plainCalls = new ArrayList<>();
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode m && !suspending.contains(insn) && !m.owner.startsWith("dev/spindle/internal/")
                    && !cannotCallBack(m)) {
                plainCalls.add(insn);
            } else if (insn instanceof InvokeDynamicInsnNode indy && !cannotCallBack(indy)) {
                plainCalls.add(insn);
            }
        }
        // the copies first: they are made from the method as it was, and they settle which copy its savers name
        List<MethodNode> made = resumePoints == 0 ? List.of()
                : resumeCopies(sites, plainCalls, carrierSlot, tempBase, tempBase + temps);
        rewrite(method, false, sites, plainCalls, carrierSlot, tempBase, -1, null, -1);
        method.maxLocals = tempBase + temps;
        return made;
    }

    /**
     * The resume copies: one, or where that would take more than {@link #room} bytes, the points of each copy too
     * large divided in halves until every copy fits (so in sequential code, where a copy keeps all the code after
     * its first point, the first copies end up with fewer points). None can be made where even one point alone,
     * or {@link OversizedMethods#MAX_COPIES} copies, would not fit.
     */
    private List<MethodNode> resumeCopies(List<Site> sites, List<AbstractInsnNode> plainCalls, int carrierSlot,
                                          int tempBase, int cursorSlot) {
        TreeSet<Integer> starts = new TreeSet<>(List.of(0));
        for (;;) {
            firstStates = starts.stream().mapToInt(Integer::intValue).toArray();
            // all made anew each round: a copy's savers name the copies of the points they save
            List<MethodNode> made = new ArrayList<>();
            for (int part = 0; part < firstStates.length; part++) {
                MethodNode copy = resumeCopy(sites, plainCalls, carrierSlot, tempBase, cursorSlot, part);
                made.add(copy);
                if (CodeSize.atLeast(copy.instructions) <= room) continue;
                int first = firstStates[part], last = lastState(part);
                if (first == last || starts.size() >= OversizedMethods.MAX_COPIES) {
                    throw new TooLarge("the rewritten method exceeds the JVM's 64 KB limit, " + (first == last
                            ? "even in a resume copy for one of its suspension points alone (the code after it)"
                            : "even with its resume code divided among " + firstStates.length + " copies"));
                }
                starts.add(first + (last - first + 1) / 2);
            }
            if (starts.size() == firstStates.length) return made;
        }
    }

    private MethodNode resumeCopy(List<Site> sites, List<AbstractInsnNode> plainCalls, int carrierSlot, int tempBase,
                                  int cursorSlot, int part) {
        Map<AbstractInsnNode, AbstractInsnNode> twin = new HashMap<>();
        MethodNode copy = cloneAsCopy(twin, copyName(part));
        rewrite(copy, true, sites, plainCalls, carrierSlot, tempBase, cursorSlot, twin, part);
        copy.maxLocals = cursorSlot + CURSOR_SLOTS;
        DeadCode.prune(copy);
        return copy;
    }

    private String copyName(int part) {
        return firstStates.length == 1 ? copyName : copyName + COPY_SUFFIX + "part" + part;
    }

    /** The copy that resumes the frames saved at {@code state}. */
    private int partOf(int state) {
        int at = Arrays.binarySearch(firstStates, state);
        return at >= 0 ? at : -at - 2;
    }

    private int lastState(int part) {
        return part + 1 < firstStates.length ? firstStates[part + 1] - 1 : resumePoints - 1;
    }

    private static final Set<String> VALUE_CLASSES = Set.of("java/lang/String", "java/lang/Math",
            "java/lang/StrictMath", "java/lang/Integer", "java/lang/Long", "java/lang/Double", "java/lang/Float",
            "java/lang/Short", "java/lang/Byte", "java/lang/Character", "java/lang/Boolean");

    /**
     * A JDK value-class method that takes only primitives and strings cannot call back into user code, so no
     * suspension can pass through it: it needs no guard after it (these are the calls on every fast path).
     */
    private static boolean cannotCallBack(MethodInsnNode m) {
        return VALUE_CLASSES.contains(m.owner) && onlyPrimitivesAndStrings(m.desc);
    }

    /**
     * Likewise for an {@code invokedynamic}: a lambda's factory calls nothing, and string concatenation calls
     * {@code toString()} only of the objects it is given. Any other bootstrap may link to user code. (The class
     * initialization {@link NewRelocator} leaves is no more a call than the {@code new} it stands for.)
     */
    private static boolean cannotCallBack(InvokeDynamicInsnNode indy) {
        String bootstrap = indy.bsm.getOwner();
        return bootstrap.equals(ClassInfo.LAMBDA_METAFACTORY) || bootstrap.equals(NewRelocator.CLASS_INIT_TRIGGER)
                || bootstrap.equals("java/lang/invoke/StringConcatFactory") && onlyPrimitivesAndStrings(indy.desc);
    }

    private static boolean onlyPrimitivesAndStrings(String desc) {
        for (Type t : Type.getArgumentTypes(desc)) {
            if (t.getSort() == Type.ARRAY || t.getSort() == Type.OBJECT && !t.getInternalName().equals("java/lang/String")) {
                return false;
            }
        }
        return true;
    }

    private boolean isSuspendable(MethodInsnNode m) {
        return rules.isSuspendableCall(m.owner, m.name, m.desc);
    }

    private static boolean isYield(MethodInsnNode m) {
        return m.owner.equals(SuspendableRules.COROUTINE) && m.name.equals("yield") && m.desc.equals("()V");
    }

    private void redirectYields() {
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode m && isYield(m)) m.owner = HOOKS;
        }
    }

    /** The line number in effect at {@code insn}, or 0 if the method has none there. */
    private static int lineOf(AbstractInsnNode insn) {
        for (AbstractInsnNode p = insn; p != null; p = p.getPrevious()) {
            if (p instanceof LineNumberNode l) return l.line;
        }
        return 0;
    }

    private void describeFrame(Site site, Frame<BasicValue> frame, BitSet live) {
        List<Integer> locals = new ArrayList<>();
        List<Type> types = new ArrayList<>();
        for (int l = 0; l < frame.getLocals(); l++) {
            Type t = frame.getLocal(l).getType();
            if (t == null || !live.get(l)) continue;
            if (t.getSort() == Type.METHOD) continue;
            locals.add(l);
            types.add(t);
        }
        site.locals = locals.stream().mapToInt(Integer::intValue).toArray();
        site.localTypes = types.toArray(new Type[0]);
        int args = Type.getArgumentTypes(site.call.desc).length + (site.call.getOpcode() == INVOKESTATIC ? 0 : 1);
        int below = frame.getStackSize() - args;
        site.stack = new Type[below];
        for (int j = 0; j < below; j++) {
            Type t = frame.getStack(j).getType();
            if (t == null) throw new IllegalArgumentException("unknown value on the stack at line " + site.line);
            site.stack[j] = t;
        }
        for (Type t : site.localTypes) count(site, t);
        for (Type t : site.stack) count(site, t);
        if (site.words > MAX_SLOTS || site.refs > MAX_SLOTS) {
            throw new TooLarge("too many live values at line " + site.line);
        }
    }

    private static void count(Site site, Type t) {
        if (isRef(t)) {
            if (!t.equals(NULL_TYPE)) site.refs++;
        } else {
            site.words += t.getSize();
        }
    }

    private static boolean isRef(Type t) {
        return t.getSort() == Type.OBJECT || t.getSort() == Type.ARRAY;
    }

    // ---- building the copy ----

    /** Access of the static methods added to the class: private, except in an interface older than Java 9. */
    private int helperAccess() {
        return helperAccess(ownerIsInterface, classVersion);
    }

    /** Access of a static method the agent adds to a class ({@code classVersion} without its minor part). */
    static int helperAccess(boolean ownerIsInterface, int classVersion) {
        boolean privateOk = !ownerIsInterface || classVersion >= 53;
        return ACC_STATIC | ACC_SYNTHETIC | (privateOk ? ACC_PRIVATE : ACC_PUBLIC);
    }

    /** A copy named {@code name} of the method's code, each of whose instructions has its twin in {@code twin}. */
    private MethodNode cloneAsCopy(Map<AbstractInsnNode, AbstractInsnNode> twin, String name) {
        MethodNode copy = new MethodNode(ASM9, helperAccess(), name, COPY_DESC, null, null);
        Map<LabelNode, LabelNode> labels = new HashMap<>();
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof LabelNode l) labels.put(l, new LabelNode());
        }
        for (AbstractInsnNode insn : method.instructions) {
            AbstractInsnNode c = insn.clone(labels);
            copy.instructions.add(c);
            twin.put(insn, c);
        }
        for (TryCatchBlockNode t : method.tryCatchBlocks) {
            copy.tryCatchBlocks.add(new TryCatchBlockNode(labels.get(t.start), labels.get(t.end),
                    labels.get(t.handler), t.type));
        }
        return copy;
    }

    // ---- the rewrite, shared by the method and its copy ----

    private void rewrite(MethodNode target, boolean isCopy, List<Site> sites, List<AbstractInsnNode> plainCalls,
                         int carrierSlot, int tempBase, int cursorSlot, Map<AbstractInsnNode, AbstractInsnNode> twin,
                         int part) {
        InsnList insns = target.instructions;
        InsnList outOfLine = new InsnList();
        Type returnType = Type.getReturnType(method.desc);

        // guards after calls that cannot suspend: a suspension must not pass through them
        Map<AbstractInsnNode, Integer> positions = positions(insns);
        List<TryCatchBlockNode> refusalHandlers = new ArrayList<>();
        for (AbstractInsnNode original : plainCalls) {
            AbstractInsnNode at = isCopy ? twin.get(original) : original;
            insns.insert(at, checkOutOfLine(target, at, positions, outOfLine, refusalHandlers, callee(original)));
        }

        guardHandlers(target);
        target.tryCatchBlocks.addAll(refusalHandlers);

        LabelNode[] landings = new LabelNode[resumePoints];
        Map<String, LabelNode> sharedSaves = new HashMap<>();
        for (Site s : sites) {
            AbstractInsnNode at = isCopy ? twin.get(s.call) : s.call;
            if (s.monitor) {
                insns.insert(at, monitorGuard(s.call));
                continue;
            }
            LabelNode cont = new LabelNode();
            LabelNode maybe = new LabelNode();
            LabelNode saveLabel = new LabelNode();
            InsnList after = new InsnList();
            if (s.yields) {
                // a yield always suspends, and the hook returns the carrier: straight to the save path
                // (a new node: the site's call still describes the yield for the other method's rewrite)
                MethodInsnNode suspend = new MethodInsnNode(INVOKESTATIC, HOOKS, "suspend",
                        isCopy ? "(L" + CARRIER + ";)L" + CARRIER + ";" : "()L" + CARRIER + ";", false);
                insns.set(at, suspend);
                if (isCopy) insns.insertBefore(suspend, new VarInsnNode(ALOAD, carrierSlot));
                at = suspend;
                // (never null: the test only keeps the code after the call reachable, as the verifier wants it)
                after.add(new InsnNode(DUP));
                after.add(new JumpInsnNode(IFNONNULL, saveLabel));
                after.add(new InsnNode(POP));
            } else {
                after.add(unwindingTest());
                after.add(new JumpInsnNode(IFNE, maybe));
            }
            if (isCopy) {
                // the landing: where a resumed frame gets its callee's result; it cannot be unwinding there
                LabelNode land = new LabelNode();
                landings[s.state] = land;
                after.add(new JumpInsnNode(GOTO, cont));
                after.add(land);
                land(after, carrierSlot, Type.getReturnType(s.call.desc));
            }
            after.add(cont);
            insns.insert(at, after);
            save(outOfLine, s, s.yields ? null : maybe, saveLabel, cont, carrierSlot, tempBase, isCopy, returnType,
                    sharedSaves);
        }

        if (isCopy) {
            for (AbstractInsnNode insn : insns.toArray()) {
                int op = insn.getOpcode();
                if (op >= IRETURN && op <= RETURN) insns.insertBefore(insn, returnThroughCarrier(insn, carrierSlot, returnType));
            }
            for (AbstractInsnNode insn : insns.toArray()) {
                int op = insn.getOpcode();
                if (op >= IRETURN && op <= ARETURN) insns.set(insn, new InsnNode(RETURN));
            }
            insns.insert(prologue(sites, landings, carrierSlot, cursorSlot, part));
        } else {
            LabelNode back = new LabelNode();
            LabelNode out = new LabelNode();
            InsnList entry = new InsnList();
            entry.add(unwindingTest());
            entry.add(new JumpInsnNode(IFNE, out));
            entry.add(back);
            insns.insert(entry);
            outOfLine.add(out);
            outOfLine.add(new LdcInsnNode(id));
            outOfLine.add(new MethodInsnNode(INVOKESTATIC, HOOKS, "entered", "(Ljava/lang/String;)V", false));
            outOfLine.add(new JumpInsnNode(GOTO, back));
        }
        insns.add(outOfLine);
    }

    /** What a plain call calls (for an {@code invokedynamic}, its bootstrap), as "Class.method" for messages. */
    private static String callee(AbstractInsnNode call) {
        if (call instanceof MethodInsnNode m) return describe(m.owner, m.name);
        Handle bsm = ((InvokeDynamicInsnNode) call).bsm;
        return describe(bsm.getOwner(), bsm.getName());
    }

    /**
     * {@code if (Hooks.unwinding != 0) Hooks.afterPlainCall(caller, callee)} after the plain call {@code call}, the
     * hook's call out of line. The refusal it throws belongs to the call: the out-of-line code gets the call's
     * line number, and the handlers around the call (a catch, a finally, a synchronized block's monitor exit)
     * also cover it, in {@code refusalHandlers} (their ranges overlap no other, so appending them to the table
     * keeps the order in which the JVM looks for a handler).
     */
    private InsnList checkOutOfLine(MethodNode target, AbstractInsnNode call, Map<AbstractInsnNode, Integer> positions,
                                    InsnList outOfLine, List<TryCatchBlockNode> refusalHandlers, String callee) {
        LabelNode back = new LabelNode();
        LabelNode out = new LabelNode();
        LabelNode end = new LabelNode();
        InsnList check = new InsnList();
        check.add(unwindingTest());
        check.add(new JumpInsnNode(IFNE, out));
        check.add(back);
        outOfLine.add(out);
        int line = lineOf(call);
        if (line > 0) outOfLine.add(new LineNumberNode(line, out));
        outOfLine.add(new LdcInsnNode(id));
        outOfLine.add(new LdcInsnNode(callee));
        outOfLine.add(new MethodInsnNode(INVOKESTATIC, HOOKS, "afterPlainCall",
                "(Ljava/lang/String;Ljava/lang/String;)V", false));
        outOfLine.add(end);
        outOfLine.add(new JumpInsnNode(GOTO, back));
        int at = positions.get(call);
        for (TryCatchBlockNode t : target.tryCatchBlocks) {
            if (positions.get(t.start) <= at && at < positions.get(t.end)) {
                refusalHandlers.add(new TryCatchBlockNode(out, end, t.handler, t.type));
            }
        }
        return check;
    }

    /** Each instruction's index in {@code insns}, taken before the rewrite inserts anything. */
    private static Map<AbstractInsnNode, Integer> positions(InsnList insns) {
        Map<AbstractInsnNode, Integer> positions = new IdentityHashMap<>();
        int i = 0;
        for (AbstractInsnNode insn : insns) positions.put(insn, i++);
        return positions;
    }

    private InsnList monitorGuard(MethodInsnNode callee) {
        LabelNode ok = new LabelNode();
        InsnList guard = new InsnList();
        guard.add(unwindingTest());
        guard.add(new JumpInsnNode(IFEQ, ok));
        guard.add(new LdcInsnNode(id));
        // a Coroutine.yield() was redirected to the hooks' by now: named as the user wrote it
        String owner = callee.owner.equals(HOOKS) ? SuspendableRules.COROUTINE : callee.owner;
        guard.add(new LdcInsnNode(describe(owner, callee.name)));
        guard.add(new MethodInsnNode(INVOKESTATIC, HOOKS, "afterCallHoldingMonitor",
                "(Ljava/lang/String;Ljava/lang/String;)V", false));
        guard.add(ok);
        return guard;
    }

    /**
     * The out-of-line save path of one call site: pop the call's placeholder result, note the state, and jump to
     * the save code shared by all sites with the same live values. From {@code maybe} it first asks whether this
     * thread is unwinding (some thread is); {@code saveLabel} expects the unwinding carrier on the stack, above
     * the call's result. A yield site, which always suspends, has no {@code maybe}.
     */
    private void save(InsnList out, Site s, LabelNode maybe, LabelNode saveLabel, LabelNode cont, int carrierSlot,
                      int tempBase, boolean isCopy, Type returnType, Map<String, LabelNode> shared) {
        if (maybe != null) {
            out.add(maybe);
            if (isCopy) {
                out.add(new VarInsnNode(ALOAD, carrierSlot));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "ifUnwinding", "()L" + CARRIER + ";", false));
            } else {
                out.add(new MethodInsnNode(INVOKESTATIC, HOOKS, "unwindingCarrier", "()L" + CARRIER + ";", false));
            }
            out.add(new InsnNode(DUP));
            out.add(new JumpInsnNode(IFNONNULL, saveLabel));
            out.add(new InsnNode(POP));
            out.add(new JumpInsnNode(GOTO, cont));
        }
        out.add(saveLabel);
        out.add(new VarInsnNode(ASTORE, carrierSlot));
        Type ret = Type.getReturnType(s.call.desc);
        if (ret.getSize() == 1) out.add(new InsnNode(POP));
        else if (ret.getSize() == 2) out.add(new InsnNode(POP2));
        out.add(resumerIndy(s));
        out.add(new VarInsnNode(ASTORE, carrierSlot + 1));
        String signature = s.signature();
        LabelNode common = shared.get(signature);
        if (common != null) {
            out.add(new JumpInsnNode(GOTO, common));
            return;
        }
        common = new LabelNode();
        shared.put(signature, common);
        out.add(common);
        MethodNode saver = saver(s);
        if (saver != null) {
            // the stack's values are the saver's first arguments already; then the locals, carrier and resumer
            for (int i = 0; i < s.locals.length; i++) {
                out.add(new VarInsnNode(s.localTypes[i].getOpcode(ILOAD), s.locals[i]));
            }
            out.add(new VarInsnNode(ALOAD, carrierSlot));
            out.add(new VarInsnNode(ALOAD, carrierSlot + 1));
            out.add(new MethodInsnNode(INVOKESTATIC, owner, saver.name, saver.desc, ownerIsInterface));
        } else {
            saveInline(out, s, carrierSlot, tempBase);
        }
        if (isCopy) {
            out.add(new InsnNode(RETURN));
        } else {
            out.add(defaultValue(returnType));
            out.add(new InsnNode(returnType.getOpcode(IRETURN)));
        }
    }

    /** Saves the record with code in the method itself: for a frame whose values are too many for a saver's arguments. */
    private static void saveInline(InsnList out, Site s, int carrierSlot, int tempBase) {
        int[] tempSlots = new int[s.stack.length];
        int slot = tempBase;
        for (int j = 0; j < s.stack.length; j++) {
            tempSlots[j] = slot;
            slot += s.stack[j].getSize();
        }
        for (int j = s.stack.length - 1; j >= 0; j--) {
            Type t = s.stack[j];
            if (t.equals(NULL_TYPE)) out.add(new InsnNode(POP));
            else out.add(new VarInsnNode(t.getOpcode(ISTORE), tempSlots[j]));
        }
        writeRecord(out, s, carrierSlot, s.locals, tempSlots);
    }

    /**
     * {@code beginFrame(resumer)} and the values, from the slots given, straight into the continuation's arrays;
     * the carrier and the resumer are in {@code carrierSlot} and the next slot, the four after that are free.
     */
    private static void writeRecord(InsnList out, Site s, int carrierSlot, int[] localSlots, int[] stackSlots) {
        Record record = new Record(carrierSlot);
        // room for the record (which may replace the arrays), then where it starts, then the arrays
        out.add(new VarInsnNode(ALOAD, carrierSlot));
        out.add(new VarInsnNode(ALOAD, carrierSlot + 1));
        out.add(new LdcInsnNode(header(0, s))); // the sizes alone
        out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "beginFrame", "(L" + RESUMER + ";I)V", false));
        record.loadSaveStart(out, s);
        record.loadArrays(out, s);
        for (int i = 0; i < s.locals.length; i++) record.save(out, s.localTypes[i], localSlots[i]);
        for (int j = 0; j < s.stack.length; j++) record.save(out, s.stack[j], stackSlots[j]);
    }

    /**
     * The static method that writes the records of the sites with {@code s}'s signature, shared by the method and
     * its copy: {@code (stack values, locals, Carrier, Resumer)V}. Out of the method, the save code does not count
     * towards the size the JIT weighs when it decides to inline the method. Null if the values are too many
     * for a method's arguments.
     */
    private MethodNode saver(Site s) {
        String signature = s.signature();
        MethodNode saver = savers.get(signature);
        if (saver != null || savers.containsKey(signature)) return saver;
        StringBuilder desc = new StringBuilder("(");
        int slot = 0;
        int[] stackSlots = new int[s.stack.length];
        for (int j = 0; j < s.stack.length; j++) {
            stackSlots[j] = slot;
            slot += s.stack[j].getSize();
            desc.append(argument(s.stack[j]));
        }
        int[] localSlots = new int[s.locals.length];
        for (int i = 0; i < s.locals.length; i++) {
            localSlots[i] = slot;
            slot += s.localTypes[i].getSize();
            desc.append(argument(s.localTypes[i]));
        }
        if (slot + 2 > MAX_ARGUMENT_SLOTS) {
            savers.put(signature, null);
            return null;
        }
        desc.append('L').append(CARRIER).append(";L").append(RESUMER).append(";)V");
        saver = new MethodNode(ASM9, helperAccess(), copyName + COPY_SUFFIX + "save" + savers.size(),
                desc.toString(), null, null);
        writeRecord(saver.instructions, s, slot, localSlots, stackSlots);
        saver.instructions.add(new InsnNode(RETURN));
        saver.maxLocals = slot + RECORD_SLOTS;
        saver.maxStack = 6;
        savers.put(signature, saver);
        return saver;
    }

    /** The savers made for this method (to be added to its class). */
    List<MethodNode> savers() {
        List<MethodNode> made = new ArrayList<>();
        for (MethodNode m : savers.values()) if (m != null) made.add(m);
        return made;
    }

    /** A saver's parameter type for a value: what the record needs of it, so no class has to be loaded. */
    private static String argument(Type t) {
        return switch (t.getSort()) {
            case Type.OBJECT, Type.ARRAY -> "Ljava/lang/Object;";
            case Type.LONG -> "J";
            case Type.DOUBLE -> "D";
            case Type.FLOAT -> "F";
            default -> "I";
        };
    }

    /** Local slots after the carrier's: the resumer, the word array, its start, the reference array, its start. */
    private static final int RECORD_SLOTS = 6;
    /** A copy's: the resume point, where the record starts in each array, and the arrays. */
    private static final int CURSOR_SLOTS = 5;
    /** A method's arguments take at most 255 slots. */
    private static final int MAX_ARGUMENT_SLOTS = 255;

    /**
     * Writes or reads a frame record straight in the continuation's arrays, each value at a constant offset from
     * the record's start, so the JIT checks the bounds once and keeps the cursor in a register.
     */
    private static final class Record {
        private final int carrier, words, wordStart, refs, refStart;
        private int word, ref;

        /** A record to write: its arrays and where it starts go in the slots after the carrier's. */
        Record(int carrierSlot) {
            this(carrierSlot, carrierSlot + 2, carrierSlot + 3, carrierSlot + 4, carrierSlot + 5);
        }

        /** A record to read, in the arrays and from the starts that the slots given hold. */
        Record(int carrierSlot, int wordsSlot, int wordStartSlot, int refsSlot, int refStartSlot) {
            carrier = carrierSlot;
            words = wordsSlot;
            wordStart = wordStartSlot;
            refs = refsSlot;
            refStart = refStartSlot;
        }

        /** Asks the carrier where the record to write starts in each array it uses (references after the resumer). */
        void loadSaveStart(InsnList out, Site s) {
            if (s.words > 0) {
                out.add(new VarInsnNode(ALOAD, carrier));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "saveWord", "()I", false));
                out.add(new VarInsnNode(ISTORE, wordStart));
            }
            if (s.refs > 0) {
                out.add(new VarInsnNode(ALOAD, carrier));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "saveRef", "()I", false));
                out.add(new VarInsnNode(ISTORE, refStart));
            }
        }

        void loadArrays(InsnList out, Site s) {
            if (s.words > 0) {
                out.add(new VarInsnNode(ALOAD, carrier));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "words", "()[I", false));
                out.add(new VarInsnNode(ASTORE, words));
            }
            if (s.refs > 0) {
                out.add(new VarInsnNode(ALOAD, carrier));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "refs", "()[Ljava/lang/Object;", false));
                out.add(new VarInsnNode(ASTORE, refs));
            }
        }

        /** {@code array, start + offset}: where the next value of the record goes. */
        private void place(InsnList out, boolean isRef) {
            out.add(new VarInsnNode(ALOAD, isRef ? refs : words));
            out.add(new VarInsnNode(ILOAD, isRef ? refStart : wordStart));
            int offset = isRef ? ref : word;
            if (offset != 0) {
                out.add(new LdcInsnNode(offset));
                out.add(new InsnNode(IADD));
            }
        }

        void save(InsnList out, Type t, int slot) {
            if (t.equals(NULL_TYPE)) return;
            place(out, isRef(t));
            out.add(new VarInsnNode(t.getOpcode(ILOAD), slot));
            switch (t.getSort()) {
                case Type.OBJECT, Type.ARRAY -> out.add(new InsnNode(AASTORE));
                case Type.LONG -> out.add(frames("putLong", "([IIJ)V"));
                case Type.DOUBLE -> {
                    out.add(new MethodInsnNode(INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false));
                    out.add(frames("putLong", "([IIJ)V"));
                }
                case Type.FLOAT -> {
                    out.add(new MethodInsnNode(INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false));
                    out.add(new InsnNode(IASTORE));
                }
                default -> out.add(new InsnNode(IASTORE));
            }
            advance(t);
        }

        /** Pushes the next value of the record; a reference is taken out of the array for the GC's sake. */
        void restore(InsnList out, Type t) {
            if (t.equals(NULL_TYPE)) {
                out.add(new InsnNode(ACONST_NULL));
                return;
            }
            place(out, isRef(t));
            switch (t.getSort()) {
                case Type.OBJECT, Type.ARRAY -> {
                    out.add(frames("take", "([Ljava/lang/Object;I)Ljava/lang/Object;"));
                    if (!t.getDescriptor().equals("Ljava/lang/Object;")) {
                        out.add(new TypeInsnNode(CHECKCAST, t.getInternalName()));
                    }
                }
                case Type.LONG -> out.add(frames("getLong", "([II)J"));
                case Type.DOUBLE -> {
                    out.add(frames("getLong", "([II)J"));
                    out.add(new MethodInsnNode(INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false));
                }
                case Type.FLOAT -> {
                    out.add(new InsnNode(IALOAD));
                    out.add(new MethodInsnNode(INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false));
                }
                default -> out.add(new InsnNode(IALOAD));
            }
            advance(t);
        }

        private void advance(Type t) {
            if (isRef(t)) ref++;
            else word += t.getSize();
        }

        private static MethodInsnNode frames(String name, String desc) {
            return new MethodInsnNode(INVOKESTATIC, FRAMES, name, desc, false);
        }
    }

    /** A resumer's header, as {@code Frames.header} packs it: the resume point and the sizes of {@code s}'s record. */
    private static int header(int state, Site s) {
        return state | s.words << 12 | s.refs << 22;
    }

    /** The resumer of the frames saved at {@code s}: its copy, its resume point and the size of its record. */
    private AbstractInsnNode resumerIndy(Site s) {
        Handle factory = new Handle(H_INVOKESTATIC, RESUMER_FACTORY, "resumer",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;"
                        + "Ljava/lang/invoke/MethodHandle;I)Ljava/lang/invoke/CallSite;", false);
        Handle copy = new Handle(H_INVOKESTATIC, owner, copyName(partOf(s.state)), COPY_DESC, ownerIsInterface);
        return new InvokeDynamicInsnNode("resume", "()L" + RESUMER + ";", factory, copy, header(s.state, s));
    }

    private static AbstractInsnNode defaultValue(Type t) {
        return switch (t.getSort()) {
            case Type.VOID -> new InsnNode(NOP);
            case Type.LONG -> new InsnNode(LCONST_0);
            case Type.FLOAT -> new InsnNode(FCONST_0);
            case Type.DOUBLE -> new InsnNode(DCONST_0);
            case Type.OBJECT, Type.ARRAY -> new InsnNode(ACONST_NULL);
            default -> new InsnNode(ICONST_0);
        };
    }

    /** At a landing: the suspended call's result (or exception) from the carrier. */
    private static void land(InsnList out, int carrierSlot, Type ret) {
        out.add(new VarInsnNode(ALOAD, carrierSlot));
        switch (ret.getSort()) {
            case Type.VOID -> out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "landV", "()V", false));
            case Type.LONG -> out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "landJ", "()J", false));
            case Type.FLOAT -> out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "landF", "()F", false));
            case Type.DOUBLE -> out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "landD", "()D", false));
            case Type.OBJECT, Type.ARRAY -> {
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "landR", "()Ljava/lang/Object;", false));
                if (!ret.getDescriptor().equals("Ljava/lang/Object;")) out.add(new TypeInsnNode(CHECKCAST, ret.getInternalName()));
            }
            default -> out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "landI", "()I", false));
        }
    }

    /** Exceptions a handler may catch that the refusal ({@code IllegalStateException}) is an instance of. */
    private static final Set<String> CATCH_REFUSAL = Set.of("java/lang/Throwable", "java/lang/Exception",
            "java/lang/RuntimeException", "java/lang/IllegalStateException");

    /**
     * At the entry of each exception handler: if this thread is unwinding, code that is not instrumented got a
     * suspended call's placeholder and threw instead of returning; running the handler would go on with the
     * suspension half made. {@code Hooks.caught} refuses the suspension then, and the handler gets the refusal
     * in place of what it caught, or, if it cannot catch an {@code IllegalStateException}, the refusal is
     * thrown from there. Then, in a handler of the program's own (not a {@code finally}), {@code Hooks.handled}
     * gives what it caught its suspended callers in its stack trace, if it needs them.
     */
    private void guardHandlers(MethodNode target) {
        // a handler's types: one, or a multi-catch's (its ranges may be split, as around a finally's copies)
        Map<LabelNode, Set<String>> types = new LinkedHashMap<>();
        for (TryCatchBlockNode t : target.tryCatchBlocks) {
            types.computeIfAbsent(t.handler, h -> new HashSet<>()).add(t.type);
        }
        for (Map.Entry<LabelNode, Set<String>> e : types.entrySet()) {
            Set<String> caught = e.getValue();
            String type = caught.iterator().next();
            boolean replace = caught.size() == 1 && (type == null || CATCH_REFUSAL.contains(type));
            LabelNode ok = new LabelNode();
            InsnList guard = new InsnList();
            guard.add(unwindingTest());
            guard.add(new JumpInsnNode(IFEQ, ok));
            if (!replace) guard.add(new InsnNode(DUP)); // the handler keeps what it caught (its type may be a union's)
            guard.add(new LdcInsnNode(id));
            guard.add(new InsnNode(replace ? ICONST_1 : ICONST_0));
            guard.add(new MethodInsnNode(INVOKESTATIC, HOOKS, "caught",
                    "(Ljava/lang/Throwable;Ljava/lang/String;Z)Ljava/lang/Throwable;", false));
            if (!replace) guard.add(new InsnNode(POP));
            else if (type != null && !type.equals("java/lang/Throwable")) guard.add(new TypeInsnNode(CHECKCAST, type));
            guard.add(ok);
            // not for javac's catch-all of a finally block (or a synchronized block), which throws it on: it is
            // completed where it is caught or where it leaves the resumed frame
            if (!(caught.size() == 1 && type == null)) {
                guard.add(new InsnNode(DUP));
                guard.add(new MethodInsnNode(INVOKESTATIC, HOOKS, "handled", "(Ljava/lang/Throwable;)V", false));
            }
            target.instructions.insert(e.getKey(), guard);
        }
    }

    /** In the copy, before a return: hand the result to the carrier. */
    private static InsnList returnThroughCarrier(AbstractInsnNode ret, int carrierSlot, Type returnType) {
        InsnList out = new InsnList();
        switch (ret.getOpcode()) {
            case RETURN -> {
                out.add(new VarInsnNode(ALOAD, carrierSlot));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "returnV", "()V", false));
            }
            case LRETURN, DRETURN -> {
                out.add(new VarInsnNode(ALOAD, carrierSlot));
                out.add(new InsnNode(DUP_X2));
                out.add(new InsnNode(POP));
                boolean isLong = ret.getOpcode() == LRETURN;
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, isLong ? "returnJ" : "returnD", isLong ? "(J)V" : "(D)V", false));
            }
            case FRETURN -> {
                out.add(new VarInsnNode(ALOAD, carrierSlot));
                out.add(new InsnNode(SWAP));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "returnF", "(F)V", false));
            }
            case ARETURN -> {
                out.add(new VarInsnNode(ALOAD, carrierSlot));
                out.add(new InsnNode(SWAP));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "returnR", "(Ljava/lang/Object;)V", false));
            }
            default -> { // IRETURN: remember which int-like type it was, for boxing on the way
                out.add(new VarInsnNode(ALOAD, carrierSlot));
                out.add(new InsnNode(SWAP));
                char kind = returnType.getSort() == Type.VOID ? 'I' : returnType.getDescriptor().charAt(0);
                out.add(new IntInsnNode(BIPUSH, kind));
                out.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "returnI", "(IC)V", false));
            }
        }
        return out;
    }

    /**
     * A switch from the saved state to its landing over only the states of one group. A switch over all of the
     * method's states in every group grew as the square of the points in methods with many groups, such as those
     * whose {@code finally} bodies javac copies once per exit. The kind of switch is chosen by javac's cost rule.
     */
    private static AbstractInsnNode groupSwitch(List<Site> group, LabelNode[] landings, LabelNode otherwise) {
        int[] keys = group.stream().mapToInt(g -> g.state).sorted().toArray();
        int lo = keys[0], hi = keys[keys.length - 1];
        // javac's costs: space plus three times time, where a table takes 3 units of time and a lookup one per key
        long tableCost = 4L + (hi - lo + 1) + 3 * 3, lookupCost = 3L + 2L * keys.length + 3L * keys.length;
        if (tableCost <= lookupCost) {
            LabelNode[] targets = new LabelNode[hi - lo + 1];
            Arrays.fill(targets, otherwise);
            for (int k : keys) targets[k - lo] = landings[k];
            return new TableSwitchInsnNode(lo, hi, otherwise, targets);
        }
        LabelNode[] targets = new LabelNode[keys.length];
        for (int i = 0; i < keys.length; i++) targets[i] = landings[keys[i]];
        return new LookupSwitchInsnNode(otherwise, keys, targets);
    }

    /**
     * The copy's entry: describe itself, or restore the frame of the saved state and jump to its landing. The
     * arguments move to {@code cursorSlot} and the four slots after it (state, word start, reference start, the
     * two arrays) and to {@code carrierSlot}, above the method's own locals, which the restore overwrites. Only the
     * states of copy {@code part} are restored; any copy describes any state.
     */
    private InsnList prologue(List<Site> sites, LabelNode[] landings, int carrierSlot, int cursorSlot, int part) {
        InsnList p = new InsnList();
        int state = cursorSlot, wordStart = cursorSlot + 1, refStart = cursorSlot + 2, words = cursorSlot + 3,
                refs = cursorSlot + 4;
        for (int i = 1; i <= CURSOR_SLOTS; i++) { // before the carrier's store, which may reuse an argument's slot
            boolean array = i > 3;
            p.add(new VarInsnNode(array ? ALOAD : ILOAD, i));
            p.add(new VarInsnNode(array ? ASTORE : ISTORE, cursorSlot + i - 1));
        }
        p.add(new VarInsnNode(ALOAD, 0));
        p.add(new VarInsnNode(ASTORE, carrierSlot));
        p.add(new VarInsnNode(ILOAD, state));
        // any other state: describe (the carrier refuses if it did not ask)
        LabelNode describe = new LabelNode();
        int lo = firstStates[part], hi = lastState(part);
        LabelNode[] restores = new LabelNode[hi - lo + 1];
        for (int i = 0; i < restores.length; i++) restores[i] = new LabelNode();
        p.add(new TableSwitchInsnNode(lo, hi, describe, restores));
        StringBuilder lines = new StringBuilder();
        Map<String, List<Site>> bySignature = new LinkedHashMap<>();
        for (Site s : sites) {
            if (s.monitor) continue;
            while (lines.length() <= s.state) lines.append('\0');
            lines.setCharAt(s.state, (char) Math.min(s.line, Character.MAX_VALUE));
            if (s.state >= lo && s.state <= hi) bySignature.computeIfAbsent(s.signature(), k -> new ArrayList<>()).add(s);
        }
        for (List<Site> group : bySignature.values()) {
            Site s = group.get(0);
            for (Site g : group) p.add(restores[g.state - lo]);
            Record record = new Record(carrierSlot, words, wordStart, refs, refStart);
            for (int i = 0; i < s.locals.length; i++) {
                record.restore(p, s.localTypes[i]);
                p.add(new VarInsnNode(s.localTypes[i].getOpcode(ISTORE), s.locals[i]));
            }
            for (Type t : s.stack) record.restore(p, t);
            if (group.size() == 1) {
                p.add(new JumpInsnNode(GOTO, landings[s.state]));
                continue;
            }
            // restored once for the group; now on to the landing of the state that was saved
            LabelNode groupBad = new LabelNode();
            p.add(new VarInsnNode(ILOAD, state));
            p.add(groupSwitch(group, landings, groupBad));
            p.add(groupBad);
            p.add(new LdcInsnNode(id));
            p.add(new MethodInsnNode(INVOKESTATIC, HOOKS, "corrupt", "(Ljava/lang/String;)Ljava/lang/IllegalStateException;", false));
            p.add(new InsnNode(ATHROW));
        }
        p.add(describe);
        p.add(new VarInsnNode(ALOAD, carrierSlot));
        p.add(new LdcInsnNode(owner));
        p.add(new LdcInsnNode(method.name));
        if (sourceFile != null) p.add(new LdcInsnNode(sourceFile));
        else p.add(new InsnNode(ACONST_NULL));
        p.add(new LdcInsnNode(lines.toString()));
        p.add(new MethodInsnNode(INVOKEVIRTUAL, CARRIER, "describe",
                "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V", false));
        p.add(new InsnNode(RETURN));
        return p;
    }
}
