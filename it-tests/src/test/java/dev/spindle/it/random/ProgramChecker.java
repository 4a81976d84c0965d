package dev.spindle.it.random;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableCallable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a generated program's {@code run()} outside any coroutine, then its {@code call()} inside a coroutine driven
 * by {@code resume()} until done, and compares the two: the trace (the returned string, or the trace so far when
 * an exception escaped), the exception (class, and message for the program's own GenEx), the program's frames in a
 * GenEx's stack trace (inside a coroutine they must read as a thread's would), the number of {@code maybeYield()}
 * calls, and the number of suspensions, which must equal it.
 *
 * <p>Of a program that has {@code injectAt}, one in four is checked a second way: an exception thrown into the
 * coroutine with {@code resumeThrowing} at its n-th suspension must do what the same exception thrown by the
 * n-th {@code maybeYield()} outside does.
 */
final class ProgramChecker implements AutoCloseable {
    /** What is thrown in at a suspension: a type that nothing else throws, caught by {@code catch (RuntimeException e)}. */
    static final String INJECTED = CancellationException.class.getName();

    /**
     * How a program ran. {@code exception} is null if it returned; {@code frames} are those of the program in the
     * stack trace of a GenEx that escaped, else null.
     */
    record Outcome(String trace, String exception, String frames, int yields) {
    }

    /** Why a program failed: {@code kind} classifies it (the reducer keeps it), {@code details} explains it. */
    record Failure(String kind, String details) {
    }

    private final long timeoutMillis;
    private Outcome lastOutside;
    private ExecutorService threadA;
    private ExecutorService threadB;

    ProgramChecker(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        newThreads();
    }

