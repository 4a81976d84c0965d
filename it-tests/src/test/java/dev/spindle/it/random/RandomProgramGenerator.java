package dev.spindle.it.random;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Generates small random Java programs whose methods are {@code @Suspendable}, for the property "a program computes
 * the same thing inside a coroutine (suspending at every {@code maybeYield()}) as outside".
 *
 * <p>A program is one self-contained class {@code spindlegen.GenN} (it needs only spindle-runtime) with:
 * <ul>
 *   <li>a few generated methods {@code m0..mK}, static or instance, taking and returning all primitive types,
 *       {@code String}, {@code int[]}, {@code Object} (maybe null) and {@code Holder}; method {@code mi} only calls
 *       {@code mj} with {@code j > i}, except for recursion bounded by a depth parameter {@code d}, so programs
 *       terminate; an estimate of the number of calls executed keeps every program cheap;</li>
 *   <li>expressions that keep values on the operand stack across suspending calls (arithmetic, string
 *       concatenation, {@code new Holder(m1(..), m2(..))}, {@code arr[i] += m1(..)}, receivers and arguments),
 *       if/else, bounded loops, for-each loops over arrays and lists, switches on ints and strings, switch
 *       expressions, try/catch/finally with a custom exception, try-with-resources whose {@code close()} suspends
 *       (and may throw, suppressing), lambdas and method references of {@code SuspendableCallable}, labeled
 *       breaks;</li>
 *   <li>coroutines made and driven to their end inside a method, yielding each time the inner one suspends, maybe
 *       throwing an exception into one with {@code resumeThrowing};</li>
 *   <li>synchronized blocks (without suspendable calls inside) in methods that suspend elsewhere, and yields
 *       holding a monitor, which a coroutine refuses (outside one, the program throws the same exception);</li>
 *   <li>calls through a small hierarchy ({@code Op}): a generic interface with abstract, default and static
 *       suspendable methods, an abstract class whose override gets a bridge method, subclasses that call
 *       {@code super.} and {@code Op.super.} methods, an anonymous class, and method references to its methods,
 *       also where the reference's proxy unboxes the result;</li>
 *   <li>{@code maybeYield()}, which counts its calls and yields when called in a coroutine (outside one, the call
 *       that {@code injectAt} names throws what the checker throws into the coroutine at that suspension), and
 *       the same code written inline, so that the generated frame yields itself;</li>
 *   <li>{@code static StringBuilder trace} that the program appends intermediate values to, and
 *       {@code public static String run()} returning the trace; the class implements
 *       {@code SuspendableCallable<String>} with {@code call()} returning {@code run()}.</li>
 * </ul>
 * The same seed always gives the same source.
 */
public final class RandomProgramGenerator {
    /** The package of the generated classes. */
    public static final String PACKAGE = "spindlegen";

    /** What the generator may use; disable some (system property {@code spindle.random.disable}) to diagnose. */
    public enum Feature {
        LOOPS, LABELS, SWITCH_INT, SWITCH_STRING, SWITCH_EXPR, TRY, THROW, RISKY, RECURSION, LAMBDA, METHOD_REF,
        HOLDER, RECORD, INSTANCE, ARRAYS, FIELDS, TERNARY, SHORT_CIRCUIT, YIELD_HELPERS, EARLY_RETURN, CONCAT,
        DISPATCH, RESOURCES, FOREACH, NESTED, SYNC
    }

    /** One generated program. */
    public record Program(int index, long seed, String className, String qualifiedName, String source) {
    }

    /** The default number of statements in a program's methods. */
    public static final int DEFAULT_STATEMENTS = 36;

    private final Set<Feature> enabled;
    private final int statements;

    /** A generator using every feature. */
    public RandomProgramGenerator() {
        this(EnumSet.allOf(Feature.class));
    }

    /** A generator using only {@code enabled}. */
    public RandomProgramGenerator(Set<Feature> enabled) {
        this(enabled, DEFAULT_STATEMENTS);
    }

    /** A generator using only {@code enabled}, making programs of about {@code statements} statements. */
    public RandomProgramGenerator(Set<Feature> enabled, int statements) {
        this.enabled = enabled.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(enabled);
        this.statements = statements;
    }

