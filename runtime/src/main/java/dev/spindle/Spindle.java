package dev.spindle;

import dev.spindle.internal.Continuation;
import dev.spindle.internal.Hooks;
import java.lang.reflect.InvocationTargetException;

/**
 * Installs the Spindle agent into a running JVM, and tells whether it is there.
 *
 * <p>The usual way is to start the JVM with {@code -javaagent:path/to/spindle-agent.jar}. Tests and tools that
 * cannot change the command line call {@link #install()} first thing instead:
 * <pre>{@code
 * public static void main(String[] args) {
 *     Spindle.install();           // spindle-agent.jar must be on the class path
 *     new App().run();             // classes loaded from here on are instrumented
 * }
 * }</pre>
 * Classes loaded before {@code install()} are <em>not</em> instrumented (the JVM does not let an agent add the
 * methods Spindle needs to a loaded class), so call it before touching any class with suspendable methods, from
 * a class with none (the class whose {@code main} calls it is loaded already). Those that call suspendable
 * methods get a check after those calls instead, so a suspension through them is refused with an
 * {@code IllegalStateException} rather than going wrong.
 *
 * <p>From JDK 21 the JVM prints a warning when an agent is loaded this way ("A Java agent has been loaded
 * dynamically ... will be disallowed by default in a future release"); start the JVM with
 * {@code -XX:+EnableDynamicAgentLoading} to silence it, or use {@code -javaagent}, which is what production should
 * use. A JVM started with {@code -XX:-EnableDynamicAgentLoading} refuses the attach, and {@code install()} then
 * throws an {@code IllegalStateException} that says to use {@code -javaagent}.
 */
public final class Spindle {
    /** The system property the agent sets when it starts. */
    public static final String AGENT_PROPERTY = "dev.spindle.agent";
    private static final String AGENT_CLASS = "dev.spindle.agent.SpindleAgent";

    private static volatile boolean agentSeen;

    private Spindle() {
    }

    /** True if the Spindle agent runs in this JVM. */
    public static boolean isAgentInstalled() {
        if (!agentSeen) agentSeen = System.getProperty(AGENT_PROPERTY) != null;
        return agentSeen;
    }

    /** Attaches the agent to this JVM unless it is already there. */
    public static void install() {
        install("");
    }

    /**
     * Attaches the agent with options ({@code "verbose"}, {@code "verify"}, comma-separated) unless it is
     * already there.
     *
     * @throws IllegalStateException if {@code spindle-agent.jar} is not on the class path or the JVM refuses
     *                               to attach
     */
    public static synchronized void install(String options) {
        if (isAgentInstalled()) return;
        Class<?> agent;
        try {
            agent = Class.forName(AGENT_CLASS, true, loader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Spindle.install() needs spindle-agent.jar on the class path;"
                    + " or start the JVM with -javaagent:path/to/spindle-agent.jar instead", e);
        }
        try {
            agent.getMethod("install", String.class).invoke(null, options);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("could not attach the Spindle agent: " + e.getCause()
                    + "; start the JVM with -javaagent:path/to/spindle-agent.jar instead", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not attach the Spindle agent: " + e, e);
        }
    }

    private static ClassLoader loader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : ClassLoader.getSystemClassLoader();
    }

    static void requireAgent() {
        if (!isAgentInstalled()) {
            throw new IllegalStateException("Spindle coroutines need the Spindle agent, and this JVM runs without"
                    + " it: add -javaagent:path/to/spindle-agent.jar to the java command line (for example"
                    + " java -javaagent:agent/target/spindle-agent.jar -cp ... Main), or call Spindle.install()"
                    + " before loading classes with @Suspendable methods");
        }
    }

    static Continuation running() {
        return Hooks.running();
    }
}