    private void newThreads() {
        threadA = Executors.newSingleThreadExecutor(r -> daemon(r, "random-program-A"));
        threadB = Executors.newSingleThreadExecutor(r -> daemon(r, "random-program-B"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Runs {@code run()} outside any coroutine, on this thread; the {@code injectAt}-th yield throws (0: none). */
    static Outcome runOutside(Class<?> c, int injectAt) throws ReflectiveOperationException {
        if (hasInjectAt(c)) setInjectAt(c, injectAt);
        Method run = c.getMethod("run");
        try {
            String result = (String) run.invoke(null);
            return new Outcome(result, null, null, yields(c));
        } catch (InvocationTargetException e) {
            return new Outcome(traceSoFar(c), describe(e.getCause()), programFrames(e.getCause(), c), yields(c));
        }
    }

    static String traceSoFar(Class<?> c) throws ReflectiveOperationException {
        Field f = c.getDeclaredField("trace");
        f.setAccessible(true);
        return String.valueOf(f.get(null));
    }

    static boolean hasInjectAt(Class<?> c) {
        try {
            c.getDeclaredField("injectAt");
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    private static void setInjectAt(Class<?> c, int n) throws ReflectiveOperationException {
        Field f = c.getDeclaredField("injectAt");
        f.setAccessible(true);
        f.setInt(null, n);
    }

    /** The suspension to throw into, for a program that yields {@code yields} times: 0 for none. */
    static int injectionPoint(Class<?> c, int yields) {
        int h = c.getName().hashCode();
        if (!hasInjectAt(c) || yields == 0 || (h & 3) != 2) return 0;
        return 1 + Math.floorMod(h * 31 + yields, yields);
    }

    static int yields(Class<?> c) throws ReflectiveOperationException {
        Field f = c.getDeclaredField("yields");
        f.setAccessible(true);
        return f.getInt(null);
    }

    /** The class name, plus the message for the generated GenEx (JIT-compiled implicit exceptions may lack one). */
    static String describe(Throwable t) {
        String name = t.getClass().getName();
        return name.endsWith("$GenEx") ? name + ": " + t.getMessage() : name;
    }

    /**
     * The frames of the program's classes in the stack trace of a GenEx, innermost first, down to {@code run()},
     * one "Class.method:line" a line; null for other exceptions (those the JVM throws may have no trace once
     * compiled). Repeats of a frame (levels of a recursion that call from one line) count once: in a coroutine,
     * an exception that such a recursion keeps across a suspension may show some of them twice (a limit the
     * README states).
     */
    static String programFrames(Throwable t, Class<?> c) {
        if (t == null || !t.getClass().getName().endsWith("$GenEx")) return null;
        StringBuilder sb = new StringBuilder();
        String last = "";
        for (StackTraceElement e : t.getStackTrace()) {
            if (!e.getClassName().startsWith(RandomProgramGenerator.PACKAGE + ".")) continue;
            String frame = e.getClassName().substring(RandomProgramGenerator.PACKAGE.length() + 1) + "."
                    + e.getMethodName() + ":" + e.getLineNumber() + "\n";
            if (!frame.equals(last)) sb.append(frame);
            last = frame;
            if (e.getMethodName().equals("run") && e.getClassName().equals(c.getName())) break;
        }
        return sb.toString();
    }

    /**
     * A short description of an unexpected exception that groups failures with the same cause: its class and the
     * first line of its message (for a VerifyError its reason), with names of generated classes, methods and
     * numbers replaced.
     */
    static String signature(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int reason = m.indexOf("Reason:\n");
        if (reason >= 0) m = m.substring(reason + 8);
        m = m.strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        m = m.replaceAll("Gen\\d+", "GenN").replaceAll("\\bm\\d+\\b", "mN").replaceAll("\\blambda\\$[\\w$]+", "lambda")
                .replaceAll("\\d+", "N").strip();
        if (m.length() > 160) m = m.substring(0, 160) + "...";
        return t.getClass().getName() + "[" + m + "]";
    }

    /** Whether an exception that escaped {@code run()} outside a coroutine is one a correct program may throw. */
    static boolean expectedOutside(String exception) {
        return exception == null || exception.contains("$GenEx") || exception.equals("java.lang.ArithmeticException")
                || exception.equals("java.lang.ArrayIndexOutOfBoundsException") || exception.equals(INJECTED);
    }

    /**
     * Checks one loaded program: null if it behaves the same inside and outside a coroutine.
     *
     * @param alternate resume on two threads alternately instead of on one
     * @param insideFirst run inside the coroutine before running outside
     */
    Failure check(Class<?> c, boolean alternate, boolean insideFirst) {
        lastOutside = null;
        Outcome outside;
        Inside inside;
        int injectAt = 0;
        try {
            if (insideFirst) {
                inside = runInside(c, alternate, 1_000_000, 0);
                if (inside.failure != null) return inside.failure;
                outside = runOutside(c, 0);
            } else {
                outside = runOutside(c, 0);
                if (!expectedOutside(outside.exception)) {
                    return new Failure("outside:" + outside.exception, "run() outside a coroutine threw "
                            + outside.exception + " (a correct program only throws GenEx, ArithmeticException or"
                            + " ArrayIndexOutOfBoundsException)\ntrace so far: " + outside.trace);
                }
                injectAt = injectionPoint(c, outside.yields);
                if (injectAt > 0) outside = runOutside(c, injectAt);
                inside = runInside(c, alternate, outside.yields, injectAt);
                if (inside.failure != null) return inside.failure;
            }
        } catch (Throwable t) {
            return new Failure("harness:" + t.getClass().getName(), stackTrace(t));
        }
        if (!expectedOutside(outside.exception)) {
            return new Failure("outside:" + outside.exception, "run() outside a coroutine threw " + outside.exception
                    + "\ntrace so far: " + outside.trace);
        }
        lastOutside = outside;
        Outcome in = inside.outcome;
        String where = (alternate ? " (resumed on two threads alternately)" : "")
                + (injectAt > 0 ? " (" + INJECTED + " thrown in at suspension " + injectAt + ")" : "");
        if (!equal(outside.exception, in.exception)) {
            String kind = inside.thrown != null && !expectedOutside(in.exception) ? signature(inside.thrown)
                    : String.valueOf(in.exception).replaceAll("Gen\\d+", "GenN").replaceAll("\\d+", "N");
            return new Failure("exception:" + kind, "outside a coroutine run() "
                    + (outside.exception == null ? "returned" : "threw " + outside.exception)
                    + ", inside a coroutine" + where + " it " + (in.exception == null ? "returned" : "threw " + in.exception)
                    + (inside.thrown != null ? "\n" + stackTrace(inside.thrown) : "")
                    + "\n" + diff(outside.trace, in.trace));
        }
        if (!equal(outside.frames, in.frames)) {
            return new Failure("stack trace", "the program's frames in the GenEx's stack trace differ inside a coroutine"
                    + where + "\n  outside:\n" + outside.frames + "  inside:\n" + in.frames
                    + "\n" + stackTrace(inside.thrown));
        }
        if (!outside.trace.equals(in.trace)) {
            return new Failure("trace", "the trace differs inside a coroutine" + where + ":\n" + diff(outside.trace, in.trace));
        }
        if (outside.yields != in.yields) {
            return new Failure("yields", "maybeYield() ran " + outside.yields + " times outside, " + in.yields
                    + " times inside a coroutine" + where);
        }
        if (inside.suspensions != in.yields) {
            return new Failure("suspensions", "the coroutine" + where + " suspended " + inside.suspensions
                    + " times, but maybeYield() ran " + in.yields + " times");
        }
        return null;
    }

    /** How the last program checked ran outside a coroutine (null if that failed). */
    Outcome lastOutside() {
        return lastOutside;
    }

    private static boolean equal(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    static String diff(String expected, String actual) {
        if (expected.equals(actual)) return "trace (same both ways): " + clip(expected, 0, 400);
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) i++;
        int from = Math.max(0, i - 120);
        return "traces differ at char " + i + "\n  outside: ..." + clip(expected, from, 300) + "\n  inside:  ..."
                + clip(actual, from, 300);
    }

    private static String clip(String s, int from, int len) {
        if (from >= s.length()) return "<end>";
        return s.substring(from, Math.min(s.length(), from + len)) + (from + len < s.length() ? "..." : "<end>");
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 6000 ? s.substring(0, 6000) + "\n..." : s;
    }

    private static final class Inside {
        Outcome outcome;
        Failure failure;
        Throwable thrown;
        int suspensions;
    }

    /**
     * Runs {@code call()} in a coroutine; fails as soon as it suspends more often than {@code maxSuspensions}. The
     * resume after suspension {@code injectAt} (if not 0) throws {@link #INJECTED} into it.
     */
    private Inside runInside(Class<?> c, boolean alternate, int maxSuspensions, int injectAt) throws Exception {
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> program = (SuspendableCallable<String>) c.getConstructor().newInstance();
        String[] result = new String[1];
        Coroutine co = new Coroutine(() -> result[0] = program.call());
        Inside in = new Inside();
        if (alternate) {
            for (int n = 0; ; n++) {
                Future<Boolean> f = (n % 2 == 0 ? threadA : threadB).submit(() -> resume(co, in, injectAt));
                Boolean suspended;
                try {
                    suspended = await(f);
                } catch (ExecutionException e) {
                    in.thrown = e.getCause();
                    break;
                } catch (TimeoutException e) {
                    return hung(in, co);
                }
                if (suspended == null || !suspended) break;
                if (stepFailed(in, co, maxSuspensions)) return in;
            }
        } else {
            Callable<Void> drive = () -> {
                try {
                    while (resume(co, in, injectAt)) {
                        if (stepFailed(in, co, maxSuspensions)) return null;
                    }
                } catch (Throwable t) {
                    in.thrown = t;
                }
                return null;
            };
            try {
                await(threadA.submit(drive));
            } catch (TimeoutException e) {
                return hung(in, co);
            }
            if (in.failure != null) return in;
        }
        if (!co.isDone() || co.state() != Coroutine.State.DONE) {
            in.failure = new Failure("state", "the coroutine ended but its state is " + co.state());
            return in;
        }
        String exception = in.thrown == null ? null : describe(in.thrown);
        if (in.thrown instanceof Error) {
            in.failure = new Failure("inside:" + signature(in.thrown), "resume() threw " + stackTrace(in.thrown));
            return in;
        }
        String trace = in.thrown == null ? result[0] : traceSoFar(c);
        if (in.thrown == null && trace == null) {
            in.failure = new Failure("result", "the coroutine ended normally but call() returned no result");
            return in;
        }
        in.outcome = new Outcome(trace, exception, programFrames(in.thrown, c), yields(c));
        return in;
    }

    private static boolean resume(Coroutine co, Inside in, int injectAt) {
        if (in.suspensions == injectAt && injectAt > 0) {
            return co.resumeThrowing(new CancellationException("inj"));
        }
        return co.resume();
    }

    private boolean stepFailed(Inside in, Coroutine co, int maxSuspensions) {
        in.suspensions++;
        if (co.state() != Coroutine.State.SUSPENDED) {
            in.failure = new Failure("state", "resume() returned true but the state is " + co.state());
            return true;
        }
        if (in.suspensions > maxSuspensions) {
            in.failure = new Failure("suspensions", "the coroutine suspended more than the " + maxSuspensions
                    + " times maybeYield() ran outside a coroutine");
            return true;
        }
        return false;
    }

    private <X> X await(Future<X> f) throws Exception {
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }

    private Inside hung(Inside in, Coroutine co) {
        // the stuck thread is abandoned (it is a daemon); later programs get fresh ones
        threadA.shutdownNow();
        threadB.shutdownNow();
        newThreads();
        in.failure = new Failure("hang", "the coroutine did not suspend or end within " + timeoutMillis + " ms after "
                + in.suspensions + " suspensions (" + co + ")");
        return in;
    }

    @Override
    public void close() {
        threadA.shutdownNow();
        threadB.shutdownNow();
    }
}