    /** All features minus those named in a comma-separated list (case-insensitive); null or blank for none. */
    public static Set<Feature> featuresWithout(String disabled) {
        EnumSet<Feature> set = EnumSet.allOf(Feature.class);
        if (disabled != null) {
            for (String s : disabled.split("[,\\s]+")) {
                if (!s.isBlank()) set.remove(Feature.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            }
        }
        return set;
    }

    /** The seed of program {@code index} of a run with {@code baseSeed}. */
    public static long programSeed(long baseSeed, int index) {
        long z = baseSeed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Program {@code index} of a run with {@code baseSeed}: class {@code spindlegen.Gen<index>}. */
    public Program generate(long baseSeed, int index) {
        long seed = programSeed(baseSeed, index);
        String name = "Gen" + index;
        return new Program(index, seed, name, PACKAGE + "." + name, generateSource(seed, name));
    }

    /** The source of class {@code spindlegen.<className>} generated from {@code programSeed}. */
    public String generateSource(long programSeed, String className) {
        return new Gen(programSeed, className).source();
    }

    // ------------------------------------------------------------------------------------------------------------

    enum T {
        INT("int", "Integer"), LONG("long", "Long"), DOUBLE("double", "Double"), FLOAT("float", "Float"),
        BOOLEAN("boolean", "Boolean"), CHAR("char", "Character"), SHORT("short", "Short"), BYTE("byte", "Byte"),
        STRING("String", "String"), ARR("int[]", "int[]"), OBJ("Object", "Object"), HOLDER("Holder", "Holder");

        final String java;
        final String boxed;

        T(String java, String boxed) {
            this.java = java;
            this.boxed = boxed;
        }

        boolean numeric() {
            return this != BOOLEAN && ordinal() <= BYTE.ordinal();
        }

        boolean integral() {
            return this == INT || this == LONG || this == CHAR || this == SHORT || this == BYTE;
        }

        boolean ref() {
            return ordinal() >= STRING.ordinal();
        }
    }

    /** Whether a value of type {@code from} can be used where {@code to} is expected (identity or widening). */
    static boolean widens(T from, T to) {
        if (from == to) return true;
        if (to == T.OBJ) return from.ref();
        if (!from.numeric() || !to.numeric()) return false;
        switch (from) {
            case BYTE: return to == T.SHORT || to == T.INT || to == T.LONG || to == T.FLOAT || to == T.DOUBLE;
            case SHORT: case CHAR: return to == T.INT || to == T.LONG || to == T.FLOAT || to == T.DOUBLE;
            case INT: return to == T.LONG || to == T.FLOAT || to == T.DOUBLE;
            case LONG: return to == T.FLOAT || to == T.DOUBLE;
            case FLOAT: return to == T.DOUBLE;
            default: return false;
        }
    }

    static final T[] ALL = T.values();
    static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final T[] INTEGRAL_OPERANDS = {T.INT, T.INT, T.INT, T.CHAR, T.SHORT, T.BYTE};
    static final String[] STRINGS = {"a", "bb", "Aa", "BB", "xyz", "", "q1", "Spin"};

    /** A generated method. */
    static final class M {
        final int index;
        final String name;
        boolean isStatic = true;
        boolean isPrivate;
        T ret; // null: void
        final List<T> params = new ArrayList<>();
        boolean recursive; // then params.get(0) is the int depth d
        long cost = 1;
        boolean called;

        M(int index) {
            this.index = index;
            this.name = "m" + index;
        }
    }

    static final class Var {
        final String name;
        final T type;
        final boolean assignable;
        final boolean capturable;

        Var(String name, T type, boolean assignable, boolean capturable) {
            this.name = name;
            this.type = type;
            this.assignable = assignable;
            this.capturable = capturable;
        }
    }

    /** The generation of one program. */
    final class Gen {
        final Random r;
        final String cls;
        final List<M> methods = new ArrayList<>();
        final StringBuilder out = new StringBuilder();
        int indent;
        int ids;
        int programStatements;
        String bodiesSoFar = "";

        // the method being generated
        M m;
        List<Var> vars;
        long mult;
        long cost;
        long budget;
        int loops;
        boolean inSwitch;
        boolean noReturn;
        int lambda;
        int tryDepth;
        int selfCalls;
        int stmtBudget;
        int exprCalls;
        List<String> labels;

        Gen(long seed, String cls) {
            this.r = new Random(seed);
            this.cls = cls;
        }

        boolean on(Feature f) {
            return enabled.contains(f);
        }

        boolean chance(int percent) {
            return r.nextInt(100) < percent;
        }

        <X> X pick(List<X> list) {
            return list.get(r.nextInt(list.size()));
        }

        String id(String prefix) {
            return prefix + (ids++);
        }

        T randomType() {
            T t = ALL[r.nextInt(ALL.length)];
            if (t == T.HOLDER && !on(Feature.HOLDER)) return T.INT;
            if (t == T.ARR && !on(Feature.ARRAYS)) return T.LONG;
            return t;
        }

        // ---- output ----

        void line(String s) {
            for (int i = 0; i < indent; i++) out.append("    ");
            out.append(s).append('\n');
        }

        void open(String s) {
            line(s);
            indent++;
        }

        void close(String s) {
            indent--;
            line(s);
        }

        // ---- the program ----

        String source() {
            int n = 2 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                M mm = new M(i);
                if (on(Feature.INSTANCE) && chance(25)) mm.isStatic = false;
                mm.isPrivate = chance(25);
                mm.ret = chance(15) ? null : randomType();
                if (on(Feature.RECURSION) && i > 0 && chance(25)) {
                    mm.recursive = true;
                    mm.params.add(T.INT);
                }
                int np = r.nextInt(4);
                for (int k = 0; k < np; k++) mm.params.add(randomType());
                methods.add(mm);
            }
            StringBuilder bodies = new StringBuilder();
            for (int i = n - 1; i >= 0; i--) {
                out.setLength(0);
                indent = 1;
                method(methods.get(i));
                bodies.insert(0, out);
            }
            out.setLength(0);
            indent = 1;
            bodiesSoFar = bodies.toString();
            runMethod();
            line("");
            line("@Override");
            line("public String call() { return run(); }");
            indent = 0;
            line("}");
            String run = out.toString();
            // helpers only if used: they are a large part of what javac and the agent spend on a program
            Set<String> text = identifiers(bodies + run);
            out.setLength(0);
            indent = 0;
            header(text);
            return out.append(bodies).append(run).toString();
        }

        Set<String> identifiers(String text) {
            Set<String> ids = new java.util.HashSet<>();
            java.util.regex.Matcher m = IDENTIFIER.matcher(text);
            while (m.find()) ids.add(m.group());
            return ids;
        }

        boolean uses(Set<String> text, String identifier) {
            return text.contains(identifier);
        }

        void header(Set<String> text) {
            boolean holder = uses(text, "Holder");
            boolean pair = uses(text, "Pair");
            boolean msg = uses(text, "msg");
            boolean res = uses(text, "Res");
            boolean ops = uses(text, "op") || uses(text, "Op");
            boolean genEx = msg || res || uses(text, "GenEx") || uses(text, "step");
            boolean cut = holder || uses(text, "cut");
            boolean pick = uses(text, "pick");
            boolean h = uses(text, "h");
            line("package " + PACKAGE + ";");
            line("");
            line("import dev.spindle.Coroutine;");
            line("import dev.spindle.Suspendable;");
            line("import dev.spindle.SuspendableCallable;");
            if (uses(text, "SuspendableRunnable")) line("import dev.spindle.SuspendableRunnable;");
            if (h || uses(text, "Arrays")) line("import java.util.Arrays;");
            line("");
            open("public final class " + cls + " implements SuspendableCallable<String> {");
            line("static StringBuilder trace = new StringBuilder();");
            line("static int yields;");
            if (uses(text, "sfI")) line("static int sfI;");
            if (uses(text, "sfL")) line("static long sfL;");
            if (uses(text, "sfD")) line("static double sfD;");
            if (uses(text, "sfS")) line("static String sfS = \"\";");
            if (uses(text, "sfA")) line("static int[] sfA = {0};");
            if (uses(text, "sfLA")) line("static long[] sfLA = {0L, 0L};");
            if (uses(text, "sfDA")) line("static double[] sfDA = {0.0, 0.0};");
            if (uses(text, "LOCK")) line("static final Object LOCK = new Object();");
            if (uses(text, "fI")) line("int fI;");
            if (uses(text, "INST")) line("static final " + cls + " INST = new " + cls + "();");
            line("");
            if (genEx) line("static final class GenEx extends RuntimeException { GenEx(String m) { super(m); } }");
            if (holder) {
                open("static final class Holder {");
                line("final int a; final String b;");
                line("Holder(int a, String b) { this.a = a; this.b = b; }");
                line("@Suspendable int mix(int k) { maybeYield(); return a * 31 + k + b.length(); }");
                line("@Suspendable Holder next(String s) { maybeYield(); return new Holder(a + 1, cut(b + s)); }");
                line("@Override public String toString() { return \"H(\" + a + \",\" + b + \")\"; }");
                close("}");
            }
            if (pair) line("record Pair(long x, double y) { }");
            if (res) {
                open("static final class Res implements AutoCloseable {");
                line("final String n; final int v;");
                line("Res(String n, int v) { this.n = n; this.v = v; trace.append(\"o:\").append(n).append(v).append(';'); }");
                line("@Suspendable @Override public void close() {");
                line("    maybeYield();");
                line("    trace.append(\"x:\").append(n).append(';');");
                line("    if ((v & 15) == 5) throw new GenEx(\"close:\" + n);");
                line("}");
                close("}");
            }
            if (ops) opHierarchy();
            line("");
            // outside a coroutine, the checker may have the n-th call throw where, inside, it throws n-th resume's exception
            line("static int injectAt;");
            line("@Suspendable static void maybeYield() { yields++; if (Coroutine.current() != null) Coroutine.yield();"
                    + " else if (yields == injectAt) throw new " + ProgramChecker.INJECTED + "(\"inj\"); }");
            if (uses(text, "yi")) line("@Suspendable static int yi(int v) { maybeYield(); return v; }");
            if (uses(text, "yl")) line("@Suspendable static long yl(long v) { maybeYield(); return v; }");
            if (uses(text, "yd")) line("@Suspendable static double yd(double v) { maybeYield(); return v; }");
            if (uses(text, "yf")) line("@Suspendable static float yf(float v) { maybeYield(); return v; }");
            if (uses(text, "yz")) line("@Suspendable static boolean yz(boolean v) { maybeYield(); return v; }");
            if (uses(text, "ys")) line("@Suspendable static String ys(String v) { maybeYield(); return v; }");
            if (uses(text, "yo")) line("@Suspendable static <X> X yo(X v) { maybeYield(); return v; }");
            if (uses(text, "IntS")) line("interface IntS { @Suspendable int get(int v); }");
            if (uses(text, "bi")) line("@Suspendable static Integer bi(int v) { maybeYield(); return v * 5; }");
            if (h) {
                open("static int h(Object o) {");
                line("if (o == null) return 0;");
                line("if (o instanceof int[]) return Arrays.hashCode((int[]) o);");
                if (holder) line("if (o instanceof Holder) return ((Holder) o).a * 31 + ((Holder) o).b.hashCode();");
                if (pair) line("if (o instanceof Pair) return Long.hashCode(((Pair) o).x()) * 31 + Double.hashCode(((Pair) o).y());");
                line("return o.hashCode();");
                close("}");
            }
            if (cut) line("static String cut(String s) { return s.length() <= 24 ? s : s.substring(0, 12) + \"~\" + s.length(); }");
            if (pick) {
                StringBuilder strs = new StringBuilder("static final String[] STR = {");
                for (int i = 0; i < STRINGS.length; i++) strs.append(i == 0 ? "" : ", ").append('"').append(STRINGS[i]).append('"');
                line(strs.append("};").toString());
                line("static String pick(int i) { return STR[Math.floorMod(i, STR.length)]; }");
            }
            if (uses(text, "step")) {
                // the inner coroutine's yields suspend it, not the program's: they are traced, not counted
                open("static boolean step(Coroutine c, boolean inject) {");
                line("int before = yields;");
                line("try { return inject ? c.resumeThrowing(new GenEx(\"inj\")) : c.resume(); } finally { trace.append('n').append(yields - before).append(';'); yields = before; }");
                close("}");
            }
            if (uses(text, "fr")) {
                // the frames a caught exception's stack trace shows must be a thread's, in a coroutine too
                open("static String fr(Throwable t) {");
                line("if (!(t instanceof GenEx)) return \"\";");
                line("StringBuilder sb = new StringBuilder(\"[\");");
                line("String last = \"\";");
                open("for (StackTraceElement e : t.getStackTrace()) {");
                line("if (!e.getClassName().startsWith(\"" + PACKAGE + ".\")) continue;");
                // a recursion's levels that call from one line are shown once: see programFrames
                line("String f = e.getMethodName() + ':' + e.getLineNumber() + ',';");
                line("if (!f.equals(last)) sb.append(f);");
                line("last = f;");
                // a nested coroutine's trace is not given the saved callers of the coroutine that resumed it
                line("if (e.getMethodName().equals(\"run\") || e.getMethodName().equals(\"step\")) break;");
                close("}");
                line("return sb.append(']').toString();");
                close("}");
            }
            if (msg) line("static String msg(Throwable t) { return t instanceof GenEx ? \"G:\" + t.getMessage() : t.getClass().getSimpleName(); }");
        }

        /**
         * Calls through it are invokeinterface (to a bridge, a default method or an anonymous class),
         * invokevirtual, invokespecial of a superclass's and a superinterface's method, and invokestatic of an
         * interface's static method; each yields one to three times.
         */
        void opHierarchy() {
            open("interface Op<X> {");
            line("@Suspendable X apply(X x);");
            line("@Suspendable int tag();");
            line("@Suspendable default long mix(long a, int b) { long t = a * 31 + tag(); maybeYield(); return t ^ b; }");
            line("@Suspendable static int stat(int v) { maybeYield(); return v * 7 + 1; }");
            close("}");
            open("abstract static class OpBase implements Op<Integer> {");
            line("final int k;");
            line("OpBase(int k) { this.k = k; }");
            line("@Override public Integer apply(Integer x) { maybeYield(); return x == null ? k : x * 3 + k; }");
            line("@Override public int tag() { return k; }");
            close("}");
            open("static final class OpA extends OpBase {");
            line("OpA() { super(5); }");
            line("@Override public Integer apply(Integer x) { int s = super.apply(x); maybeYield(); return s - tag(); }");
            close("}");
            // Op.super.mix needs Op as a direct superinterface, which javac refuses next to a superclass that has it
            open("static final class OpB implements Op<Integer> {");
            line("@Override public Integer apply(Integer x) { maybeYield(); return x == null ? 9 : x ^ 9; }");
            line("@Override public int tag() { maybeYield(); return 18; }");
            line("@Override public long mix(long a, int b) { long u = Op.super.mix(a, b); return u + apply(b); }");
            close("}");
            open("static final Op<Integer> OP_C = new Op<Integer>() {");
            line("@Override public Integer apply(Integer x) { maybeYield(); return x == null ? -1 : x - 1; }");
            line("@Override public int tag() { return 3; }");
            close("};");
            line("static final Op<Integer> OP_A = new OpA(), OP_B = new OpB();");
            line("static Op<Integer> op(int i) { int k = Math.floorMod(i, 3); return k == 0 ? OP_A : k == 1 ? OP_B : OP_C; }");
        }

        void runMethod() {
            line("");
            line("@Suspendable");
            open("public static String run() {");
            line("trace = new StringBuilder();");
            line("yields = 0;");
            // run() runs twice (outside and inside a coroutine): it resets all static state
            Set<String> body = identifiers(bodiesSoFar);
            if (uses(body, "sfI")) line("sfI = " + r.nextInt(50) + ";");
            if (uses(body, "sfL")) line("sfL = " + r.nextInt(50) + "L;");
            if (uses(body, "sfD")) line("sfD = " + r.nextInt(50) + ".5;");
            if (uses(body, "sfS")) line("sfS = \"" + STRINGS[r.nextInt(STRINGS.length)] + "\";");
            if (uses(body, "sfA")) line("sfA = new int[] {" + r.nextInt(9) + ", " + r.nextInt(9) + ", " + r.nextInt(9) + "};");
            if (uses(body, "sfLA")) line("sfLA = new long[] {" + r.nextInt(9) + "L, " + r.nextInt(1 << 20) * 7919L + "L};");
            if (uses(body, "sfDA")) line("sfDA = new double[] {" + r.nextInt(9) + ".25, -1.5};");
            if (uses(body, "fI")) line("INST.fI = " + r.nextInt(20) + ";");
            // the run context: a static method without locals that may call anything
            m = new M(-1);
            vars = new ArrayList<>();
            mult = 1;
            lambda = 0;
            for (M callee : methods) {
                if (callee.index != 0 && callee.called) continue;
                String call = callExpr(callee, 3);
                if (callee.ret == null) {
                    line(call + ";");
                } else {
                    line("trace.append(\"r" + callee.index + "=\").append(" + traceValue(callee.ret, call) + ").append(';');");
                }
            }
            line("return trace.append(\"end:\").append(yields).toString();");
            close("}");
        }

        // ---- methods ----

        void method(M mm) {
            m = mm;
            vars = new ArrayList<>();
            mult = 1;
            cost = 0;
            loops = 0;
            inSwitch = false;
            noReturn = false;
            lambda = 0;
            tryDepth = 0;
            selfCalls = 0;
            labels = new ArrayList<>();
            budget = mm.recursive ? 24 : 160 + r.nextInt(200);
            stmtBudget = Math.max(3, Math.min(3 + r.nextInt(Math.max(1, statements / 4)), statements - programStatements));

            StringBuilder sig = new StringBuilder();
            if (mm.isPrivate) sig.append("private ");
            if (mm.isStatic) sig.append("static ");
            sig.append(mm.ret == null ? "void" : mm.ret.java).append(' ').append(mm.name).append('(');
            for (int i = 0; i < mm.params.size(); i++) {
                String pn = mm.recursive && i == 0 ? "d" : "p" + i;
                if (i > 0) sig.append(", ");
                sig.append(mm.params.get(i).java).append(' ').append(pn);
                boolean assignable = !(mm.recursive && i == 0) && chance(70);
                vars.add(new Var(pn, mm.params.get(i), assignable, !assignable));
            }
            sig.append(") {");
            line("");
            line("@Suspendable");
            open(sig.toString());
            if (mm.recursive) {
                open("if (d <= 0) {");
                line("trace.append(\"b" + mm.index + ";\");");
                line(mm.ret == null ? "return;" : "return " + leaf(mm.ret) + ";");
                close("}");
            }
            StringBuilder entry = new StringBuilder("trace.append(\"" + mm.name + "(\"");
            for (Var v : vars) entry.append(" + ").append(traceValue(v.type, v.name)).append(" + \",\"");
            line(entry.append(" + \")\");").toString());
            int before = stmtBudget;
            block();
            programStatements += before - stmtBudget;
            if (mm.ret != null) line("return " + retExpr(mm.ret) + ";");
            close("}");
            mm.cost = 1 + cost;
            if (mm.recursive) mm.cost *= selfCalls == 0 ? 1 : selfCalls == 1 ? 4 : 15;
        }

        String retExpr(T t) {
            String e = expr(t, 0);
            return t == T.STRING ? "cut(" + e + ")" : e;
        }

        /** The top-level statements of a method: until the statement budget runs out. */
        void block() {
            while (stmtBudget > 0) stmt(0);
        }

        void nestedBlock(int depth) {
            int mark = vars.size();
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n && stmtBudget > 0; i++) stmt(depth);
            truncate(mark);
        }

        void truncate(int mark) {
            while (vars.size() > mark) vars.remove(vars.size() - 1);
        }

        void stmt(int depth) {
            stmtBudget--;
            for (int attempt = 0; attempt < 10; attempt++) {
                if (tryStmt(depth)) return;
            }
            line("maybeYield();");
        }

        boolean tryStmt(int depth) {
            boolean deep = depth >= 3;
            int k = r.nextInt(110);
            if (k < 17) return declare();
            if (k < 26) return assign();
            if (k < 35) return traceStmt();
            if (k < 41) {
                // half of them inline, so that the frame yields itself: resumed below saved callers and
                // suspending again in the same place, it is saved back where it was
                line(r.nextBoolean() ? "maybeYield();" : "{ yields++; if (Coroutine.current() != null) Coroutine.yield();"
                        + " else if (yields == injectAt) throw new " + ProgramChecker.INJECTED + "(\"inj\"); }");
                cost += mult;
                return true;
            }
            if (k < 47) return callStmt();
            if (k < 54) return !deep && ifStmt(depth);
            if (k < 61) return !deep && on(Feature.LOOPS) && loopStmt(depth);
            if (k < 66) return !deep && switchStmt(depth);
            if (k < 72) return !deep && on(Feature.TRY) && tryStmtBlock(depth);
            if (k < 75) return earlyReturn();
            if (k < 78) return throwStmt();
            if (k < 81) return jumpStmt();
            if (k < 85) return arrayStore();
            if (k < 89) return fieldStmt();
            if (k < 92) return on(Feature.NESTED) && chance(30) ? nestedCoroutine() : lambdaStmt();
            if (k < 95) return incStmt();
            if (k < 98) return riskyStmt();
            if (k < 100) return on(Feature.LABELS) && !deep && labeledLoops(depth);
            if (k < 103) return !deep && resourceStmt(depth);
            if (k < 106) return !deep && foreachStmt(depth);
            return syncBlock();
        }

        boolean declare() {
            T t = randomType();
            String name = id("v");
            boolean fin = chance(20);
            String init = t == T.STRING ? "cut(" + expr(t, 0) + ")" : expr(t, 0);
            line((fin ? "final " : "") + t.java + " " + name + " = " + init + ";");
            vars.add(new Var(name, t, !fin, fin));
            return true;
        }

        Var randomVar(boolean assignable) {
            List<Var> c = new ArrayList<>();
            for (Var v : vars) {
                if (assignable && !v.assignable) continue;
                if (lambda > 0 && !v.capturable) continue;
                c.add(v);
            }
            return c.isEmpty() ? null : pick(c);
        }

        boolean assign() {
            if (lambda > 0) return false;
            Var v = randomVar(true);
            if (v == null) return false;
            line(v.name + assignTail(v.type, v.name) + ";");
            return true;
        }

        /** " = e", " += e", ... for a target of type t named target. */
        String assignTail(T t, String target) {
            if (t == T.STRING) {
                return " = cut(" + (chance(50) ? target + " + " + concatOperand() : expr(t, 0)) + ")";
            }
            if (t.numeric() && chance(60)) {
                String[] ops = t.integral()
                        ? new String[] {"+=", "-=", "*=", "^=", "|=", "&=", "<<=", ">>=", ">>>=", "/=", "%="}
                        : new String[] {"+=", "-=", "*=", "/=", "%="};
                String op = ops[r.nextInt(ops.length)];
                boolean intOnly = t.integral();
                T et = intOnly ? INTEGRAL_OPERANDS[r.nextInt(INTEGRAL_OPERANDS.length)] : numericType();
                if (!intOnly && chance(30)) et = T.DOUBLE; // f += double is allowed: an implicit cast
                String e = expr(et, 1);
                if (op.equals("/=") || op.equals("%=")) e = intOnly ? "(" + e + " | 1)" : e;
                if (op.endsWith("<<=") || op.endsWith(">>=")) e = "(" + e + " & 31)";
                return " " + op + " " + e;
            }
            if (t == T.BOOLEAN && chance(40)) {
                String[] ops = {"&=", "|=", "^="};
                return " " + ops[r.nextInt(3)] + " " + expr(T.BOOLEAN, 1);
            }
            return " = " + expr(t, 0);
        }

        T numericType() {
            T[] ts = {T.INT, T.LONG, T.DOUBLE, T.FLOAT, T.CHAR, T.SHORT, T.BYTE};
            return ts[r.nextInt(ts.length)];
        }

        boolean traceStmt() {
            T t = randomType();
            String e = traceValue(t, expr(t, 0));
            if (chance(50)) {
                line("trace.append(\"" + id("t") + ":\").append(" + e + ").append(';');");
            } else {
                // the StringBuilder stays on the operand stack while the concatenation's operands are computed
                line("trace.append(\"" + id("t") + ":\" + " + e + " + \";\");");
            }
            return true;
        }

        /** An expression that appends deterministically (no identity hash codes). */
        String traceValue(T t, String e) {
            if (t == T.ARR) return "Arrays.hashCode(" + e + ")";
            if (t == T.OBJ) return "h(" + e + ")";
            return e;
        }

        boolean callStmt() {
            List<M> c = callees(null);
            if (c.isEmpty()) return false;
            M callee = pick(c);
            if (callee.params.isEmpty() && callee != m && on(Feature.METHOD_REF) && chance(35)) {
                // a method reference as a SuspendableRunnable: its result, if any, is dropped
                if (!affordable(callee)) return false;
                String recv = callee.isStatic ? cls : m.index >= 0 && !m.isStatic && chance(50) ? "this" : "INST";
                line("((SuspendableRunnable) " + recv + "::" + callee.name + ").run();");
                return true;
            }
            String call = callOrNull(callee, 1);
            if (call == null) return false;
            line(call + ";");
            return true;
        }

        boolean ifStmt(int depth) {
            open("if (" + expr(T.BOOLEAN, 0) + ") {");
            nestedBlock(depth + 1);
            if (chance(50)) {
                if (chance(30)) {
                    close("} else if (" + expr(T.BOOLEAN, 1) + ") {");
                    indent++;
                    nestedBlock(depth + 1);
                }
                close("} else {");
                indent++;
                nestedBlock(depth + 1);
            }
            close("}");
            return true;
        }

        boolean loopStmt(int depth) {
            int n = 1 + r.nextInt(4);
            if (loops >= 2 || mult * n > 12) return false;
            inLoop(n, () -> {
                String c = id("i");
                switch (r.nextInt(3)) {
                    case 0:
                        open("for (int " + c + " = 0; " + c + " < " + n + "; " + c + "++) {");
                        vars.add(new Var(c, T.INT, false, false));
                        nestedBlock(depth + 1);
                        close("}");
                        break;
                    case 1:
                        line("int " + c + " = " + n + ";");
                        vars.add(new Var(c, T.INT, false, false));
                        open("while (" + c + "-- > 0) {");
                        nestedBlock(depth + 1);
                        close("}");
                        break;
                    default:
                        line("int " + c + " = " + n + ";");
                        vars.add(new Var(c, T.INT, false, false));
                        open("do {");
                        nestedBlock(depth + 1);
                        close("} while (--" + c + " > 0);");
                        break;
                }
                // the while/do counter stays in scope after the loop, but keep it simple: forget it
            });
            return true;
        }

        /** Writes a loop that runs {@code n} times with {@code loop}, its variables scoped and its cost counted. */
        void inLoop(int n, Runnable loop) {
            long savedMult = mult;
            boolean savedSwitch = inSwitch;
            mult *= n;
            loops++;
            inSwitch = false;
            int mark = vars.size();
            loop.run();
            truncate(mark);
            mult = savedMult;
            loops--;
            inSwitch = savedSwitch;
        }

        /** try-with-resources, one or two resources, maybe with a catch that reports suppressed exceptions. */
        boolean resourceStmt(int depth) {
            if (!on(Feature.RESOURCES) || lambda > 0) return false;
            String a = id("res");
            StringBuilder head = new StringBuilder("try (Res " + a + " = new Res(\"" + a + "\", " + expr(T.INT, 1) + ")");
            cost += mult;
            if (chance(30)) {
                String b = id("res");
                head.append("; Res ").append(b).append(" = new Res(\"").append(b).append("\", ").append(expr(T.INT, 1)).append(')');
                cost += mult;
            }
            boolean handled = chance(50);
            if (handled) tryDepth++;
            open(head + ") {");
            nestedBlock(depth + 1);
            if (handled) {
                tryDepth--;
                String e = id("e");
                close("} catch (RuntimeException " + e + ") {");
                indent++;
                line("trace.append(\"c:\").append(msg(" + e + ")).append(" + e + ".getSuppressed().length).append(';');");
                if (chance(50)) {
                    line("maybeYield();");
                    cost += mult;
                }
            }
            close("}");
            return true;
        }

        /** for (x : array or list), over a few values computed before the loop. */
        boolean foreachStmt(int depth) {
            if (!on(Feature.FOREACH) || loops >= 2) return false;
            Var arr = on(Feature.ARRAYS) && chance(30) ? varOf(T.ARR, false) : null;
            int n = arr != null ? 5 : 1 + r.nextInt(3); // no generated int[] is longer than 5
            if (mult * n > 12) return false;
            T t;
            String source;
            if (arr != null) {
                t = T.INT;
                source = arr.name;
            } else {
                int kind = r.nextInt(3);
                t = kind == 0 ? T.INT : kind == 1 ? T.LONG : T.STRING;
                StringBuilder sb = new StringBuilder(t == T.STRING ? "Arrays.asList(" : "new " + t.java + "[] {");
                for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append(expr(t, 1));
                source = sb.append(t == T.STRING ? ")" : "}").toString();
            }
            inLoop(n, () -> {
                String x = id("x");
                open("for (" + t.java + " " + x + " : " + source + ") {");
                vars.add(new Var(x, t, false, true));
                nestedBlock(depth + 1);
                close("}");
            });
            return true;
        }

        boolean labeledLoops(int depth) {
            if (loops > 0 || mult * 6 > 12 || !on(Feature.LOOPS)) return false;
            long savedMult = mult;
            String label = id("outer");
            String a = id("i");
            String b = id("j");
            int na = 2 + r.nextInt(2), nb = 2;
            mult *= na * nb;
            loops += 2;
            boolean savedSwitch = inSwitch;
            inSwitch = false;
            int mark = vars.size();
            labels.add(label);
            open(label + ":");
            open("for (int " + a + " = 0; " + a + " < " + na + "; " + a + "++) {");
            vars.add(new Var(a, T.INT, false, false));
            open("for (int " + b + " = 0; " + b + " < " + nb + "; " + b + "++) {");
            vars.add(new Var(b, T.INT, false, false));
            nestedBlock(depth + 2);
            line("if (" + expr(T.BOOLEAN, 1) + ") " + (chance(50) ? "break " : "continue ") + label + ";");
            nestedBlock(depth + 2);
            close("}");
            close("}");
            indent--;
            labels.remove(label);
            truncate(mark);
            mult = savedMult;
            loops -= 2;
            inSwitch = savedSwitch;
            return true;
        }

        boolean switchStmt(int depth) {
            boolean str = r.nextBoolean();
            if (str ? !on(Feature.SWITCH_STRING) : !on(Feature.SWITCH_INT)) return false;
            List<String> cases = new ArrayList<>();
            String selector;
            if (str) {
                selector = chance(60) ? "pick(" + expr(T.INT, 1) + ")" : expr(T.STRING, 1);
                List<String> pool = new ArrayList<>(Arrays.asList(STRINGS));
                Collections.shuffle(pool, r);
                for (String s : pool.subList(0, 2 + r.nextInt(4))) cases.add('"' + s + '"');
            } else if (chance(30)) {
                selector = "(" + expr(T.INT, 1) + " & 3) * 1000";
                for (int v : new int[] {0, 1000, 3000}) if (chance(80)) cases.add(String.valueOf(v));
                if (cases.isEmpty()) cases.add("2000");
            } else {
                int mod = 2 + r.nextInt(5);
                selector = "Math.floorMod(" + expr(T.INT, 1) + ", " + mod + ")";
                for (int v = 0; v < mod; v++) if (chance(70)) cases.add(String.valueOf(v));
                if (cases.isEmpty()) cases.add("0");
            }
            while (cases.size() > Math.max(1, stmtBudget)) cases.remove(cases.size() - 1);
            boolean savedSwitch = inSwitch;
            inSwitch = true;
            boolean arrow = chance(40);
            open("switch (" + selector + ") {");
            for (int i = 0; i < cases.size(); i++) {
                String label = cases.get(i);
                if (arrow) {
                    open("case " + label + " -> {");
                    nestedBlock(depth + 1);
                    close("}");
                } else {
                    open("case " + label + ": {");
                    nestedBlock(depth + 1);
                    close(chance(75) ? "} break;" : "} // falls through");
                }
            }
            if (chance(70) && stmtBudget > 0) {
                open(arrow ? "default -> {" : "default: {");
                nestedBlock(depth + 1);
                close("}");
            }
            close("}");
            inSwitch = savedSwitch;
            return true;
        }

        boolean tryStmtBlock(int depth) {
            int kind = r.nextInt(5);
            tryDepth++;
            open("try {");
            nestedBlock(depth + 1);
            if (chance(40) && on(Feature.THROW)) {
                line("if (" + expr(T.BOOLEAN, 1) + ") throw new GenEx(\"" + id("x") + "\" + " + expr(T.INT, 2) + ");");
            }
            nestedBlock(depth + 1);
            tryDepth--;
            if (kind != 1) {
                String e = id("e");
                String type = kind == 2 ? "ArithmeticException | GenEx" : kind == 3 ? "RuntimeException" : "GenEx";
                close("} catch (" + type + " " + e + ") {");
                indent++;
                line("trace.append(\"c:\").append(msg(" + e + ")).append(fr(" + e + ")).append(';');");
                if (chance(50)) {
                    line("maybeYield();");
                    cost += mult;
                }
                nestedBlock(depth + 1);
                if (chance(15)) line("if (" + expr(T.BOOLEAN, 1) + ") throw new GenEx(\"re:\" + msg(" + e + "));");
                if (kind == 2 && chance(50)) {
                    String e2 = id("e");
                    close("} catch (RuntimeException " + e2 + ") {");
                    indent++;
                    line("trace.append(\"c2:\").append(msg(" + e2 + ")).append(';');");
                }
            }
            if (kind == 1 || chance(50)) {
                close("} finally {");
                indent++;
                // no return, break or continue out of a finally block
                int savedLoops = loops;
                boolean savedSwitch = inSwitch, savedNoReturn = noReturn;
                loops = 0;
                inSwitch = false;
                noReturn = true;
                List<String> savedLabels = labels;
                labels = new ArrayList<>();
                line("trace.append(\"f\");");
                if (chance(70)) {
                    line("maybeYield();");
                    cost += mult;
                }
                if (chance(50)) nestedBlock(depth + 1);
                loops = savedLoops;
                inSwitch = savedSwitch;
                noReturn = savedNoReturn;
                labels = savedLabels;
            }
            close("}");
            return true;
        }

        boolean earlyReturn() {
            if (!on(Feature.EARLY_RETURN) || noReturn || lambda > 0) return false;
            line("if (" + expr(T.BOOLEAN, 1) + ") return" + (m.ret == null ? "" : " " + retExpr(m.ret)) + ";");
            return true;
        }

        boolean throwStmt() {
            if (!on(Feature.THROW)) return false;
            String cond = tryDepth > 0 ? expr(T.BOOLEAN, 1) : "(" + expr(T.INT, 1) + " & 15) == 3";
            line("if (" + cond + ") throw new GenEx(\"" + id("x") + "\" + " + expr(T.INT, 2) + ");");
            return true;
        }

        boolean jumpStmt() {
            if (loops == 0 && !inSwitch) return false;
            String what = loops > 0 && chance(50) ? "continue" : "break";
            if (what.equals("break") && loops == 0 && !inSwitch) return false;
            line("if (" + expr(T.BOOLEAN, 1) + ") " + what + ";");
            return true;
        }

        Var varOf(T t, boolean assignable) {
            List<Var> c = new ArrayList<>();
            for (Var v : vars) {
                if (v.type != t) continue;
                if (assignable && !v.assignable) continue;
                if (lambda > 0 && !v.capturable) continue;
                c.add(v);
            }
            return c.isEmpty() ? null : pick(c);
        }

        boolean arrayStore() {
            if (!on(Feature.ARRAYS) || lambda > 0) return false;
            Var a = varOf(T.ARR, false);
            String arr = a != null ? a.name : on(Feature.FIELDS) ? "sfA" : null;
            if (arr == null) return false;
            String idx = arr + "[Math.floorMod(" + expr(T.INT, 1) + ", " + arr + ".length)]";
            switch (r.nextInt(4)) {
                case 0: line(idx + " = " + expr(T.INT, 1) + ";"); break;
                case 1: line(idx + " += " + expr(T.INT, 1) + ";"); break;
                case 2: line(idx + " ^= " + expr(T.INT, 1) + ";"); break;
                default: line(idx + (chance(50) ? "++;" : "--;")); break;
            }
            return true;
        }

        boolean fieldStmt() {
            if (!on(Feature.FIELDS)) return false;
            switch (r.nextInt(6)) {
                case 0: line("sfI" + assignTail(T.INT, "sfI") + ";"); return true;
                case 1: line("sfL" + assignTail(T.LONG, "sfL") + ";"); return true;
                case 2: line("sfD" + assignTail(T.DOUBLE, "sfD") + ";"); return true;
                case 3: line("sfS" + assignTail(T.STRING, "sfS") + ";"); return true;
                case 4:
                    if (!on(Feature.ARRAYS)) return false;
                    line("sfA = " + expr(T.ARR, 1) + ";");
                    return true;
                default:
                    String target = m.isStatic || lambda > 0 || chance(30) ? "INST.fI" : chance(50) ? "fI" : "this.fI";
                    line(target + assignTail(T.INT, target) + ";");
                    return true;
            }
        }

        boolean incStmt() {
            if (lambda > 0) return false;
            Var v = null;
            for (int i = 0; i < 4 && (v == null || !v.type.numeric()); i++) v = randomVar(true);
            if (v == null || !v.type.numeric()) return false;
            line(chance(50) ? v.name + "++;" : "--" + v.name + ";");
            return true;
        }

        /** Statements that may throw ArithmeticException or ArrayIndexOutOfBoundsException. */
        boolean riskyStmt() {
            if (!on(Feature.RISKY) || tryDepth == 0 || lambda > 0) return false;
            Var v = varOf(T.INT, true);
            if (v == null) return false;
            if (chance(50)) {
                line(v.name + " = " + expr(T.INT, 1) + " / (" + expr(T.INT, 2) + " & 1);");
            } else {
                Var a = varOf(T.ARR, false);
                if (a == null) return false;
                line(v.name + " += " + a.name + "[" + expr(T.INT, 2) + " & 7];");
            }
            return true;
        }

        boolean lambdaStmt() {
            if (!on(Feature.LAMBDA)) return false;
            String name = id("run");
            return lambdaBody("SuspendableRunnable " + name + " = () -> {", "};", name + ".run();");
        }

        /**
         * A coroutine made and driven to its end inside the method, which yields (suspending its own coroutine, if
         * any) each time the inner one suspends: so an inner coroutine may be resumed on another thread than the
         * one that started it. One of its resumes, maybe, throws an exception into it instead.
         */
        boolean nestedCoroutine() {
            if (lambda > 0 || !on(Feature.LAMBDA)) return false; // its body is a lambda
            String name = id("co");
            String k = id("k");
            String inject = chance(40) ? k + " == " + r.nextInt(4) : "false";
            cost += mult; // the outer yield after each inner one
            return lambdaBody("Coroutine " + name + " = new Coroutine(() -> {", "});",
                    "for (int " + k + " = 0; step(" + name + ", " + inject + "); " + k + "++) maybeYield();");
        }

        /** A synchronized block that makes no suspendable call (a suspension holding a monitor is refused). */
        boolean syncBlock() {
            if (!on(Feature.SYNC)) return false;
            String lock = m.isStatic || chance(50) ? "LOCK" : "this";
            open("synchronized (" + lock + ") {");
            T t = randomType();
            line("trace.append(\"" + id("k") + ":\").append(" + traceValue(t, leaf(t)) + ").append(';');");
            Var v = lambda > 0 ? null : varOf(T.INT, true);
            if (v != null) line(v.name + " += " + leaf(T.INT) + ";");
            if (on(Feature.THROW) && chance(25)) {
                line("if ((" + leaf(T.INT) + " & 15) == 3) throw new GenEx(\"" + id("x") + "\");");
            }
            close("}");
            if (on(Feature.TRY) && chance(30)) refusedInMonitor(lock);
            return true;
        }

        /**
         * A yield holding a monitor, which a coroutine refuses with an {@code IllegalStateException} that the
         * program catches; outside a coroutine the program throws that itself, so both runs print the same.
         */
        void refusedInMonitor(String lock) {
            open("try {");
            open("synchronized (" + lock + ") {");
            line("if (Coroutine.current() != null) Coroutine.yield(); else throw new IllegalStateException(\"plain\");");
            close("}");
            close("} catch (IllegalStateException refused) {");
            indent++;
            line("trace.append(\"" + id("r") + "\").append(';');");
            close("}");
        }

        /** A SuspendableRunnable lambda of one or two statements and a yield, between head and tail, then after. */
        boolean lambdaBody(String head, String tail, String after) {
            if (lambda > 0) return false;
            lambda++;
            boolean savedNoReturn = noReturn, savedSwitch = inSwitch;
            int savedLoops = loops;
            List<String> savedLabels = labels;
            noReturn = true;
            inSwitch = false;
            loops = 0;
            labels = new ArrayList<>();
            open(head);
            int mark = vars.size();
            int n = 1 + r.nextInt(2);
            for (int i = 0; i < n; i++) {
                if (!callStmt()) traceStmt();
            }
            line("maybeYield();");
            cost += mult;
            truncate(mark);
            close(tail);
            lambda--;
            noReturn = savedNoReturn;
            inSwitch = savedSwitch;
            loops = savedLoops;
            labels = savedLabels;
            line(after);
            return true;
        }

        // ---- expressions ----

        String leaf(T t) {
            if (chance(80)) {
                List<Var> c = new ArrayList<>();
                for (Var v : vars) {
                    if (!widens(v.type, t)) continue;
                    if (lambda > 0 && !v.capturable) continue;
                    c.add(v);
                }
                if (!c.isEmpty()) return pick(c).name;
            }
            return literal(t);
        }

        String literal(T t) {
            switch (t) {
                case INT: {
                    int k = r.nextInt(20);
                    if (k == 0) return "Integer.MAX_VALUE";
                    if (k == 1) return "Integer.MIN_VALUE";
                    if (k < 5) return String.valueOf(r.nextInt(100000));
                    int v = r.nextInt(40) - 8;
                    return v < 0 ? "(" + v + ")" : String.valueOf(v);
                }
                case LONG: {
                    int k = r.nextInt(10);
                    if (k == 0) return "0x7fffffffffL";
                    long v = k < 3 ? r.nextInt(1 << 30) * 7919L : r.nextInt(60) - 10;
                    return v < 0 ? "(" + v + "L)" : v + "L";
                }
                case DOUBLE: {
                    String[] d = {"0.5", "1.25", "3.0", "(-2.75)", "1e9", "0.1", "100.0", "(-0.0)"};
                    return d[r.nextInt(d.length)];
                }
                case FLOAT: {
                    String[] f = {"0.5f", "1.5f", "2.0f", "(-3.25f)", "1e6f", "0.3f"};
                    return f[r.nextInt(f.length)];
                }
                case BOOLEAN: return r.nextBoolean() ? "true" : "false";
                case CHAR: return "'" + (char) ('a' + r.nextInt(26)) + "'";
                case SHORT: return "(short) " + (r.nextInt(2000) - 300);
                case BYTE: return "(byte) " + (r.nextInt(256) - 128);
                case STRING: return '"' + STRINGS[r.nextInt(STRINGS.length)] + '"';
                case ARR: {
                    StringBuilder sb = new StringBuilder("new int[] {");
                    int n = 1 + r.nextInt(4);
                    for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append(r.nextInt(20));
                    return sb.append('}').toString();
                }
                case OBJ: {
                    int k = r.nextInt(3);
                    return k == 0 ? "null" : k == 1 ? "\"o" + r.nextInt(9) + "\"" : "Integer.valueOf(" + r.nextInt(99) + ")";
                }
                default: return "new Holder(" + r.nextInt(9) + ", \"" + STRINGS[r.nextInt(STRINGS.length)] + "\")";
            }
        }

        String expr(T t, int d) {
            if (d >= 4 || r.nextInt(10) < 2 + 2 * d) return leaf(t);
            for (int attempt = 0; attempt < 5; attempt++) {
                String e = composite(t, d + 1);
                if (e != null) return e;
            }
            return leaf(t);
        }

        String composite(T t, int d) {
            int k = r.nextInt(100);
            if (k < 18) return callTo(t, d);
            if (k < 24) return on(Feature.YIELD_HELPERS) ? yieldWrap(t, d) : null;
            if (k < 28) return on(Feature.TERNARY) ? ternary(t, d) : null;
            if (k < 30) return on(Feature.SWITCH_EXPR) && d <= 2 ? switchExpr(t, d) : null;
            if (k < 32) return on(Feature.LAMBDA) && d <= 2 ? lambdaCall(t, d) : null;
            if (k < 33) return on(Feature.METHOD_REF) ? methodRef(t) : null;
            if (k < 36 && on(Feature.DISPATCH) && (t == T.INT || t == T.LONG)) return dispatch(t, d);
            switch (t) {
                case INT: return intExpr(d);
                case LONG: return longExpr(d);
                case DOUBLE: return doubleExpr(d);
                case FLOAT: return floatExpr(d);
                case BOOLEAN: return boolExpr(d);
                case CHAR: return charExpr(d);
                case SHORT: return "((short) " + paren(expr(T.INT, d)) + ")";
                case BYTE: return "((byte) " + paren(expr(T.INT, d)) + ")";
                case STRING: return stringExpr(d);
                case ARR: return arrExpr(d);
                case OBJ: return objExpr(d);
                default: return holderExpr(d);
            }
        }

        String paren(String e) {
            return e.startsWith("(") && e.endsWith(")") && balanced(e) ? e : "(" + e + ")";
        }

        /** Whether the first parenthesis of e closes at its end. */
        boolean balanced(String e) {
            int depth = 0;
            boolean inStr = false, inChar = false;
            for (int i = 0; i < e.length(); i++) {
                char c = e.charAt(i);
                if (inStr) {
                    if (c == '"') inStr = false;
                } else if (inChar) {
                    if (c == '\'') inChar = false;
                } else if (c == '"') {
                    inStr = true;
                } else if (c == '\'') {
                    inChar = true;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth == 0 && i < e.length() - 1) return false;
                }
            }
            return true;
        }

