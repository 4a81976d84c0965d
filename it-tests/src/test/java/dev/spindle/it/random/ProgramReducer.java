package dev.spindle.it.random;

import dev.spindle.it.random.RandomProgramGenerator.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shrinks a failing program by deleting lines and whole blocks (a statement with its nested lines, an else or a
 * catch clause, a method), keeping each deletion after which the program still compiles, still runs correctly
 * outside a coroutine, and still fails the same way ({@link ProgramChecker.Failure#kind()}) inside one. Repeats
 * until nothing more can be deleted or the deadline passes.
 */
final class ProgramReducer {
    /** The smallest program found, how it fails, and how many candidates were tried. */
    record Reduced(String source, ProgramChecker.Failure failure, int attempts) {
    }

    private final InMemoryCompiler compiler;
    private final ProgramChecker checker;
    private final boolean alternate;
    private final boolean insideFirst;
    private int attempts;

    /** Checks candidates with {@code checker} the way the failing program was checked. */
    ProgramReducer(InMemoryCompiler compiler, ProgramChecker checker, boolean alternate, boolean insideFirst) {
        this.compiler = compiler;
        this.checker = checker;
        this.alternate = alternate;
        this.insideFirst = insideFirst;
    }

    /** A smaller program that fails with {@code kind}, or null if the original does not fail that way here. */
    Reduced reduce(Program p, String kind, long deadlineNanos) {
        List<String> lines = new ArrayList<>(p.source().lines().toList());
        ProgramChecker.Failure last = failure(p.qualifiedName(), lines);
        if (last == null || !last.kind().equals(kind)) return null;
        boolean changed = true;
        while (changed && System.nanoTime() < deadlineNanos) {
            changed = false;
            for (int i = lines.size() - 1; i >= 0 && System.nanoTime() < deadlineNanos; i--) {
                if (i >= lines.size()) continue;
                String t = lines.get(i).trim();
                if (t.isEmpty() || t.startsWith("package ") || t.startsWith("import ") || t.startsWith("public final class")) {
                    continue;
                }
                for (int[] range : ranges(lines, i)) {
                    List<String> candidate = new ArrayList<>(lines.subList(0, range[0]));
                    candidate.addAll(lines.subList(range[1] + 1, lines.size()));
                    ProgramChecker.Failure f = failure(p.qualifiedName(), candidate);
                    if (f != null && f.kind().equals(kind)) {
                        lines = candidate;
                        last = f;
                        changed = true;
                        break;
                    }
                }
            }
        }
        return new Reduced(String.join("\n", lines) + "\n", last, attempts);
    }

    /** Ranges of lines [from, to] worth deleting that start at line i, largest first. */
    private static List<int[]> ranges(List<String> lines, int i) {
        List<int[]> out = new ArrayList<>();
        String t = lines.get(i).trim();
        if (t.endsWith("{") || t.endsWith(":")) {
            int close = matching(lines, i);
            if (close > i) {
                if (t.startsWith("}")) {
                    // an else, catch or finally clause: up to the line before the next clause or the end
                    out.add(new int[] {i, close - 1});
                } else {
                    int end = close;
                    while (lines.get(end).trim().startsWith("}") && lines.get(end).trim().endsWith("{")) {
                        int c = matching(lines, end);
                        if (c <= end) break;
                        end = c;
                    }
                    int from = i > 0 && lines.get(i - 1).trim().equals("@Suspendable") ? i - 1 : i;
                    out.add(new int[] {from, end});
                }
            }
        }
        if (!t.startsWith("}")) out.add(new int[] {i, i});
        return out;
    }

    /** The line closing the block opened at line i: the next one as indented that starts with '}'. */
    private static int matching(List<String> lines, int i) {
        int indent = indent(lines.get(i));
        boolean label = lines.get(i).trim().endsWith(":") && !lines.get(i).trim().startsWith("case")
                && !lines.get(i).trim().startsWith("default");
        if (label) {
            // "outer3:" then the labeled loop one level deeper
            if (i + 1 >= lines.size()) return -1;
            int loopEnd = matching(lines, i + 1);
            return loopEnd;
        }
        for (int j = i + 1; j < lines.size(); j++) {
            String l = lines.get(j);
            if (l.isBlank()) continue;
            int in = indent(l);
            if (in < indent) return -1;
            if (in == indent && l.trim().startsWith("}")) return j;
        }
        return -1;
    }

    private static int indent(String l) {
        int n = 0;
        while (n < l.length() && l.charAt(n) == ' ') n++;
        return n;
    }

    /** How the program fails, or null if it does not compile, misbehaves outside a coroutine, or passes. */
    private ProgramChecker.Failure failure(String qualifiedName, List<String> lines) {
        attempts++;
        InMemoryCompiler.Result r = compiler.compile(Map.of(qualifiedName, String.join("\n", lines) + "\n"));
        if (!r.ok()) return null;
        InMemoryCompiler.MemoryClassLoader loader =
                new InMemoryCompiler.MemoryClassLoader(r.classes(), ProgramReducer.class.getClassLoader());
        Class<?> c;
        try {
            c = Class.forName(qualifiedName, true, loader);
        } catch (Throwable t) {
            return new ProgramChecker.Failure("load:" + t.getClass().getName(), ProgramChecker.stackTrace(t));
        }
        return checker.check(c, alternate, insideFirst);
    }
}
