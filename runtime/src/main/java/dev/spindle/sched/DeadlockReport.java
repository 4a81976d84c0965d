package dev.spindle.sched;

import java.util.List;

/** Writes the message of a {@link DeadlockException}. */
final class DeadlockReport {
    /** How many of a blocked tasklet's own frames to show. */
    private static final int FRAMES = 4;
    private static final String IMPLEMENTATION = Scheduler.class.getPackageName() + ".";

    private DeadlockReport() {
    }

    static String describe(List<Tasklet> blocked) {
        StringBuilder sb = new StringBuilder("deadlock: no tasklet can run and none is sleeping, but ")
                .append(blocked.size()).append(blocked.size() == 1 ? " is" : " are").append(" blocked:");
        for (Tasklet t : blocked) {
            sb.append("\n  tasklet \"").append(t.name()).append("\" waits to ").append(t.waitingFor());
            int shown = 0;
            StackTraceElement[] trace = t.stackTrace();
            for (StackTraceElement e : trace) {
                if (isImplementation(e)) continue; // where the tasklet waits, not how waiting works
                sb.append("\n      at ").append(e);
                if (++shown == FRAMES) break;
            }
            // a body that is a method reference to the waiting call itself has no frame of its own
            if (shown == 0 && trace.length > 0) sb.append("\n      at ").append(trace[trace.length - 1]);
        }
        return sb.toString();
    }

    private static boolean isImplementation(StackTraceElement e) {
        String c = e.getClassName();
        return c.startsWith(IMPLEMENTATION) && c.indexOf('.', IMPLEMENTATION.length()) < 0;
    }
}
