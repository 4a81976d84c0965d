package dev.spindle.samples;

import dev.spindle.Spindle;

/**
 * The check each sample's {@code main} starts with. Without the Spindle agent no class is instrumented, and the
 * first coroutine would fail; a sample says instead how to run it, and exits with status 1.
 */
public final class AgentCheck {
    private static final String RUN = "java -javaagent:agent/target/spindle-agent.jar";
    private static final String JAR = "samples/target/spindle-samples.jar";
    /** The Main-Class of the samples' jar, which runs with {@code -jar}. */
    private static final String JAR_MAIN = "Demo";

    private AgentCheck() {
    }

    /**
     * Returns if the Spindle agent runs in this JVM; otherwise prints the command that runs the sample (the
     * simple name of its class in this package, such as {@code "RoundRobin"}) and exits with status 1.
     */
    static void requireAgent(String sampleName) {
        requireAgentFor(AgentCheck.class.getPackageName() + "." + sampleName);
    }

    /** As {@link #requireAgent(String)}, for a sample of any package. */
    public static void requireAgent(Class<?> sample) {
        requireAgentFor(sample.getName());
    }

    private static void requireAgentFor(String className) {
        if (Spindle.isAgentInstalled()) return;
        String command = className.endsWith("." + JAR_MAIN)
                ? RUN + " -jar " + JAR
                : RUN + " -cp " + JAR + " " + className;
        System.err.println("Run with the Spindle agent: " + command);
        System.exit(1);
    }
}
