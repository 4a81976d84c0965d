package dev.spindle.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * What one attempt at rewriting a class has to report, printed only once the attempt stands: a class may be
 * rewritten again (with more facts about its supertypes, or with a method divided among more resume copies),
 * and the lines of an attempt given up would name what the loaded class does not have.
 */
final class PendingLog {
    private final List<Runnable> lines = new ArrayList<>();

    void info(String message) {
        lines.add(() -> Log.info(message));
    }

    void warn(String message) {
        lines.add(() -> Log.warn(message));
    }

    void print() {
        lines.forEach(Runnable::run);
    }
}