        String yieldWrap(T t, int d) {
            switch (t) {
                case INT: return "yi(" + expr(T.INT, d) + ")";
                case LONG: return "yl(" + expr(T.LONG, d) + ")";
                case DOUBLE: return "yd(" + expr(T.DOUBLE, d) + ")";
                case FLOAT: return "yf(" + expr(T.FLOAT, d) + ")";
                case BOOLEAN: return "yz(" + expr(T.BOOLEAN, d) + ")";
                case CHAR: return "((char) yi(" + expr(T.CHAR, d) + "))";
                case SHORT: return "((short) yi(" + expr(T.SHORT, d) + "))";
                case BYTE: return "((byte) yi(" + expr(T.BYTE, d) + "))";
                case STRING: return "ys(" + expr(T.STRING, d) + ")";
                default: return "yo(" + expr(t, d) + ")";
            }
        }

        String ternary(T t, int d) {
            if (t == T.OBJ) {
                // each side as an Object: an Integer and a Long side would be unboxed (binary numeric promotion),
                // and a null that reaches one would throw in the plain run too
                String a = "(Object) " + paren(expr(t, d));
                String b = chance(30) ? "null" : "(Object) " + paren(expr(t, d));
                return "(" + expr(T.BOOLEAN, d) + " ? " + a + " : " + b + ")";
            }
            String e = "(" + expr(T.BOOLEAN, d) + " ? " + expr(t, d) + " : " + expr(t, d) + ")";
            return t == T.SHORT || t == T.BYTE || t == T.CHAR ? "((" + t.java + ") " + e + ")" : e;
        }

