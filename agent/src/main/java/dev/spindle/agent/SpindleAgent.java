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
        start(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst);
    }

    /** Attaches the agent to this JVM (classes already loaded stay as they are). */
    public static synchronized void install(String args) {
        if (installed) return;
        start(args, ByteBuddyAgent.install());
    }

    private static synchronized void start(String args, Instrumentation inst) {
        if (installed) return;
        AgentOptions options = AgentOptions.parse(args);
        inst.addTransformer(new SpindleTransformer(options), false);
        installed = true;
        System.setProperty(INSTALLED_PROPERTY, "installed");
        if (options.verbose()) Log.info("agent started with options " + options);
    }
}
