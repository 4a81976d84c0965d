package dev.spindle.internal;

import dev.spindle.Coroutine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The static entry points instrumented code calls. Not API.
 *
 * <p>{@link #unwinding()} is what every instrumented call site tests, so it must cost next to nothing: it is
 * true while any thread is unwinding a coroutine, and only then does the call site ask (through a thread-local)
 * whether its own thread is. The first thread that suspends a coroutine becomes the <em>solo</em> thread and
 * signals its unwinding with a plain static field, which only it writes; other threads count themselves in an
 * atomic counter, which costs them two atomic updates per suspension. When the solo thread ends, the next
 * thread that suspends takes its place.
 */
public final class Hooks {
    static Carrier solo = Carrier.NOBODY;
    /** The solo thread is unwinding (written by that thread only, so plainly). */
    static boolean soloUnwinding;
    /** How many threads other than the solo one are unwinding now. */
    private static int others;
    private static final VarHandle SOLO, OTHERS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SOLO = lookup.findStaticVarHandle(Hooks.class, "solo", Carrier.class);
            OTHERS = lookup.findStaticVarHandle(Hooks.class, "others", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Hooks() {
    }

    /** True while some thread is unwinding; tested after every call in instrumented code. */
    public static boolean unwinding() {
        return soloUnwinding | others != 0; // two independent loads: this runs after every call
    }

    static void startUnwinding(Carrier k) {
        Carrier s = solo;
        if (k == s) {
            soloUnwinding = true;
        } else if (vacant(s) && SOLO.compareAndSet(s, k)) {
            soloUnwinding = true;
            uncount(k); // a count it kept from an unwind cut short while it was one of the others
        } else if (!k.counted) { // (still counted if its last unwind was cut short: see uncount)
            OTHERS.getAndAdd(1);
            k.counted = true;
        }
        k.unwinding = true;
    }

    /**
     * The solo role is free: nobody has it yet, or its thread has ended (a thread that first ran a coroutine and
     * then finished, such as a test's or a setup's, must not leave every later thread on the counter). An ended
     * thread writes the flag no more, and all it wrote is visible once it is seen ended.
     */
    private static boolean vacant(Carrier s) {
        return s == Carrier.NOBODY || !s.thread.isAlive();
    }

    /** Whether {@code k}'s thread signals its unwinding with the plain flag (for tests). */
    static boolean isSolo(Carrier k) {
        return solo == k;
    }

    static void endUnwinding(Carrier k) {
        k.unwinding = false;
        if (k == solo) soloUnwinding = false;
        else uncount(k);
    }

    /**
     * Gives up {@code k}'s place in the count of others, if it has one. One that a stack overflow kept (see
     * {@link Continuation}'s driver) is given up when its thread's next unwind ends; meanwhile the call sites of
     * other threads only take their slower path.
     */
    static void uncount(Carrier k) {
        if (k.counted) {
            OTHERS.getAndAdd(-1);
            k.counted = false;
        }
    }

    /** The continuation running on this thread, or null. */
    public static Continuation running() {
        return Carrier.get().running;
    }

    /** What a method reference {@code Coroutine::yield} in instrumented code calls. */
    public static void yield() {
        suspend(Carrier.get());
    }

    /**
     * What instrumented code calls in place of {@code Coroutine.yield()}: begins the unwind and returns the
     * carrier, with which the calling frame saves itself at once (no need to ask whether it is unwinding).
     */
    public static Carrier suspend() {
        return suspend(Carrier.get());
    }

    /** {@link #suspend()} from a resume copy, which has the carrier at hand. */
    public static Carrier suspend(Carrier k) {
        Continuation c = k.running;
        if (c == null) {
            throw new IllegalStateException("Coroutine.yield() called outside a coroutine: call it (directly or"
                    + " through @Suspendable methods) from the body of a Coroutine that is being resumed");
        }
        c.startUnwind(k);
        startUnwinding(k);
        return k;
    }

    /**
     * Runs {@code action} once the suspension the caller is about to start (its next {@code Coroutine.yield()})
     * has happened, on this thread before {@code resume()} returns; never if that suspension is refused. For what
     * must not be done if the coroutine runs on instead: a condition's wait releases its mutex so, and a
     * generator's {@code yieldAll} starts delegating so.
     */
    public static void whenSuspended(Runnable action) {
        Carrier k = Carrier.get();
        k.onSuspended = action;
        k.onSuspendedOf = k.running;
    }

    /** The carrier of this thread if it is unwinding, else null: a call site then saves its frame. */
    public static Carrier unwindingCarrier() {
        Carrier k = Carrier.get();
        return k.unwinding ? k : null;
    }

    /**
     * Entry of an instrumented method while some thread unwinds: if it is this thread, uninstrumented code that
     * received a suspended call's placeholder result has gone on and called us again.
     */
    public static void entered(String method) {
        Carrier k = Carrier.get();
        if (k.unwinding) {
            String saved = k.lastSaved();
            List<String> frames = StackWalker.getInstance().walk(s -> s.skip(2).limit(256)
                    .map(f -> f.getClassName() + "." + Frames.naturalName(f.getMethodName())).toList());
            String caller = frames.isEmpty() ? null : frames.get(0), jdk = null;
            for (String m : frames.subList(Math.min(1, frames.size()), frames.size())) { // up to the driver
                if (m.startsWith("dev.spindle.Coroutine.") || m.startsWith("dev.spindle.internal.")) break;
                if (isJdk(m)) {
                    jdk = m;
                    break;
                }
            }
            if (caller == null || isJdk(caller)) {
                throw refuse(k, "suspendable method " + saved + " returned into code that is not instrumented"
                        + " (such as List.forEach, a reflective call or another JDK method), which went on to call "
                        + method + ". " + suspendOnlyThrough(saved));
            }
            if (jdk != null) { // a plain method of the user's that the JDK code called after the placeholder
                throw refuse(k, "suspendable method " + saved + " returned into code that is not instrumented"
                        + " (" + jdk + ", most likely), which went on and called " + method + " through "
                        + caller + ". " + suspendOnlyThrough(saved));
            }
            // not the JDK's, and no check after its calls: a class the agent did not rewrite at all
            throw refuse(k, "suspendable method " + saved + " returned into " + caller + ", which the Spindle agent"
                    + " did not instrument, and which went on to call " + method + ". See the agent's warning from"
                    + " when " + caller.substring(0, caller.lastIndexOf('.')) + " was loaded (a class or method too"
                    + " large to rewrite must be split; one loaded before Spindle.install() needs the agent earlier)");
        }
    }

    /** After a call that is not suspendable, in a suspendable method. */
    public static void afterPlainCall(String caller, String callee) {
        Carrier k = Carrier.get();
        if (k.unwinding) {
            boolean jdk = isJdk(callee);
            String saved = k.lastSaved();
            if (simpleName(saved).equals(simpleName(callee))) {
                // most likely the call went through an interface or superclass method that is not suspendable
                Class<?> callerClass = callerOfHook();
                String misread = misreadClassFile(callee, callerClass);
                if (misread == null && learnedLate(saved, callee, callerClass)) {
                    throw refuse(k, "suspendable method " + saved + " suspended, but " + caller + " called it through "
                            + callee + " as a plain method: when the Spindle agent rewrote " + caller + ", it did"
                            + " not know yet that " + saved + " may suspend. It learned that later, from a subclass"
                            + " that inherits " + saved + " as its implementation of a suspendable interface method,"
                            + " or from a method reference of a suspendable interface that points at it. Mark "
                            + saved + " @Suspendable, so that every caller knows it from the start");
                }
                throw refuse(k, "suspendable method " + saved + " suspended, but " + caller + " called it through "
                        + callee + ", which is not @Suspendable" + (misread != null ? misread
                        : ", so that call cannot suspend. Call it through a type whose method is @Suspendable"
                                + " (SuspendableRunnable, SuspendableCallable, or an interface of your own whose method"
                                + " is marked), or as " + saved + " itself"));
            }
            throw refuse(k, "suspendable method " + saved + " tried to suspend through " + callee
                    + " (called from " + caller + "), which is not instrumented. "
                    + (jdk ? "JDK methods, reflective calls and method handles cannot suspend: call "
                            + saved + " directly from a @Suspendable method"
                            : makeSuspendable(callee)));
        }
    }

    /**
     * The class of the rewritten method that called the hook calling this: the method whose call the hook checks.
     * Null if it cannot be told. Only on an error's path.
     */
    private static Class<?> callerOfHook() {
        try {
            return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                    .walk(s -> s.skip(2).findFirst()).orElseThrow().getDeclaringClass();
        } catch (RuntimeException cannotTell) {
            return null;
        }
    }

    /**
     * If the class of {@code method} ("pkg.Type.name") that {@code caller} sees has it @Suspendable after all:
     * what to say about the agent's having read another class file of that name, else null.
     */
    private static String misreadClassFile(String method, Class<?> caller) {
        if (caller == null) return null;
        int dot = method.lastIndexOf('.');
        String type = method.substring(0, dot), name = method.substring(dot + 1);
        try {
            Class<?> owner = Class.forName(type, false, caller.getClassLoader());
            for (Class<?> c = owner; c != null; c = c.getSuperclass()) {
                for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                    if (m.getName().equals(name) && m.isAnnotationPresent(dev.spindle.Suspendable.class)) {
                        return " in the class file the Spindle agent read for " + type + " when it rewrote "
                                + caller.getName() + ", though it is in the " + type + " that "
                                + caller.getName() + "'s class loader defined: the agent reads the class files of"
                                + " supertypes through that loader's getResource, which found another " + type
                                + ". Make the loader find the class files of the classes it defines itself (a"
                                + " parent-last loader must look in its own place first in getResource too)";
                    }
                }
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException cannotTell) {
            // no better advice than the usual
        }
        return null;
    }

    /**
     * Whether {@code callee} ("pkg.Type.name") names the method {@code saved} suspended in, itself or as a subclass
     * inherits it, as {@code caller} sees them: then the agent took the call for a plain one only because it learned
     * later that the method may suspend.
     */
    private static boolean learnedLate(String saved, String callee, Class<?> caller) {
        if (saved.equals(callee)) return true;
        if (caller == null) return false;
        try {
            ClassLoader loader = caller.getClassLoader();
            Class<?> declaring = Class.forName(saved.substring(0, saved.lastIndexOf('.')), false, loader);
            Class<?> through = Class.forName(callee.substring(0, callee.lastIndexOf('.')), false, loader);
            return declaring != through && declaring.isAssignableFrom(through) && !declaring.isInterface();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException cannotTell) {
            return false;
        }
    }

    /** The agent's list in ClassHierarchy, which cannot share this class: it runs before the runtime is loaded. */
    private static final String[] SHARED_PACKAGES = {"javax.", "com.sun.", "org.w3c.", "org.xml.", "org.ietf.",
            "netscape."};

    /** Whether {@code method} ("pkg.Type.name") is the JDK's: it cannot be instrumented, so cannot suspend. */
    public static boolean isJdk(String method) {
        if (method.startsWith("java.") || method.startsWith("jdk.") || method.startsWith("sun.")) return true;
        // packages the JDK shares with libraries (javax.security.auth.Subject, say): is the class the platform's?
        String type = method.substring(0, Math.max(0, method.lastIndexOf('.')));
        boolean shared = false;
        for (String p : SHARED_PACKAGES) shared |= type.startsWith(p);
        if (!shared) return false;
        try {
            Class.forName(type, false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError notThePlatforms) {
            return false;
        }
    }

    /** After a suspendable call in a method that is not suspendable. */
    public static void afterCallInPlainMethod(String caller, String callee) {
        Carrier k = Carrier.get();
        if (k.unwinding) {
            throw refuse(k, "method " + caller + " called suspendable method " + callee
                    + " and it suspended, but " + caller + " is not @Suspendable, so it cannot be suspended. "
                    + makeSuspendable(caller));
        }
    }

    /**
     * After a suspendable call in a method the agent could not rewrite (see its warning when the class was
     * loaded), so that a suspension there is refused instead of the method running on with the placeholder
     * result. {@code methodWhyAdvice} is "Class.method|why|what to do": one constant, so the check costs each call
     * site only a few bytes in a method that was too large to rewrite.
     */
    public static void afterCallInUninstrumentedMethod(String methodWhyAdvice) {
        if (!unwinding()) return;
        Carrier k = Carrier.get();
        if (k.unwinding) {
            String[] parts = methodWhyAdvice.split("\\|", 3);
            throw refuse(k, "cannot suspend in " + parts[0] + ": the agent could not instrument it (" + parts[1]
                    + "), so " + k.lastSaved() + ", which it called, cannot suspend there. " + parts[2]);
        }
    }

    /**
     * {@code Coroutine.yield()} called by a method the agent could not rewrite ({@code methodWhyAdvice} as for
     * {@link #afterCallInUninstrumentedMethod}): refused with the agent's reason, which the body of
     * {@code Coroutine.yield()} could only guess at.
     */
    public static void yieldInUninstrumentedMethod(String methodWhyAdvice) {
        if (Coroutine.current() == null) Coroutine.yield(); // refused as outside a coroutine
        String[] parts = methodWhyAdvice.split("\\|", 3);
        throw new IllegalStateException("cannot suspend in " + parts[0] + ": the agent could not instrument it ("
                + parts[1] + "), so its call of Coroutine.yield() cannot suspend. " + parts[2]);
    }

    /** The method name of "Class.method". */
    private static String simpleName(String method) {
        return method.substring(method.lastIndexOf('.') + 1);
    }

    /**
     * How to make {@code method} ("Class.name") suspendable, which depends on what it is: constructors and static
     * initializers cannot be, and a lambda is through its interface.
     */
    public static String makeSuspendable(String method) {
        int dot = method.lastIndexOf('.');
        String owner = method.substring(0, dot), name = method.substring(dot + 1);
        if (name.equals("<init>")) {
            return "Constructors cannot suspend: move the call out of the constructor of " + owner
                    + " (into a @Suspendable factory method, say)";
        }
        if (name.equals("<clinit>")) {
            return "Static initializers cannot suspend: move the call out of the static initializer of " + owner;
        }
        if (name.startsWith("lambda$")) {
            int end = name.indexOf('$', 7);
            String enclosing = end < 0 ? name.substring(7) : name.substring(7, end);
            String in = switch (enclosing) { // javac's names for lambdas in constructors and static initializers
                case "new" -> "a constructor of " + owner;
                case "static" -> "the static initializer of " + owner;
                default -> owner + "." + enclosing;
            };
            return "It is a lambda in " + in + " whose interface method is not @Suspendable: give it a suspendable"
                    + " interface (SuspendableRunnable, SuspendableCallable, or one whose method is @Suspendable)";
        }
        return "Mark " + method + " @Suspendable (or make it override a @Suspendable method)";
    }

    /** After a suspendable call made while the frame holds a monitor. */
    public static void afterCallHoldingMonitor(String caller, String callee) {
        Carrier k = Carrier.get();
        if (k.unwinding) {
            throw refuse(k, "cannot suspend in " + caller + " while it holds a monitor (synchronized block or"
                    + " method) around the call to " + callee + ". A suspended coroutine may resume on another"
                    + " thread, so the lock would be held by nobody; use a Spindle lock or move the call out of"
                    + " the synchronized region");
        }
    }

    /**
     * At the entry of an exception handler in instrumented code while some thread unwinds: if it is this one,
     * code that is not instrumented received a suspended call's placeholder result and threw {@code t} instead
     * of returning (a JDK method calling a suspendable lambda, then unboxing its null result, say). The
     * suspension is refused; the refusal, with {@code t} as its cause, is returned for the handler to catch
     * ({@code replace}) or thrown. Returns {@code t} if this thread is not unwinding, and for an {@code Error}
     * (out of memory while saving a frame, say), whose handler gets it as it would without the suspension.
     */
    public static Throwable caught(Throwable t, String method, boolean replace) {
        Carrier k = Carrier.get();
        if (!k.unwinding) return t;
        Throwable refusal = thrownIntoUnwind(k, t, "into " + method + ", which catches it");
        if (refusal == t || replace) return refusal;
        throw (IllegalStateException) refusal; // not t, so the refusal
    }

    /**
     * At the entry of an exception handler in instrumented code, once {@link #caught} has let it run: inside a
     * coroutine, {@code t} may have been thrown after a resume, its stack trace without the callers that are
     * still saved (see {@link Continuation#completeCaughtTrace}).
     */
    public static void handled(Throwable t) {
        Carrier k = Carrier.get();
        Continuation c = k.running;
        // not for the JVM's out of memory or stack: the work would fail the same way
        if (c != null && !(t instanceof VirtualMachineError)) c.completeCaughtTrace(k, t);
    }

    /**
     * Ends the unwind in progress, into which {@code t} was thrown by code that is not instrumented (see
     * {@link #caught}), and returns what goes on in its place: the refusal, with {@code t} as its cause; or
     * {@code t} itself if it is an {@code Error}, the JVM's (out of memory while saving a frame, say).
     */
    static Throwable thrownIntoUnwind(Carrier k, Throwable t, String where) {
        if (t instanceof Error) {
            abandonUnwind(k);
            return t;
        }
        String saved = k.lastSaved();
        IllegalStateException refusal = refuse(k, "suspendable method " + saved + " suspended, but code that is"
                + " not instrumented (such as a JDK method calling a lambda) went on with its placeholder result and"
                + " threw " + t + " " + where + ". " + suspendOnlyThrough(saved));
        refusal.initCause(t);
        return refusal;
    }

    /**
     * A coroutine is resumed while this thread unwinds another: code that is not instrumented received a
     * suspended call's placeholder result and went on. The suspension is refused.
     */
    static IllegalStateException resumedWhileUnwinding(Carrier k, String resumed) {
        String saved = k.lastSaved();
        return refuse(k, "suspendable method " + saved + " suspended, but code that is not instrumented (such as a"
                + " JDK method calling a lambda) went on with its placeholder result and resumed coroutine " + resumed
                + ". " + suspendOnlyThrough(saved));
    }

    /** What to do when {@code saved} suspended inside a JDK callback. */
    private static String suspendOnlyThrough(String saved) {
        return "Suspend only through @Suspendable methods: call " + saved + " directly from a @Suspendable method,"
                + " or use a plain loop instead of the JDK callback";
    }

    /** A resume copy was entered with a state it does not have: the saved frames do not match the code. */
    public static IllegalStateException corrupt(String method) {
        return new IllegalStateException("saved frame of " + method + " does not match its code (was the class"
                + " redefined while a coroutine was suspended in it?)");
    }

    private static IllegalStateException refuse(Carrier k, String message) {
        abandonUnwind(k);
        return new IllegalStateException(message);
    }

    /** Ends the unwind in progress and drops the frames it saved; whoever marked the coroutine waiting unmarks it. */
    static void abandonUnwind(Carrier k) {
        if (k.onSuspendedOf == k.running) { // not a hook of an outer coroutine's, whose suspension is to come
            k.onSuspended = null;
            k.onSuspendedOf = null;
        }
        endUnwinding(k);
        k.running.abortUnwind(k);
        Refusals.refused(k.running);
    }
}