        String switchExpr(T t, int d) {
            if (lambda > 0) return null;
            StringBuilder sb = new StringBuilder("switch (Math.floorMod(" + expr(T.INT, d) + ", 3)) { ");
            int blockCase = r.nextInt(3);
            for (int i = 0; i < 3; i++) {
                sb.append(i == 2 ? "default -> " : "case " + i + " -> ");
                if (i == blockCase) {
                    // a block with a yield in it, on one line; "yield (x);" would be a call of a method yield
                    String tmp = id("y");
                    sb.append("{ maybeYield(); trace.append(\"").append(tmp).append("\"); ").append(t.java).append(' ')
                            .append(tmp).append(" = ").append(expr(t, d + 1)).append("; yield ").append(tmp).append("; } ");
                    cost += mult;
                } else {
                    sb.append(expr(t, d + 1)).append("; ");
                }
            }
            // the cast makes it a standalone expression: as a poly expression (an argument of an overloaded or
            // generic method) javac attributes it once per candidate, exponentially in the nesting
            return "((" + t.java + ") " + sb.append('}') + ")";
        }

        String lambdaCall(T t, int d) {
            if (lambda > 0) return null;
            lambda++;
            String body = expr(t, d);
            lambda--;
            if (!t.ref()) body = "(" + t.java + ") " + paren(body);
            return "((SuspendableCallable<" + t.boxed + ">) () -> " + body + ").call()" + unbox(t);
        }

