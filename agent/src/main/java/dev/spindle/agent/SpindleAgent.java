package dev.spindle.agent;

import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * The agent's entry points: {@code -javaagent:spindle-agent.jar[=options]} calls {@link #premain}, an attach
 * calls {@link #agentmain}, and {@code dev.spindle.Spindle.install()} calls {@link #install} to attach the agent
 * to the running JVM through Byte Buddy.
 */
public final class SpindleAgent {
    private static final String INSTALLED_PROPERTY = "dev.spindle.agent";
    private static volatile boolean installed;

    private SpindleAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    /**
     * Attaches the agent to this JVM. Classes already loaded are not instrumented; those that call suspendable
     * methods get a check after those calls, so that a suspension through them is refused (see
     * {@link LoadedBeforeGuard}).
     */
    public static synchronized void install(String args) {
        if (installed) return;
        start(args, ByteBuddyAgent.install(), true);
    }

    private static synchronized void start(String args, Instrumentation inst, boolean late) {
        if (installed) return;
        AgentOptions options = AgentOptions.parse(args);
        inst.addTransformer(new SpindleTransformer(options, new ModuleReads(inst)), false);
        if (late) LoadedBeforeGuard.guardClassesLoadedBefore(inst, options);
        installed = true;
        System.setProperty(INSTALLED_PROPERTY, "installed");
        if (options.verbose()) Log.info("agent started with options " + options);
    }
}
