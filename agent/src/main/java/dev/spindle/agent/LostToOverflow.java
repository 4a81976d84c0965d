package dev.spindle.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * The classes a thread loaded at the end of its stack, where the transformer overflowed before it could rewrite
 * them or even log why: the JVM then defines them as they were, and their methods cannot suspend. The transformer
 * stores each name here from its handler, where no call can be made, so the fields are written directly; the next
 * transform, with stack to spare, logs them. Two threads overflowing at once may overwrite each other's entry, and
 * more than {@code MASK + 1} losses between two reports keep only the latest; none is logged twice.
 */
final class LostToOverflow {
    static final int MASK = 63;
    final String[] names = new String[MASK + 1];
    int count;
    private int reported;

    /**
     * Logs the classes lost since the last report, if any, once this thread has the stack to do it. One thread
     * logs each name: the range is taken before the logging, which may load classes and so come back here.
     */
    void report() {
        if (count == reported) return; // the common case, without the lock
        List<String> lost = new ArrayList<>();
        synchronized (this) {
            int upTo = count;
            if (upTo == reported || !roomToLog()) return;
            for (int i = Math.max(reported, upTo - MASK - 1); i < upTo; i++) {
                if (names[i & MASK] != null) lost.add(names[i & MASK]);
            }
            reported = upTo;
        }
        for (String name : lost) {
            Log.warn("class " + name.replace('/', '.') + " was loaded by a thread at the end of its stack, where"
                    + " the agent could not rewrite it: it is loaded unchanged, its methods cannot suspend, and a"
                    + " suspension through one of them may go undetected (its caller would take the placeholder"
                    + " for the result). Load it earlier, or give the thread a larger stack");
        }
    }

    /**
     * Whether this thread has stack to spare (a thousand frames, far more than a log line needs): without this
     * check, a report begun near the end of the stack would print a name and overflow before it moved on, and
     * print that name again at each later try. It runs only when there is something to report.
     */
    private static boolean roomToLog() {
        try {
            return descend(1000) == 0;
        } catch (StackOverflowError notHere) {
            return false;
        }
    }

    private static int descend(int frames) {
        return frames == 0 ? 0 : descend(frames - 1);
    }
}