        String methodRef(T t) {
            List<M> c = new ArrayList<>();
            for (M callee : callees(t)) {
                if (callee.params.isEmpty() && callee.ret == t && callee.index > m.index) c.add(callee);
            }
            if (c.isEmpty()) return null;
            M callee = pick(c);
            if (!affordable(callee)) return null;
            String recv = callee.isStatic ? cls : m.index >= 0 && !m.isStatic && lambda == 0 && chance(50) ? "this" : "INST";
            return "((SuspendableCallable<" + t.boxed + ">) " + recv + "::" + callee.name + ").call()" + unbox(t);
        }

        /** A call through the {@code Op} hierarchy (see {@link #opHierarchy()}). */
        String dispatch(T t, int d) {
            cost += 3 * mult;
            String op = "op(" + expr(T.INT, d) + ")";
            if (t == T.LONG) return op + ".mix(" + expr(T.LONG, d) + ", " + expr(T.INT, d) + ")";
            switch (r.nextInt(6)) {
                case 0: return op + ".apply(" + (chance(15) ? "null" : "Integer.valueOf(" + expr(T.INT, d) + ")") + ").intValue()";
                case 1: return "Op.stat(" + expr(T.INT, d) + ")";
                case 2: return op + ".tag()";
                case 3: return "((SuspendableCallable<Integer>) " + op + "::tag).call().intValue()";
                // references whose proxy boxes the argument and unboxes the result of a method that suspends
                case 4: return "((IntS) " + op + "::apply).get(" + expr(T.INT, d) + ")";
                default: return "((IntS) " + cls + "::bi).get(" + expr(T.INT, d) + ")";
            }
        }

