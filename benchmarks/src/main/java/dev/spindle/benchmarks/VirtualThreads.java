package dev.spindle.benchmarks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Virtual threads ({@code Thread.ofVirtual()}, JDK 21+) reached reflectively so that this code compiles with
 * {@code --release 17}. Only thread creation goes through reflection; parking and unparking use
 * {@link java.util.concurrent.locks.LockSupport} directly.
 */
final class VirtualThreads {
    /** Null if virtual threads can be started here, else the reason they cannot. */
    static final String UNAVAILABLE;

    private static final Method OF_VIRTUAL;  // static Thread.Builder.OfVirtual Thread.ofVirtual()
    private static final Method NAME;        // Thread.Builder name(String)
    private static final Method UNSTARTED;   // Thread Thread.Builder.unstarted(Runnable)

    static {
        String unavailable = null;
        Method ofVirtual = null, name = null, unstarted = null;
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            name = builder.getMethod("name", String.class);
            unstarted = builder.getMethod("unstarted", Runnable.class);
            ofVirtual.invoke(null); // throws on JDK 19/20 without --enable-preview
        } catch (NoSuchMethodException | ClassNotFoundException e) {
            unavailable = "virtual threads need JDK 21 or later; this is JDK " + Runtime.version();
        } catch (InvocationTargetException e) {
            unavailable = "virtual threads are not usable on JDK " + Runtime.version() + ": " + e.getCause();
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable = "virtual threads are not usable on JDK " + Runtime.version() + ": " + e;
        }
        UNAVAILABLE = unavailable;
        OF_VIRTUAL = ofVirtual;
        NAME = name;
        UNSTARTED = unstarted;
    }

    private VirtualThreads() {
    }

    /** Throws, with the reason, unless virtual threads are usable in this JVM. */
    static void require() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException(UNAVAILABLE + ". Exclude the virtualThreads benchmarks on this"
                    + " JVM (JMH option -e virtualThreads)");
        }
    }

    /** A new, unstarted virtual thread. */
    static Thread unstarted(String name, Runnable body) {
        require();
        try {
            Object builder = OF_VIRTUAL.invoke(null);
            builder = NAME.invoke(builder, name);
            return (Thread) UNSTARTED.invoke(builder, body);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("could not create a virtual thread", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not create a virtual thread", e);
        }
    }

    /** The virtual-thread scheduler's parallelism as configured, for messages. */
    static String schedulerParallelism() {
        return System.getProperty("jdk.virtualThreadScheduler.parallelism",
                "default (" + Runtime.getRuntime().availableProcessors() + ")");
    }
}
