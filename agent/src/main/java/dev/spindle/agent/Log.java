package dev.spindle.agent;

/** Where the agent reports: standard error, prefixed so it is easy to grep. */
final class Log {
    private Log() {
    }

    static void info(String message) {
        System.err.println("[spindle] " + message);
    }

    static void warn(String message) {
        System.err.println("[spindle] WARNING: " + message);
    }
}
