package dev.spindle.agent;

/**
 * The agent's options, given as {@code -javaagent:spindle-agent.jar=verbose,verify}:
 * {@code verbose} lists every method the agent instruments, {@code verify} runs ASM's verifier on each rewritten
 * class and reports failures with the class name, {@code dump=DIR} writes every rewritten class file under DIR.
 */
record AgentOptions(boolean verbose, boolean verify, String dumpDir) {
    static AgentOptions parse(String args) {
        boolean verbose = false, verify = false;
        String dumpDir = null;
        if (args != null) {
            for (String option : args.split(",")) {
                switch (option.trim()) {
                    case "" -> { }
                    case "verbose" -> verbose = true;
                    case "verify" -> verify = true;
                    default -> {
                        if (option.trim().startsWith("dump=")) dumpDir = option.trim().substring(5);
                        else Log.warn("unknown agent option '" + option.trim() + "' ignored; known: verbose, verify, dump=DIR");
                    }
                }
            }
        }
        return new AgentOptions(verbose, verify, dumpDir);
    }
}
