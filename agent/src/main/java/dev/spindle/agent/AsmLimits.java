package dev.spindle.agent;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.Value;

/**
 * Lifts the work limits ASM sets on its frame computations (since 9.11: 10 MB and 10^8 operations per method), a
 * guard against hostile class files. The agent rewrites the application's own classes, and a rewritten method
 * with a few dozen {@code long}s live across a hundred suspension points goes past them; hitting one would leave
 * the whole class unrewritten. The JVM's 64 KB limit on a method's code bounds the work anyway.
 */
final class AsmLimits {
    private static final int BYTES = Integer.MAX_VALUE;
    private static final long OPERATIONS = Long.MAX_VALUE;

    private AsmLimits() {
    }

    static <V extends Value> Analyzer<V> lifted(Analyzer<V> analyzer) {
        analyzer.setComputeLimits(BYTES, OPERATIONS);
        return analyzer;
    }

    static <W extends ClassWriter> W lifted(W writer) {
        writer.setComputeLimits(BYTES, OPERATIONS);
        return writer;
    }
}
