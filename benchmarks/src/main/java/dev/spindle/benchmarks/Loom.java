package dev.spindle.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Loom's internal delimited continuations ({@code jdk.internal.vm.Continuation}, JDK 21+), reached through method
 * handles found reflectively so that this code compiles with {@code --release 17}. The handles are static finals,
 * so the JIT inlines them like direct calls.
 *
 * <p>Needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (the benchmarks' {@code @Fork} adds it).
 * On a JDK without the class, or without the export, {@link #UNAVAILABLE} says why and {@link #require()} throws.
 */
final class Loom {
    /** Null if Loom continuations can be used here, else the reason they cannot. */
    static final String UNAVAILABLE;

    private static final Object SCOPE;
    private static final MethodHandle NEW;     // (Object scope, Runnable body) Object
    private static final MethodHandle RUN;     // (Object continuation) void
    private static final MethodHandle YIELD;   // (Object scope) boolean
    private static final MethodHandle IS_DONE; // (Object continuation) boolean

    static {
        String unavailable = null;
        Object scope = null;
        MethodHandle create = null, run = null, yield = null, isDone = null;
        try {
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            scope = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                    .invoke("spindle-benchmarks");
            create = lookup.findConstructor(contClass, MethodType.methodType(void.class, scopeClass, Runnable.class))
                    .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
            run = lookup.findVirtual(contClass, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            yield = lookup.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            isDone = lookup.findVirtual(contClass, "isDone", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (ClassNotFoundException e) {
            unavailable = "Loom continuations (jdk.internal.vm.Continuation) need JDK 21 or later; this is JDK "
                    + Runtime.version();
        } catch (IllegalAccessException e) {
            unavailable = "jdk.internal.vm is not exported to this code: run with --add-exports"
                    + " java.base/jdk.internal.vm=ALL-UNNAMED (" + e.getMessage() + ")";
        } catch (Throwable e) {
            unavailable = "Loom continuations are not usable on JDK " + Runtime.version() + ": " + e;
        }
        UNAVAILABLE = unavailable;
        SCOPE = scope;
        NEW = create;
        RUN = run;
        YIELD = yield;
        IS_DONE = isDone;
    }

    private Loom() {
    }

    /** Throws, with the reason, unless Loom continuations are usable in this JVM. */
    static void require() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException(UNAVAILABLE + ". Exclude the loom benchmarks on this JVM (JMH"
                    + " option -e loom)");
        }
    }

    /** A new continuation (of the benchmarks' scope) that runs {@code body}. */
    static Object create(Runnable body) {
        require();
        try {
            return (Object) NEW.invokeExact(SCOPE, body);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Runs the continuation until it yields or ends. */
    static void run(Object continuation) {
        try {
            RUN.invokeExact(continuation);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Suspends the continuation running on this thread (which must be of the benchmarks' scope). */
    static void yield() {
        boolean yielded;
        try {
            yielded = (boolean) YIELD.invokeExact(SCOPE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (!yielded) throw new IllegalStateException("Continuation.yield did not yield (pinned?)");
    }

    static boolean isDone(Object continuation) {
        try {
            return (boolean) IS_DONE.invokeExact(continuation);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) throw (RuntimeException) t;
        if (t instanceof Error) throw (Error) t;
        throw new IllegalStateException(t);
    }
}