        /** Explicit unboxing: a cast such as (short) of an Integer does not compile. */
        String unbox(T t) {
            return t.ref() ? "" : "." + t.java + "Value()";
        }

        boolean affordable(M callee) {
            long c = mult * callee.cost;
            if (cost + c > budget) return false;
            cost += c;
            callee.called = true;
            return true;
        }

        /** Methods this one may call that return something usable as {@code want} (null: anything). */
        List<M> callees(T want) {
            List<M> c = new ArrayList<>();
            for (M callee : methods) {
                boolean self = callee == m;
                if (callee.index <= m.index && !self) continue;
                if (self && (!m.recursive || mult > 1 || lambda > 0 || selfCalls >= 2)) continue;
                if (want != null && (callee.ret == null || !widens(callee.ret, want))) continue;
                c.add(callee);
            }
            return c;
        }

        String callTo(T t, int d) {
            List<M> c = callees(t);
            if (c.isEmpty()) {
                if (t == T.INT && on(Feature.HOLDER) && chance(50)) return holderExpr(d) + ".mix(" + expr(T.INT, d) + ")";
                return null;
            }
            return callOrNull(pick(c), d);
        }

        String callOrNull(M callee, int d) {
            if (callee == m) {
                selfCalls++;
                return callExpr(callee, d);
            }
            if (!affordable(callee)) return null;
            return callExpr(callee, d);
        }

