package dev.spindle.samples.io;

import dev.spindle.Spindle;

/** As the other samples: without the agent, say how to run the sample and exit with status 1. */
final class AgentCheck {
    private AgentCheck() {
    }

    static void requireAgent(Class<?> sample) {
        if (Spindle.isAgentInstalled()) return;
        System.err.println("Run with the Spindle agent: java -javaagent:agent/target/spindle-agent.jar -cp"
                + " samples/target/spindle-samples.jar " + sample.getName());
        System.exit(1);
    }
}
