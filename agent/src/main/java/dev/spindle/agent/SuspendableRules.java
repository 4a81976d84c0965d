package dev.spindle.agent;

import static org.objectweb.asm.Opcodes.H_NEWINVOKESPECIAL;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;

/**
 * Decides which methods are suspendable: those annotated {@code @Suspendable}, those that override or implement
 * one in any supertype, the methods suspendable bridges call, javac's synthetic accessors of suspendable private
 * methods, and the implementations of lambdas and method references of suspendable interfaces.
 *
 * <p>A supertype whose class file cannot be read and that has not been defined yet (a loader that defines classes
 * from bytes and serves no class files loads a subclass before its superclass) may declare suspendable methods
 * the agent cannot see, so every method of the class that may override one is taken as suspendable, as a call to
 * a method of an unknown class is taken as one that may suspend. Taking one wrongly costs its callers a test
 * after the call; the opposite guess would refuse a legitimate suspension.
 */
final class SuspendableRules {
    static final String COROUTINE = "dev/spindle/Coroutine";
    /** Among a class's keys: a supertype is unknown, so any of its instance methods may be suspendable. */
    private static final String UNKNOWN_SUPERTYPE = "?";
    /** Constant pool tags (JVM specification, 4.4). */
    private static final int CONSTANT_METHODREF = 10, CONSTANT_INTERFACE_METHODREF = 11;

    /**
     * Methods in other classes that a method reference of a suspendable interface points at, or that a subclass
     * inherits as its implementation of a suspendable interface method, by class name. Filled when the class
     * holding the reference, or the subclass, is transformed; read when the other class is.
     */
    private static final Map<String, Set<String>> REFERENCED = new ConcurrentHashMap<>();

    private final ClassHierarchy hierarchy;
    private final Map<String, Set<String>> keysByClass = new ConcurrentHashMap<>();