        String callExpr(M callee, int d) {
            StringBuilder sb = new StringBuilder();
            if (callee.isStatic) {
                if (chance(20)) sb.append(cls).append('.');
            } else if (m.index < 0 || m.isStatic || chance(30)) {
                sb.append("INST.");
            } else if (chance(30)) {
                sb.append("this.");
            }
            sb.append(callee.name).append('(');
            for (int i = 0; i < callee.params.size(); i++) {
                if (i > 0) sb.append(", ");
                if (callee.recursive && i == 0) {
                    sb.append(callee == m ? "d - 1" : String.valueOf(r.nextInt(4)));
                } else {
                    T pt = callee.params.get(i);
                    String a = m.index < 0 ? literal(pt) : expr(pt, d);
                    sb.append(a);
                }
            }
            return sb.append(')').toString();
        }

        T integralOperand() {
            return INTEGRAL_OPERANDS[r.nextInt(INTEGRAL_OPERANDS.length)];
        }

        String intExpr(int d) {
            int k = r.nextInt(21);
            switch (k) {
                case 0: case 1: case 2: case 3: {
                    String[] ops = {"+", "-", "*", "&", "|", "^"};
                    return "(" + expr(integralOperand(), d) + " " + ops[r.nextInt(ops.length)] + " " + expr(T.INT, d) + ")";
                }
                case 4: return "(" + expr(T.INT, d) + (chance(50) ? " / (" : " % (") + expr(T.INT, d) + " | 1))";
                case 5: {
                    String[] ops = {"<<", ">>", ">>>"};
                    return "(" + expr(T.INT, d) + " " + ops[r.nextInt(3)] + " (" + expr(T.INT, d) + " & 15))";
                }
                case 6: return chance(50) ? "(-" + paren(expr(T.INT, d)) + ")" : "(~" + paren(expr(T.INT, d)) + ")";
                case 7: {
                    T from = chance(40) ? T.LONG : chance(50) ? T.DOUBLE : T.FLOAT;
                    return "((int) " + paren(expr(from, d)) + ")";
                }
                case 8: return paren(expr(T.STRING, d)) + (chance(50) ? ".length()" : ".hashCode()");
                case 9: return "h(" + expr(T.OBJ, d) + ")";
                case 10: {
                    if (!on(Feature.ARRAYS)) return null;
                    Var a = varOf(T.ARR, false);
                    if (a == null) return paren(expr(T.ARR, d)) + ".length";
                    return a.name + "[Math.floorMod(" + expr(T.INT, d) + ", " + a.name + ".length)]";
                }
                case 11: {
                    if (!on(Feature.HOLDER)) return null;
                    return chance(40) ? paren(expr(T.HOLDER, d)) + ".a" : paren(expr(T.HOLDER, d)) + ".mix(" + expr(T.INT, d) + ")";
                }
                case 12: {
                    String[] f = {"Math.max", "Math.min", "Integer.rotateLeft", "Integer.compare"};
                    return f[r.nextInt(f.length)] + "(" + expr(T.INT, d) + ", " + expr(T.INT, d) + ")";
                }
                case 13: return chance(50) ? "Long.compare(" + expr(T.LONG, d) + ", " + expr(T.LONG, d) + ")"
                        : "Double.compare(" + expr(T.DOUBLE, d) + ", " + expr(T.DOUBLE, d) + ")";
                case 14: {
                    if (!on(Feature.FIELDS)) return null;
                    if (m.index >= 0 && !m.isStatic && lambda == 0 && chance(50)) return chance(50) ? "fI" : "this.fI";
                    return chance(50) ? "sfI" : "INST.fI";
                }
                case 15: {
                    if (lambda > 0) return null;
                    Var v = varOf(T.INT, true);
                    if (v == null) return null;
                    int w = r.nextInt(4);
                    return w == 0 ? "(" + v.name + " = " + expr(T.INT, d) + ")" : w == 1 ? "(" + v.name + " += " + expr(T.INT, d) + ")"
                            : w == 2 ? "(" + v.name + "++)" : "(++" + v.name + ")";
                }
                case 16: return "(" + expr(T.CHAR, d) + " - 'a')";
                case 17: {
                    if (lambda > 0 || !on(Feature.ARRAYS)) return null;
                    Var a = varOf(T.ARR, false);
                    if (a == null) return null;
                    // array element compound assignment as an expression: array and index on the stack across calls
                    return "(" + a.name + "[Math.floorMod(" + expr(T.INT, d) + ", " + a.name + ".length)] += " + expr(T.INT, d) + ")";
                }
                case 18: {
                    Var o = varOf(T.OBJ, false);
                    if (o == null) return null;
                    String b = id("s");
                    return "(" + o.name + " instanceof String " + b + " ? " + b + ".length() + " + expr(T.INT, d) + " : " + expr(T.INT, d) + ")";
                }
                default: {
                    // an operand stack mixing all kinds of values: a + b * m(x) - (long) ...
                    return "((int) (" + expr(T.LONG, d) + " + " + expr(T.INT, d) + " * " + expr(T.INT, d) + " - (long) "
                            + paren(expr(T.DOUBLE, d)) + "))";
                }
            }
        }

