package dev.spindle.agent;

/**
 * The agent's options, given as {@code -javaagent:spindle-agent.jar=verbose,verify}:
 * {@code verbose} lists every method the agent instruments, {@code verify} runs ASM's verifier on each rewritten
 * class and reports failures with the class name.
 */
record AgentOptions(boolean verbose, boolean verify) {
    static AgentOptions parse(String args) {
        boolean verbose = false, verify = false;
        if (args != null) {
            for (String option : args.split(",")) {
                switch (option.trim()) {
                    case "" -> { }
                    case "verbose" -> verbose = true;
                    case "verify" -> verify = true;
                    default -> Log.warn("unknown agent option '" + option.trim() + "' ignored; known: verbose, verify");
                }
            }
        }
        return new AgentOptions(verbose, verify);
    }
}