    SuspendableRules(ClassHierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    /**
     * The methods that the class inherits from a superclass as its implementations of suspendable interface
     * methods the superclass knows nothing of ({@code class Sub extends Base implements Step}, where
     * {@code Base.step} is Sub's {@code Step.step}) become suspendable, as a method reference's target does: the
     * JVM defines a class before it loads its superclass, so Base is usually transformed just after. One defined
     * before stays plain, and a suspension in it is refused with the advice to mark it.
     */
    private void markInheritedImplementations(ClassInfo info, Set<String> keys) {
        if (info.isInterface || keys.contains(UNKNOWN_SUPERTYPE)) return;
        for (String key : keys) {
            if (info.declared.contains(key)) continue;
            String owner = declaringSuperclass(info.superName, key);
            if (owner == null || suspendableKeys(owner).contains(key) || definedPlain(owner, key)) continue;
            if (REFERENCED.computeIfAbsent(owner, k -> ConcurrentHashMap.newKeySet()).add(key)) {
                // the classes between inherit it too (javac's bridge in the subclass calls the one just above)
                for (String c = info.superName; ; c = hierarchy.find(c).superName) {
                    keysByClass.remove(c);
                    if (c.equals(owner)) break;
                }
            }
        }
    }

    /** The nearest superclass from {@code superName} up that declares {@code key}, unless that is the JDK's. */
    private String declaringSuperclass(String superName, String key) {
        for (String c = superName; c != null && !hierarchy.isJdkClass(c); ) {
            ClassInfo ci = hierarchy.find(c);
            if (ci == null) return null;
            if (ci.overriding.contains(key)) return c;
            c = ci.superName;
        }
        return null;
    }

    /**
     * Whether {@code owner}, defined already, has {@code key} as a plain method: a method reference of a
     * suspendable interface seen only now cannot make it suspendable any more.
     */
    boolean definedPlain(String owner, String key) {
        Set<String> keys = hierarchy.definedWith(owner);
        return keys != null && !keys.contains(key) && !keys.contains(UNKNOWN_SUPERTYPE);
    }

    /** Whether {@code owner} is the JDK's (see {@link ClassHierarchy#isJdkClass}). */
    boolean isJdkClass(String owner) {
        return hierarchy.isJdkClass(owner);
    }

    /** name+desc of every suspendable method a class declares or inherits. */
    Set<String> suspendableKeys(String className) {
        return compute(className, new HashSet<>());
    }

    private Set<String> compute(String className, Set<String> visiting) {
        Set<String> cached = keysByClass.get(className);
        if (cached != null) return cached;
        Set<String> keys = new HashSet<>();
        if (hierarchy.isJdkClass(className) || !visiting.add(className)) return keys;
        ClassInfo info = hierarchy.find(className);
        if (info == null) {
            keys.add(UNKNOWN_SUPERTYPE); // not cached: it may be defined later
            return keys;
        }
        keys.addAll(info.annotated);
        Set<String> referenced = REFERENCED.get(className);
        if (referenced != null) keys.addAll(referenced);
        if (info.superName != null) keys.addAll(compute(info.superName, visiting));
        for (String i : info.interfaces) keys.addAll(compute(i, visiting));
        for (String[] bridge : info.bridges) {
            if (keys.contains(bridge[0])) keys.add(bridge[1]);
        }
        // javac's accessors stand in for what they call: private members (class files before Java 11), and still
        // Outer.super.m() and protected methods inherited from another package, from inner classes
        // (what they call is this class's or a supertype's, so among these keys, or may be if a supertype is unknown)
        for (String[] accessor : info.accessors) {
            if (keys.contains(accessor[1]) || keys.contains(UNKNOWN_SUPERTYPE)) keys.add(accessor[0]);
        }
        keysByClass.put(className, keys);
        return keys;
    }

    /**
     * True if a call instruction to owner.name desc may suspend. A call to a class whose class file cannot be
     * found (defined from bytes by a loader that offers no resources, and not seen yet), or one of whose
     * supertypes cannot, is assumed to (see the class comment).
     */
    boolean isSuspendableCall(String owner, String name, String desc) {
        // a constructor never suspends (the JVM's rules for uninitialized objects leave no way to resume one)
        if (owner.startsWith("[") || name.equals("<init>") || hierarchy.isJdkClass(owner)) return false;
        if (owner.equals(COROUTINE)) return name.equals("yield") && desc.equals("()V");
        Set<String> keys = suspendableKeys(owner);
        return keys.contains(UNKNOWN_SUPERTYPE) || keys.contains(ClassInfo.key(name, desc));
    }

    /**
     * True if the class calls a method of another class that may suspend ({@link #isSuspendableCall}, so also
     * one of a class not known yet): it needs its plain methods guarded even though it names nothing of
     * Spindle's (a helper class between two suspendable methods, a constructor calling one), or a suspension
     * through them would run on with the placeholder, and a caller that took them for suspendable would save
     * its own frame as if they had saved theirs. Reads the constant pool's method references only, so that a
     * class with no such call costs little.
     */
    boolean callsSuspendable(ClassReader reader) {
        char[] chars = new char[reader.getMaxStringLength()];
        String self = reader.getClassName();
        for (int i = 1; i < reader.getItemCount(); i++) {
            int at = reader.getItem(i);
            if (at == 0) continue; // the unused slot after a long or a double
            int tag = reader.readByte(at - 1);
            if (tag != CONSTANT_METHODREF && tag != CONSTANT_INTERFACE_METHODREF) continue;
            String owner = reader.readClass(at, chars);
            if (owner.equals(self)) continue;
            int nameAndType = reader.getItem(reader.readUnsignedShort(at + 2));
            String name = reader.readUTF8(nameAndType, chars), desc = reader.readUTF8(nameAndType + 2, chars);
            if (isSuspendableCall(owner, name, desc)) return true;
        }
        return false;
    }

    /**
     * The suspendable methods of the class being transformed: its suspendable keys, which include the lambdas it
     * implements for suspendable interfaces. Method references to other classes are remembered for when those
     * are transformed.
     */
    Set<String> suspendableMethodsOf(ClassInfo info) {
        for (ClassInfo.Lambda lambda : info.lambdas) {
            if (!isSuspendableCall(lambda.iface(), lambda.samName(), lambda.samDesc())) continue;
            String implKey = ClassInfo.key(lambda.impl().getName(), lambda.impl().getDesc());
            String implOwner = lambda.impl().getOwner();
            // Foo::new: the constructor stays plain, and a suspension in it is refused as in any constructor
            if (lambda.impl().getTag() == H_NEWINVOKESPECIAL) continue;
            if (hierarchy.isJdkClass(implOwner) || implOwner.equals(COROUTINE)) continue;
            // defined before the reference was seen, and plain: it stays so (MethodReferenceAdapters)
            if (definedPlain(implOwner, implKey)) continue;
            // this class's own too, so that a call to it is known to suspend (see MethodReferenceAdapters)
            if (REFERENCED.computeIfAbsent(implOwner, k -> ConcurrentHashMap.newKeySet()).add(implKey)) {
                keysByClass.remove(implOwner);
            }
        }
        Set<String> keys = suspendableKeys(info.name);
        markInheritedImplementations(info, keys);
        hierarchy.defined(info.name, keys);
        Set<String> own = new HashSet<>(keys);
        own.retainAll(info.declared);
        if (keys.contains(UNKNOWN_SUPERTYPE)) own.addAll(info.overriding);
        return own;
    }
}
