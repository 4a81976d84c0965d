package dev.spindle.benchmarks;

import dev.spindle.Coroutine;
import dev.spindle.Spindle;
import dev.spindle.SuspendableRunnable;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Heap used per suspended coroutine (not a JMH benchmark: a program).
 *
 * <p>Creates {@code count} computations, each suspended at depth {@value #DEPTH}: a body that calls the benchmark
 * chain ({@code descend}, see {@link ChainShape}) {@value #DEPTH} frames deep, whose innermost frame suspends.
 * Every frame holds the chain's live locals: {@code int depth}, {@code long acc}, {@code boolean suspend},
 * {@code int i}, {@code long l}, {@code String s} (the strings are shared constants). All computations share one
 * body object (a non-capturing lambda), so the figure is the cost of the suspended computation itself. The used
 * heap is read after {@code System.gc()} (several times, the lowest reading kept) before and after creating
 * them, with the array that holds them allocated before the first reading; the difference divided by
 * {@code count} is printed. Afterwards every computation is resumed to its end and the results are checked.
 *
 * <pre>
 * usage: MemoryFootprint [count] [spindle|lean|loom|vthreads|all]   (default: 100000 all)
 *        MemoryFootprint million                               (1,000,000 Spindle coroutines; run with -Xmx1g)
 * </pre>
 *
 * <ul>
 *   <li>{@code spindle}: {@link Coroutine}s, each resumed once (needs the Spindle agent).</li>
 *   <li>{@code lean}: Spindle coroutines suspended in {@link LeanChain}, frames that keep one {@code int} each:
 *       the cost of a suspended coroutine beyond the values it keeps.</li>
 *   <li>{@code loom}: {@code jdk.internal.vm.Continuation}s, each run once (JDK 21+, needs
 *       {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}).</li>
 *   <li>{@code vthreads}: started virtual threads, each parked ({@code LockSupport.park}) in the innermost
 *       frame (JDK 21+).</li>
 * </ul>
 * Mechanisms that are not available in this JVM are reported and skipped.
 */
public final class MemoryFootprint {
    static final int DEPTH = 4;
    private static final long SEED = 1;
    private static final int DEFAULT_COUNT = 100_000;
    private static final int MILLION = 1_000_000;

    private static long total;
    private static final AtomicLong parkedTotal = new AtomicLong();
    private static volatile boolean released;
    private static volatile CountDownLatch parked;

    // "total += descend(...)" would read total before the call, and a suspended frame keeps what it read
    private static final SuspendableRunnable SPINDLE_BODY = () -> {
        long r = SpindleChain.descend(DEPTH, SEED, true);
        total += r;
    };
    private static final SuspendableRunnable LEAN_BODY = () -> {
        int r = LeanChain.lean(DEPTH);
        total += r;
    };
    private static final Runnable LOOM_BODY = () -> {
        long r = LoomChain.descend(DEPTH, SEED, true);
        total += r;
    };
    private static final Runnable PARKING_BODY = () -> {
        long r = ParkingChain.descend(DEPTH, SEED, true);
        parkedTotal.addAndGet(r);
    };

    private MemoryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int count = DEFAULT_COUNT;
        String which = "all";
        boolean million = false;
        for (String arg : args) {
            if (arg.equals("million")) {
                million = true;
            } else if (arg.matches("\\d+")) {
                count = Integer.parseInt(arg);
            } else if (arg.matches("spindle|lean|loom|vthreads|all")) {
                which = arg;
            } else {
                System.err.println("usage: MemoryFootprint [count] [spindle|lean|loom|vthreads|all]\n"
                        + "       MemoryFootprint million   (1,000,000 Spindle coroutines; run with -Xmx1g)");
                System.exit(2);
            }
        }
        printJvm();
        if (million) {
            System.exit(million() ? 0 : 1);
        }
        boolean ok = true;
        if (which.equals("all") || which.equals("spindle")) ok &= spindle(count);
        if (which.equals("all") || which.equals("lean")) ok &= lean(count);
        if (which.equals("all") || which.equals("loom")) ok &= loom(count);
        if (which.equals("all") || which.equals("vthreads")) ok &= virtualThreads(count);
        System.exit(ok ? 0 : 1);
    }

    private static void printJvm() {
        List<String> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) gcs.add(gc.getName());
        System.out.printf(Locale.ROOT, "JDK %s (%s), max heap %d MB, GC %s%n", Runtime.version(),
                System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() >> 20, gcs);
        System.out.printf(Locale.ROOT, "each computation suspended at depth %d (body + %d chain frames)%n",
                DEPTH, DEPTH);
    }

    // ---- Spindle ----

    private static boolean spindle(int count) throws InterruptedException {
        if (!Spindle.isAgentInstalled()) {
            System.out.println("spindle: skipped, the Spindle agent is not installed (add"
                    + " -javaagent:agent/target/spindle-agent.jar)");
            return false;
        }
        // warm up: load and compile what creating, suspending and finishing a coroutine needs
        finishSpindle(createSpindle(new Object[Math.min(count, 10_000)]));
        Object[] keep = new Object[count];
        long before = usedHeap();
        createSpindle(keep);
        long after = usedHeap();
        report("spindle Coroutine", count, before, after);
        return finishSpindle(keep);
    }

    private static boolean lean(int count) throws InterruptedException {
        if (!Spindle.isAgentInstalled()) return false;
        createSpindle(new Object[Math.min(count, 10_000)], LEAN_BODY);
        Object[] keep = new Object[count];
        long before = usedHeap();
        createSpindle(keep, LEAN_BODY);
        long after = usedHeap();
        report("spindle Coroutine, lean", count, before, after);
        total = 0;
        for (Object c : keep) ((Coroutine) c).resume();
        long expected = (long) count * (1 + DEPTH * (DEPTH + 1) / 2);
        System.out.printf(Locale.ROOT, "lean: %s%n", total == expected ? "results correct" : "WRONG RESULTS");
        return total == expected;
    }

    private static Object[] createSpindle(Object[] keep) {
        return createSpindle(keep, SPINDLE_BODY);
    }

    private static Object[] createSpindle(Object[] keep, SuspendableRunnable body) {
        for (int i = 0; i < keep.length; i++) {
            Coroutine c = new Coroutine(body);
            if (!c.resume()) throw new IllegalStateException("coroutine " + i + " did not suspend");
            keep[i] = c;
        }
        return keep;
    }

    private static boolean finishSpindle(Object[] keep) {
        total = 0;
        for (int i = 0; i < keep.length; i++) {
            if (((Coroutine) keep[i]).resume()) throw new IllegalStateException("coroutine " + i + " suspended again");
            keep[i] = null;
        }
        return checkTotal("spindle", keep.length, total);
    }

    private static boolean million() throws InterruptedException {
        if (!Spindle.isAgentInstalled()) {
            System.out.println("million: the Spindle agent is not installed (add"
                    + " -javaagent:agent/target/spindle-agent.jar)");
            return false;
        }
        finishSpindle(createSpindle(new Object[10_000]));
        Object[] keep = new Object[MILLION];
        long before = usedHeap();
        try {
            createSpindle(keep);
        } catch (OutOfMemoryError e) {
            int made = 0;
            while (made < keep.length && keep[made] != null) made++;
            keep = null;
            System.out.printf(Locale.ROOT, "million: OUT OF MEMORY after %,d suspended coroutines (max heap %d MB)%n",
                    made, Runtime.getRuntime().maxMemory() >> 20);
            return false;
        }
        long after = usedHeap();
        report("spindle Coroutine", MILLION, before, after);
        System.out.printf(Locale.ROOT, "million: %,d suspended coroutines alive, heap used %d MB of %d MB max%n",
                MILLION, after >> 20, Runtime.getRuntime().maxMemory() >> 20);
        return finishSpindle(keep);
    }

    // ---- Loom ----

    private static boolean loom(int count) throws InterruptedException {
        if (Loom.UNAVAILABLE != null) {
            System.out.println("loom: skipped, " + Loom.UNAVAILABLE);
            return true;
        }
        finishLoom(createLoom(new Object[Math.min(count, 10_000)]));
        Object[] keep = new Object[count];
        long before = usedHeap();
        createLoom(keep);
        long after = usedHeap();
        report("loom Continuation", count, before, after);
        return finishLoom(keep);
    }

    private static Object[] createLoom(Object[] keep) {
        for (int i = 0; i < keep.length; i++) {
            Object c = Loom.create(LOOM_BODY);
            Loom.run(c);
            if (Loom.isDone(c)) throw new IllegalStateException("continuation " + i + " did not yield");
            keep[i] = c;
        }
        return keep;
    }

    private static boolean finishLoom(Object[] keep) {
        total = 0;
        for (int i = 0; i < keep.length; i++) {
            Loom.run(keep[i]);
            if (!Loom.isDone(keep[i])) throw new IllegalStateException("continuation " + i + " yielded again");
            keep[i] = null;
        }
        return checkTotal("loom", keep.length, total);
    }

    // ---- virtual threads ----

    /** The innermost frame of {@link ParkingChain}: parks until {@link #released}. */
    static void parkUntilReleased() {
        parked.countDown();
        while (!released) LockSupport.park();
    }

    private static boolean virtualThreads(int count) throws InterruptedException {
        if (VirtualThreads.UNAVAILABLE != null) {
            System.out.println("vthreads: skipped, " + VirtualThreads.UNAVAILABLE);
            return true;
        }
        finishThreads(createThreads(new Object[Math.min(count, 10_000)]));
        Object[] keep = new Object[count];
        long before = usedHeap();
        createThreads(keep);
        long after = usedHeap();
        report("parked virtual thread", count, before, after);
        return finishThreads(keep);
    }

    private static Object[] createThreads(Object[] keep) throws InterruptedException {
        released = false;
        parked = new CountDownLatch(keep.length);
        for (int i = 0; i < keep.length; i++) {
            Thread t = VirtualThreads.unstarted("parked-" + i, PARKING_BODY);
            t.start();
            keep[i] = t;
        }
        parked.await();
        return keep;
    }

    private static boolean finishThreads(Object[] keep) throws InterruptedException {
        parkedTotal.set(0);
        released = true;
        for (Object t : keep) LockSupport.unpark((Thread) t);
        for (int i = 0; i < keep.length; i++) {
            ((Thread) keep[i]).join();
            keep[i] = null;
        }
        return checkTotal("vthreads", keep.length, parkedTotal.get());
    }

    // ---- measuring ----

    /** Used heap after garbage collection: the lowest of several readings, each after {@code System.gc()}. */
    static long usedHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            lowest = Math.min(lowest, memory.getHeapMemoryUsage().getUsed());
        }
        return lowest;
    }

    private static void report(String what, int count, long before, long after) {
        long bytes = after - before;
        System.out.printf(Locale.ROOT, "%-24s %,10d suspended: heap %,14d -> %,14d bytes, %,8.1f bytes each%n",
                what, count, before, after, (double) bytes / count);
    }

    private static boolean checkTotal(String what, int count, long actual) {
        long expected = count * Expected.descend(DEPTH, SEED);
        if (actual != expected) {
            System.out.printf(Locale.ROOT, "%s: WRONG RESULTS after resuming: total %d, expected %d%n", what, actual,
                    expected);
            return false;
        }
        System.out.printf(Locale.ROOT, "%s: all %,d resumed to their end, results correct%n", what, count);
        return true;
    }
}
