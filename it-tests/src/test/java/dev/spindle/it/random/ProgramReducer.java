package dev.spindle.it.random;

import dev.spindle.it.random.RandomProgramGenerator.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shrinks a failing program, keeping each change after which it still compiles and still fails the same way
 * ({@link ProgramChecker.Failure#kind()}): deleting lines and whole blocks (a statement with its nested lines, an
 * else or catch clause, a method), unwrapping blocks (an if, loop or try around statements becomes those
 * statements), and replacing a parenthesized expression {@code (a op b)} or {@code (c ? a : b)} by one of its
 * operands. Repeats until nothing changes or the deadline passes.
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
    private String qualifiedName;
    private String kind;
    private ProgramChecker.Failure last;

    /** Checks candidates with {@code checker} the way the failing program was checked. */
    ProgramReducer(InMemoryCompiler compiler, ProgramChecker checker, boolean alternate, boolean insideFirst) {
        this.compiler = compiler;
        this.checker = checker;
        this.alternate = alternate;
        this.insideFirst = insideFirst;
    }

    /** A smaller program that fails with {@code kind}, or null if the original does not fail that way here. */
    Reduced reduce(Program p, String kind, long deadlineNanos) {
        this.qualifiedName = p.qualifiedName();
        this.kind = kind;
        List<String> lines = new ArrayList<>(p.source().lines().toList());
        last = failure(lines);
        if (last == null || !last.kind().equals(kind)) return null;
        boolean changed = true;
        while (changed && System.nanoTime() < deadlineNanos) {
            changed = false;
            for (int i = lines.size() - 1; i >= 0 && System.nanoTime() < deadlineNanos; i--) {
                if (i >= lines.size() || protectedLine(lines.get(i).trim())) continue;
                for (List<String> candidate : deletions(lines, i)) {
                    if (keeps(candidate)) {
                        lines = candidate;
                        changed = true;
                        break;
                    }
                }
            }
            if (changed) continue;
            for (int i = lines.size() - 1; i >= 0 && System.nanoTime() < deadlineNanos; i--) {
                if (i >= lines.size() || protectedLine(lines.get(i).trim())) continue;
                List<String> simpler = simplifyExpressions(lines, i, deadlineNanos);
                if (simpler != null) {
                    lines = simpler;
                    changed = true;
                }
            }
        }
        return new Reduced(String.join("\n", lines) + "\n", last, attempts);
    }

    private boolean keeps(List<String> candidate) {
        ProgramChecker.Failure f = failure(candidate);
        if (f == null || !f.kind().equals(kind)) return false;
        last = f;
        return true;
    }

    /**
     * Lines never deleted alone: deleting an annotation changes what the program means (a method that is no longer
     * suspendable fails differently), and run() must reset the static state, as it runs twice (when the failure
     * is about the trace; otherwise the resets of the fields go too).
     */
    private boolean protectedLine(String t) {
        boolean stateMatters = kind.equals("trace") || kind.equals("yields") || kind.equals("suspensions");
        return t.isEmpty() || t.startsWith("package ") || t.startsWith("import ") || t.startsWith("public final class")
                || t.equals("@Suspendable") || t.equals("@Override") || t.startsWith("trace = new StringBuilder")
                || t.startsWith("yields = 0")
                || (stateMatters && (t.matches("sf[A-Z] = .*") || t.startsWith("INST.fI = ")));
    }

    /** Candidates without line i: the line alone, its whole block, or the block unwrapped. */
    private static List<List<String>> deletions(List<String> lines, int i) {
        List<List<String>> out = new ArrayList<>();
        String t = lines.get(i).trim();
        if (t.endsWith("{") || isLabel(t)) {
            int close = matching(lines, i);
            if (close > i) {
                if (t.startsWith("}")) {
                    // an else, catch or finally clause: up to the line before the next clause or the end
                    out.add(without(lines, i, close - 1));
                } else {
                    int end = close;
                    while (lines.get(end).trim().startsWith("}") && lines.get(end).trim().endsWith("{")) {
                        int c = matching(lines, end);
                        if (c <= end) break;
                        end = c;
                    }
                    int from = i > 0 && lines.get(i - 1).trim().equals("@Suspendable") ? i - 1 : i;
                    out.add(without(lines, from, end));
                    boolean statement = t.startsWith("if (") || t.startsWith("for (") || t.startsWith("while (")
                            || t.equals("do {") || t.equals("try {") || t.startsWith("case ") || t.startsWith("default");
                    if (statement && close - i > 1) out.add(unwrapped(lines, i, close, end));
                }
            }
        }
        if (!t.startsWith("}")) out.add(without(lines, i, i));
        return out;
    }

    private static boolean isLabel(String t) {
        return t.endsWith(":") && !t.startsWith("case") && !t.startsWith("default") && !t.contains(" ");
    }

    private static List<String> without(List<String> lines, int from, int to) {
        List<String> c = new ArrayList<>(lines.subList(0, from));
        c.addAll(lines.subList(to + 1, lines.size()));
        return c;
    }

    /** The statements of the first clause of the block at [i, end] (closing at close), in place of the block. */
    private static List<String> unwrapped(List<String> lines, int i, int close, int end) {
        int shift = indent(lines.get(i + 1)) - indent(lines.get(i));
        List<String> c = new ArrayList<>(lines.subList(0, i));
        for (int k = i + 1; k < close; k++) {
            String l = lines.get(k);
            c.add(shift > 0 && indent(l) >= shift ? l.substring(shift) : l);
        }
        c.addAll(lines.subList(end + 1, lines.size()));
        return c;
    }

    /** The line closing the block opened at line i: the next one as indented that starts with '}'. */
    private static int matching(List<String> lines, int i) {
        if (isLabel(lines.get(i).trim())) {
            // "outer3:" then the labeled loop one level deeper
            return i + 1 < lines.size() ? matching(lines, i + 1) : -1;
        }
        int indent = indent(lines.get(i));
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

    /** Line i with parenthesized expressions replaced by one of their operands while that keeps the failure. */
    private List<String> simplifyExpressions(List<String> lines, int i, long deadlineNanos) {
        List<String> result = null;
        String line = lines.get(i);
        boolean progress = true;
        while (progress && System.nanoTime() < deadlineNanos) {
            progress = false;
            for (int[] g : groups(line)) {
                List<String> operands = operands(line.substring(g[0] + 1, g[1]));
                if (operands.size() < 2) continue;
                for (String op : operands) {
                    String simpler = line.substring(0, g[0] + 1) + op.strip() + line.substring(g[1]);
                    List<String> candidate = new ArrayList<>(result != null ? result : lines);
                    candidate.set(i, simpler);
                    if (keeps(candidate)) {
                        result = candidate;
                        line = simpler;
                        progress = true;
                        break;
                    }
                }
                if (progress || System.nanoTime() > deadlineNanos) break;
            }
        }
        return result;
    }

    /** The [open, close] index pairs of the parentheses in a line, longest first, outside string literals. */
    private static List<int[]> groups(String line) {
        List<int[]> out = new ArrayList<>();
        List<Integer> stack = new ArrayList<>();
        for (int k = 0; k < line.length(); k++) {
            char c = line.charAt(k);
            if (c == '"' || c == '\'') {
                k = skipLiteral(line, k);
            } else if (c == '(') {
                stack.add(k);
            } else if (c == ')' && !stack.isEmpty()) {
                out.add(new int[] {stack.remove(stack.size() - 1), k});
            }
        }
        out.sort((a, b) -> (b[1] - b[0]) - (a[1] - a[0]));
        return out;
    }

    private static int skipLiteral(String s, int k) {
        char q = s.charAt(k);
        for (int j = k + 1; j < s.length(); j++) {
            if (s.charAt(j) == '\\') {
                j++;
            } else if (s.charAt(j) == q) {
                return j;
            }
        }
        return s.length();
    }

    private static final String[] OPERATORS = {">>>", "<<", ">>", "&&", "||", "==", "!=", "<=", ">=", "+", "-", "*", "/",
            "%", "&", "|", "^", "<", ">", "?", ":"};

    /** The operands of the top-level binary and conditional operators of an expression, or less than two. */
    private static List<String> operands(String e) {
        List<String> out = new ArrayList<>();
        int depth = 0, from = 0;
        for (int k = 0; k < e.length(); k++) {
            char c = e.charAt(k);
            if (c == '"' || c == '\'') {
                k = skipLiteral(e, k);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') depth--;
            if (depth != 0) continue;
            if (e.startsWith("->", k)) return List.of(); // a lambda
            for (String op : OPERATORS) {
                if (e.startsWith(op, k)) {
                    String left = e.substring(from, k);
                    if (!left.isBlank()) {
                        out.add(left);
                        from = k + op.length();
                    }
                    k += op.length() - 1;
                    break;
                }
            }
        }
        if (out.isEmpty()) return out;
        String rest = e.substring(from);
        if (!rest.isBlank()) out.add(rest);
        return out;
    }

    /** How the program fails, or null if it does not compile or passes. */
    private ProgramChecker.Failure failure(List<String> lines) {
        attempts++;
        InMemoryCompiler.Result r = compiler.compile(Map.of(qualifiedName, String.join("\n", lines) + "\n"));
        if (!r.ok()) return null;
        InMemoryCompiler.MemoryClassLoader loader =
                new InMemoryCompiler.MemoryClassLoader(r.classes(), ProgramReducer.class.getClassLoader());
        Class<?> c;
        try {
            c = Class.forName(qualifiedName, true, loader);
        } catch (Throwable t) {
            return new ProgramChecker.Failure("load:" + ProgramChecker.signature(t), ProgramChecker.stackTrace(t));
        }
        return checker.check(c, alternate, insideFirst);
    }
}