        String longExpr(int d) {
            switch (r.nextInt(10)) {
                case 0: case 1: {
                    String[] ops = {"+", "-", "*", "&", "|", "^"};
                    T a = chance(60) ? T.LONG : integralOperand();
                    return "(" + expr(a, d) + " " + ops[r.nextInt(ops.length)] + " " + expr(T.LONG, d) + ")";
                }
                case 2: return "(" + expr(T.LONG, d) + (chance(50) ? " / (" : " % (") + expr(T.LONG, d) + " | 1L))";
                case 3: return "(" + expr(T.LONG, d) + " << (" + expr(T.INT, d) + " & 63))";
                case 4: return "((long) " + paren(expr(chance(50) ? T.DOUBLE : T.INT, d)) + ")";
                case 5: return on(Feature.FIELDS) ? "sfL" : null;
                case 6: return "Long.rotateLeft(" + expr(T.LONG, d) + ", " + expr(T.INT, d) + ")";
                case 7: return "(" + expr(T.INT, d) + " * " + expr(T.LONG, d) + " + " + expr(T.SHORT, d) + ")";
                case 8: {
                    // a long array element updated in an expression: array, index and the old value on the stack
                    if (!on(Feature.FIELDS)) return null;
                    String el = "sfLA[Math.floorMod(" + expr(T.INT, d) + ", 2)]";
                    String[] ops = {"+=", "-=", "^=", "*="};
                    return chance(25) ? "(" + el + "++)" : "(" + el + " " + ops[r.nextInt(ops.length)] + " " + expr(T.LONG, d) + ")";
                }
                default: return "Math.max(" + expr(T.LONG, d) + ", " + expr(T.LONG, d) + ")";
            }
        }

        String doubleExpr(int d) {
            switch (r.nextInt(8)) {
                case 0: case 1: {
                    String[] ops = {"+", "-", "*", "/", "%"};
                    T[] ts = {T.DOUBLE, T.DOUBLE, T.FLOAT, T.INT, T.LONG};
                    return "(" + expr(ts[r.nextInt(ts.length)], d) + " " + ops[r.nextInt(ops.length)] + " " + expr(T.DOUBLE, d) + ")";
                }
                case 2: return "Math.sqrt(Math.abs(" + expr(T.DOUBLE, d) + "))";
                case 3: return "Math.floor(" + expr(T.DOUBLE, d) + ")";
                case 4: return "((double) " + paren(expr(chance(50) ? T.LONG : T.FLOAT, d)) + ")";
                case 5: return on(Feature.FIELDS) ? "sfD" : null;
                case 6: {
                    if (!on(Feature.FIELDS)) return null;
                    String[] ops = {"+=", "-=", "*=", "/="};
                    return "(sfDA[Math.floorMod(" + expr(T.INT, d) + ", 2)] " + ops[r.nextInt(ops.length)] + " " + expr(T.DOUBLE, d) + ")";
                }
                default: return "(" + expr(T.DOUBLE, d) + " * " + expr(T.INT, d) + " + " + expr(T.LONG, d) + ")";
            }
        }

        String floatExpr(int d) {
            switch (r.nextInt(4)) {
                case 0: case 1: {
                    String[] ops = {"+", "-", "*", "/"};
                    T[] ts = {T.FLOAT, T.INT, T.SHORT, T.LONG};
                    return "(" + expr(ts[r.nextInt(ts.length)], d) + " " + ops[r.nextInt(ops.length)] + " " + expr(T.FLOAT, d) + ")";
                }
                case 2: return "((float) " + paren(expr(T.DOUBLE, d)) + ")";
                default: return "Math.abs(" + expr(T.FLOAT, d) + ")";
            }
        }

        String boolExpr(int d) {
            switch (r.nextInt(10)) {
                case 0: case 1: {
                    String[] ops = {"<", "<=", ">", ">=", "==", "!="};
                    T a = numericType();
                    return "(" + expr(a, d) + " " + ops[r.nextInt(ops.length)] + " " + expr(chance(50) ? a : T.INT, d) + ")";
                }
                case 2: return "(!" + paren(expr(T.BOOLEAN, d)) + ")";
                case 3: {
                    if (!on(Feature.SHORT_CIRCUIT)) return null;
                    return "(" + expr(T.BOOLEAN, d) + (chance(50) ? " && " : " || ") + expr(T.BOOLEAN, d) + ")";
                }
                case 4: return "(" + expr(T.BOOLEAN, d) + " ^ " + expr(T.BOOLEAN, d) + ")";
                case 5: {
                    int k = r.nextInt(3);
                    String s = paren(expr(T.STRING, d));
                    return k == 0 ? s + ".isEmpty()" : k == 1 ? s + ".equals(" + expr(T.STRING, d) + ")"
                            : s + ".startsWith(\"" + STRINGS[r.nextInt(STRINGS.length)] + "\")";
                }
                case 6: {
                    // the cast: an instanceof between inconvertible static types does not compile
                    String o = "(Object) " + paren(expr(T.OBJ, d));
                    int k = r.nextInt(3);
                    return k == 0 ? "(" + o + " == null)" : k == 1 ? "(" + o + " instanceof String)" : "(" + o + " instanceof Holder)";
                }
                case 7: return "((" + expr(T.INT, d) + " & 1) == 0)";
                case 8: return on(Feature.ARRAYS) ? "(" + paren(expr(T.ARR, d)) + ".length > 2)" : null;
                default: return "(" + expr(T.LONG, d) + " > " + expr(T.LONG, d) + ")";
            }
        }

        String charExpr(int d) {
            switch (r.nextInt(3)) {
                case 0: return "((char) ('a' + Math.floorMod(" + expr(T.INT, d) + ", 26)))";
                case 1: {
                    Var s = varOf(T.STRING, false);
                    if (s == null) return null;
                    return "(" + s.name + ".isEmpty() ? 'z' : " + s.name + ".charAt(Math.floorMod(" + expr(T.INT, d) + ", "
                            + s.name + ".length())))";
                }
                default: return "Character.toUpperCase(" + expr(T.CHAR, d) + ")";
            }
        }

        String concatOperand() {
            T t = randomType();
            if (t == T.ARR || t == T.OBJ) return "h(" + expr(t, 2) + ")";
            return expr(t, 2);
        }

        String stringExpr(int d) {
            switch (r.nextInt(9)) {
                case 0: case 1: case 2: {
                    if (!on(Feature.CONCAT)) return null;
                    // "s" + m1(a) + c
                    StringBuilder sb = new StringBuilder("(\"" + STRINGS[r.nextInt(STRINGS.length)] + "\"");
                    int n = 1 + r.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        T t = randomType();
                        String e = t == T.ARR || t == T.OBJ ? "h(" + expr(t, d) + ")" : expr(t, d);
                        sb.append(" + ").append(e);
                    }
                    return sb.append(')').toString();
                }
                case 3: {
                    T t = numericType();
                    return "String.valueOf(" + expr(t, d) + ")";
                }
                case 4: return "cut(" + expr(T.STRING, d) + " + " + expr(T.STRING, d) + ")";
                case 5: return "pick(" + expr(T.INT, d) + ")";
                case 6: return on(Feature.FIELDS) ? "sfS" : null;
                case 7: return on(Feature.HOLDER) ? paren(expr(T.HOLDER, d)) + ".b" : null;
                default: return paren(expr(T.STRING, d)) + ".toUpperCase()";
            }
        }

        String arrExpr(int d) {
            if (!on(Feature.ARRAYS)) return null;
            switch (r.nextInt(4)) {
                case 0: {
                    StringBuilder sb = new StringBuilder("new int[] {");
                    int n = 1 + r.nextInt(3);
                    for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append(expr(T.INT, d));
                    return sb.append('}').toString();
                }
                case 1: return "new int[" + (1 + r.nextInt(4)) + "]";
                case 2: return paren(expr(T.ARR, d)) + ".clone()";
                default: return "Arrays.copyOf(" + expr(T.ARR, d) + ", " + (1 + r.nextInt(5)) + ")";
            }
        }

        String objExpr(int d) {
            switch (r.nextInt(6)) {
                case 0: return "Integer.valueOf(" + expr(T.INT, d) + ")";
                case 1: return "(Object) " + paren(expr(T.STRING, d));
                case 2: return on(Feature.HOLDER) ? expr(T.HOLDER, d) : null;
                case 3: return on(Feature.RECORD) ? "new Pair(" + expr(T.LONG, d) + ", " + expr(T.DOUBLE, d) + ")" : null;
                case 4: return "Long.valueOf(" + expr(T.LONG, d) + ")";
                default: return on(Feature.ARRAYS) ? "(Object) " + paren(expr(T.ARR, d)) : null;
            }
        }

        String holderExpr(int d) {
            if (!on(Feature.HOLDER)) return null;
            if (chance(60)) return "new Holder(" + expr(T.INT, d) + ", " + expr(T.STRING, d) + ")";
            return paren(expr(T.HOLDER, d)) + ".next(" + expr(T.STRING, d) + ")";
        }
    }
}
