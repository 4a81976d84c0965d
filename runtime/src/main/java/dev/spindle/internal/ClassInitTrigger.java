package dev.spindle.internal;

import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;

/**
 * Initializes a class where the agent moved a {@code new X} past constructor arguments that may suspend: the
 * bootstrap of the {@code invokedynamic} left in its place. The {@code new} would have initialized X (or failed to
 * find it) before the arguments were evaluated (JLS 12.4.1), so its static initializer, and any
 * {@code NoClassDefFoundError}, still come first. Each execution tries again until X is initialized, as each
 * {@code new} does (an {@code ExceptionInInitializerError} the first time, {@code NoClassDefFoundError} after);
 * then the call site is empty, and the JIT compiles it to nothing. Not while any static initializer runs on this
 * thread, though: X's own may be the one in progress, and the initialization returns at once then, with X not
 * initialized yet (so another thread must still wait at this site, and a failure later must still be thrown).
 *
 * <p>Not API: only instrumented code uses it.
 */
public final class ClassInitTrigger {
    private static final MethodHandle INIT;

    static {
        try {
            INIT = MethodHandles.lookup().findStatic(ClassInitTrigger.class, "init", MethodType.methodType(void.class,
                    MutableCallSite.class, MethodHandles.Lookup.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ClassInitTrigger() {
    }

    /** The bootstrap: {@code className} is the binary name of the class to initialize, as the caller sees it. */
    public static CallSite initialize(MethodHandles.Lookup caller, String name, MethodType type, String className) {
        MutableCallSite site = new MutableCallSite(type);
        site.setTarget(MethodHandles.insertArguments(INIT, 0, site, caller, className));
        return site;
    }

    private static void init(MutableCallSite site, MethodHandles.Lookup caller, String className) {
        Class<?> c;
        try {
            c = caller.findClass(className);
        } catch (ClassNotFoundException e) { // what the new's resolution would have thrown
            NoClassDefFoundError missing = new NoClassDefFoundError(className.replace('.', '/'));
            missing.initCause(e);
            throw missing;
        } catch (IllegalAccessException e) {
            throw new IllegalAccessError(e.getMessage());
        }
        // as the new would, before initializing: a class made abstract (or an interface) since the caller compiled
        if (c.isInterface() || java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
            throw new InstantiationError(c.getName());
        }
        try {
            caller.ensureInitialized(c);
        } catch (IllegalAccessException e) {
            throw new IllegalAccessError(e.getMessage());
        }
        if (!inStaticInitializer()) site.setTarget(MethodHandles.empty(site.type()));
    }

    private static boolean inStaticInitializer() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("<clinit>")));
    }
}
