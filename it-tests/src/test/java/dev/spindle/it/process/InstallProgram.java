package dev.spindle.it.process;

import dev.spindle.Spindle;

/** A child JVM's program: attaches the agent with Spindle.install(), then runs {@link ChainProgram}. */
public final class InstallProgram {
    private InstallProgram() {
    }

    public static void main(String[] args) {
        System.out.println("before install: agent=" + Spindle.isAgentInstalled());
        Spindle.install();
        System.out.println("after install: agent=" + Spindle.isAgentInstalled());
        ChainProgram.main(args); // ChainProgram is loaded only now, so it is instrumented
    }
}
