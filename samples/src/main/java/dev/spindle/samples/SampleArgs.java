package dev.spindle.samples;

/**
 * The samples' optional positional arguments: a number that does not parse ends the sample with a line saying
 * which argument was wrong, and status 2, rather than a stack trace.
 */
public final class SampleArgs {
    private SampleArgs() {
    }

    /** Argument {@code index} as an int, {@code fallback} when absent; {@code name} says what it is in the error. */
    public static int intArg(String[] args, int index, String name, int fallback) {
        if (args.length <= index) return fallback;
        try {
            return Integer.parseInt(args[index].trim());
        } catch (NumberFormatException e) {
            System.err.println("argument " + (index + 1) + " (" + name + ") must be a whole number, not '"
                    + args[index] + "'");
            System.exit(2);
            throw new AssertionError(e); // not reached
        }
    }
}
