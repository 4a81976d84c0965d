package dev.spindle.it.random;

import dev.spindle.Coroutine;
import dev.spindle.it.random.RandomProgramGenerator.Feature;
import dev.spindle.it.random.RandomProgramGenerator.Program;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates, compiles (in batches, on background threads) and checks a range of random programs. Programs that
 * fail are written to {@code target/random-failures/} with a header saying how to reproduce them, and the first
 * failure of each kind is reduced to a smaller program that fails the same way.
 */
final class RandomProgramCampaign {
    /** What to run. */
    record Settings(long seed, int start, int count, int statements, int batchSize, int compileThreads, int checkThreads,
            Set<Feature> features,
            boolean inside, int alternateEvery, long timeoutMillis, Path failureDir, int reduceSeconds, int maxReductions) {

        /** From system properties {@code spindle.random.*}, with defaults for a run of {@code defaultCount}. */
        static Settings fromSystemProperties(int defaultCount) {
            return new Settings(
                    Long.getLong("spindle.random.seed", 20261125L),
                    Integer.getInteger("spindle.random.start", 0),
                    Integer.getInteger("spindle.random.programs", defaultCount),
                    Integer.getInteger("spindle.random.statements", RandomProgramGenerator.DEFAULT_STATEMENTS),
                    Integer.getInteger("spindle.random.batch", 100),
                    Integer.getInteger("spindle.random.compileThreads",
                            Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()))),
                    Integer.getInteger("spindle.random.checkThreads",
                            Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()))),
                    RandomProgramGenerator.featuresWithout(System.getProperty("spindle.random.disable")),
                    true,
                    Integer.getInteger("spindle.random.alternateEvery", 4),
                    Long.getLong("spindle.random.timeoutMillis", 20_000L),
                    Path.of(System.getProperty("spindle.random.failureDir", "target/random-failures")),
                    Integer.getInteger("spindle.random.reduceSeconds", 30),
                    Integer.getInteger("spindle.random.maxReductions", 3));
        }

        String reproduce(int index) {
            return "-Dspindle.random.seed=" + seed + " -Dspindle.random.start=" + index + " -Dspindle.random.programs=1"
                    + (statements == RandomProgramGenerator.DEFAULT_STATEMENTS ? "" : " -Dspindle.random.statements=" + statements)
                    + (features.size() == Feature.values().length ? ""
                    : " -Dspindle.random.disable=" + disabled());
        }

        String disabled() {
            Set<Feature> off = new LinkedHashSet<>(List.of(Feature.values()));
            off.removeAll(features);
            StringBuilder sb = new StringBuilder();
            for (Feature f : off) sb.append(sb.length() == 0 ? "" : ",").append(f);
            return sb.toString();
        }
    }

    /** A program that failed. */
    record Failed(Program program, ProgramChecker.Failure failure, Path file) {
    }

    /** What happened. */
    static final class Report {
        int programs;
        int checked;
        int threwOutside;
        long yields;
        long lines;
        int maxYields;
        int withoutYields;
        final AtomicLong generateNanos = new AtomicLong();
        final AtomicLong compileNanos = new AtomicLong();
        final AtomicLong compileCpuNanos = new AtomicLong();
        long checkNanos;
        long checkCpuNanos;
        final List<String> batchTimes = new ArrayList<>();
        long wallNanos;
        /** The first 200 failures and the first of each kind (a long run keeps no more in memory). */
        final List<Failed> failures = new ArrayList<>();
        int failureCount;
        /** Per kind of failure: how many, and the index of the first program. */
        final Map<String, int[]> kindCounts = new LinkedHashMap<>();
        final List<String> reductions = new ArrayList<>();

        /** How many failures of each kind, most frequent first. */
        String kinds() {
            StringBuilder sb = new StringBuilder();
            kindCounts.entrySet().stream().sorted((a, b) -> b.getValue()[0] - a.getValue()[0]).forEach(e ->
                    sb.append(String.format("%6d  %s (first: program %d)%n", e.getValue()[0], e.getKey(), e.getValue()[1])));
            return sb.toString();
        }

        String summary() {
            return String.format("%d programs (%d checked, %d threw out of run(), %d lines, %d maybeYield() calls, at"
                            + " most %d in one program, %d programs without) in %.1f s: generating %.1f s, compiling %.1f s (%.1f s cpu, in the"
                            + " background), loading and checking %.1f s (%.1f s cpu); %d failures",
                    programs, checked, threwOutside, lines, yields, maxYields, withoutYields, wallNanos / 1e9, generateNanos.get() / 1e9,
                    compileNanos.get() / 1e9, compileCpuNanos.get() / 1e9, checkNanos / 1e9, checkCpuNanos / 1e9,
                    failureCount);
        }
    }

    private record Compiled(List<Program> programs, InMemoryCompiler.Result result, Map<String, String> errors,
            long compileCpuNanos) {
    }

    private static long cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private final Settings settings;
    private final RandomProgramGenerator generator;
    private final String classPath;
    private final ThreadLocal<InMemoryCompiler> compilers;

    RandomProgramCampaign(Settings settings) {
        this.settings = settings;
        this.generator = new RandomProgramGenerator(settings.features(), settings.statements());
        this.classPath = InMemoryCompiler.defaultClassPath(Coroutine.class, RandomProgramCampaign.class);
        this.compilers = ThreadLocal.withInitial(() -> new InMemoryCompiler(classPath));
    }

    Report run() throws Exception {
        Report report = new Report();
        long t0 = System.nanoTime();
        int end = settings.start() + settings.count();
        List<int[]> batches = new ArrayList<>();
        for (int i = settings.start(); i < end; i += settings.batchSize()) {
            batches.add(new int[] {i, Math.min(end, i + settings.batchSize())});
        }
        ExecutorService compilePool = Executors.newFixedThreadPool(settings.compileThreads(), daemon("random-program-javac"));
        ExecutorService checkPool = Executors.newFixedThreadPool(settings.checkThreads(), daemon("random-program-check"));
        // batches compile and check in parallel, each in its own class loader; at most this many are in memory
        Semaphore window = new Semaphore(settings.compileThreads() + settings.checkThreads() + 1);
        List<ProgramChecker> checkers = new CopyOnWriteArrayList<>();
        ThreadLocal<ProgramChecker> checker = ThreadLocal.withInitial(() -> {
            ProgramChecker c = new ProgramChecker(settings.timeoutMillis());
            checkers.add(c);
            return c;
        });
        List<Future<?>> checks = new ArrayList<>();
        try {
            for (int[] range : batches) {
                window.acquire();
                Future<Compiled> compiled = compilePool.submit(() -> compileBatch(range[0], range[1], report));
                checks.add(checkPool.submit(() -> {
                    try {
                        Compiled c = compiled.get();
                        long c0 = System.nanoTime();
                        long cpu0 = cpuNanos();
                        checkBatch(c, checker.get(), report);
                        long cpu = cpuNanos() - cpu0;
                        synchronized (report) {
                            report.checkNanos += System.nanoTime() - c0;
                            report.checkCpuNanos += cpu;
                            report.batchTimes.add(String.format("programs %d..: check %d ms cpu / compile %d ms cpu",
                                    range[0], cpu / 1_000_000, c.compileCpuNanos() / 1_000_000));
                        }
                        return null;
                    } finally {
                        window.release();
                    }
                }));
            }
            for (Future<?> f : checks) f.get();
        } finally {
            compilePool.shutdownNow();
            checkPool.shutdownNow();
            checkers.forEach(ProgramChecker::close);
        }
        report.failures.sort(Comparator.comparingInt(f -> f.program().index()));
        reduceFailures(report);
        report.wallNanos = System.nanoTime() - t0;
        return report;
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private Compiled compileBatch(int from, int to, Report report) {
        long g0 = System.nanoTime();
        List<Program> programs = new ArrayList<>();
        for (int i = from; i < to; i++) programs.add(generator.generate(settings.seed(), i));
        long c0 = System.nanoTime();
        long cpu0 = cpuNanos();
        report.generateNanos.addAndGet(c0 - g0);
        Map<String, String> sources = new LinkedHashMap<>();
        for (Program p : programs) sources.put(p.qualifiedName(), p.source());
        InMemoryCompiler compiler = compilers.get();
        InMemoryCompiler.Result result = compiler.compile(sources);
        Map<String, String> errors = new LinkedHashMap<>(result.errors());
        for (int retry = 0; !result.ok() && retry < 5; retry++) {
            // a generator bug: compile the others without the broken ones
            for (String broken : result.errors().keySet()) sources.remove(broken);
            if (errors.containsKey("?")) sources.clear();
            result = compiler.compile(sources);
            errors.putAll(result.errors());
        }
        report.compileNanos.addAndGet(System.nanoTime() - c0);
        long cpu = cpuNanos() - cpu0;
        report.compileCpuNanos.addAndGet(cpu);
        return new Compiled(programs, result, errors, cpu);
    }

    private void checkBatch(Compiled compiled, ProgramChecker checker, Report report) throws IOException {
        InMemoryCompiler.MemoryClassLoader loader =
                new InMemoryCompiler.MemoryClassLoader(compiled.result().classes(), RandomProgramCampaign.class.getClassLoader());
        for (Program p : compiled.programs()) {
            synchronized (report) {
                report.programs++;
                report.lines += p.source().chars().filter(ch -> ch == '\n').count();
            }
            String error = compiled.errors().get(p.qualifiedName());
            if (error == null && compiled.errors().containsKey("?")) error = compiled.errors().get("?");
            if (error != null) {
                fail(report, p, new ProgramChecker.Failure("compile", "the generated program does not compile (a bug of"
                        + " the generator):\n" + error));
                continue;
            }
            ProgramChecker.Failure failure;
            Class<?> c;
            try {
                c = Class.forName(p.qualifiedName(), true, loader);
            } catch (Throwable t) {
                fail(report, p, new ProgramChecker.Failure("load:" + ProgramChecker.signature(t), ProgramChecker.stackTrace(t)));
                continue;
            }
            ProgramChecker.Outcome o;
            if (settings.inside()) {
                failure = checker.check(c, alternate(p), insideFirst(p));
                o = checker.lastOutside();
            } else {
                failure = checkOutsideOnly(c);
                try {
                    o = failure == null ? ProgramChecker.runOutside(c, 0) : null;
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            synchronized (report) {
                report.checked++;
                if (failure == null && o != null) {
                    report.yields += o.yields();
                    report.maxYields = Math.max(report.maxYields, o.yields());
                    if (o.yields() == 0) report.withoutYields++;
                    if (o.exception() != null) report.threwOutside++;
                }
            }
            if (failure != null) fail(report, p, failure);
        }
    }

    /** Whether program p is resumed on two threads alternately. */
    private boolean alternate(Program p) {
        return settings.alternateEvery() > 0 && p.index() % settings.alternateEvery() == 1;
    }

    /** Whether program p runs inside a coroutine before running outside (checks that run() resets its state). */
    private static boolean insideFirst(Program p) {
        return p.index() % 3 == 2;
    }

    /** Without the agent: run() twice outside a coroutine; it must end the same way both times. */
    static ProgramChecker.Failure checkOutsideOnly(Class<?> c) {
        try {
            ProgramChecker.Outcome a = ProgramChecker.runOutside(c, 0);
            ProgramChecker.Outcome b = ProgramChecker.runOutside(c, 0);
            if (!ProgramChecker.expectedOutside(a.exception())) {
                return new ProgramChecker.Failure("outside:" + a.exception(), "run() threw " + a.exception());
            }
            if (!a.equals(b)) {
                return new ProgramChecker.Failure("nondeterministic", "two runs differ:\n" + ProgramChecker.diff(a.trace(), b.trace()));
            }
            return null;
        } catch (Throwable t) {
            return new ProgramChecker.Failure("harness:" + t.getClass().getName(), ProgramChecker.stackTrace(t));
        }
    }

    private void fail(Report report, Program p, ProgramChecker.Failure failure) throws IOException {
        synchronized (report) {
            report.failureCount++;
            int[] count = report.kindCounts.computeIfAbsent(failure.kind(), k -> new int[] {0, p.index()});
            boolean newKind = count[0]++ == 0;
            count[1] = Math.min(count[1], p.index());
            if (report.failures.size() < 200 || newKind) {
                Path file = write(p.className() + ".java", header(p, failure) + p.source());
                report.failures.add(new Failed(p, failure, file));
            }
        }
    }

    private String header(Program p, ProgramChecker.Failure failure) {
        return "// Spindle random program " + p.index() + " (program seed " + p.seed() + "L), failed: " + failure.kind()
                + "\n// reproduce: mvn -pl it-tests verify -Dtest=RandomProgramTest " + settings.reproduce(p.index())
                + "\n/*\n" + failure.details().replace("*/", "* /") + "\n*/\n";
    }

    private Path write(String name, String content) throws IOException {
        Files.createDirectories(settings.failureDir());
        Path file = settings.failureDir().resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file.toAbsolutePath();
    }

    private void reduceFailures(Report report) throws IOException {
        if (!settings.inside() || settings.maxReductions() <= 0) return;
        Set<String> kinds = new LinkedHashSet<>();
        long deadline = System.nanoTime() + settings.reduceSeconds() * 1_000_000_000L;
        for (Failed f : report.failures) {
            String kind = f.failure().kind();
            if (kind.equals("compile") || kind.equals("hang") || kind.startsWith("harness") || !kinds.add(kind)) continue;
            if (kinds.size() > settings.maxReductions() || System.nanoTime() > deadline) break;
            ProgramReducer.Reduced reduced;
            try (ProgramChecker checker = new ProgramChecker(Math.min(settings.timeoutMillis(), 3000))) {
                ProgramReducer reducer = new ProgramReducer(compilers.get(), checker, alternate(f.program()),
                        insideFirst(f.program()));
                reduced = reducer.reduce(f.program(), kind, deadline);
            }
            if (reduced == null) continue;
            Path file = write(f.program().className() + "-reduced.java", "// reduced from random program "
                    + f.program().index() + " (" + f.program().source().lines().count() + " -> "
                    + reduced.source().lines().count() + " lines, " + reduced.attempts() + " attempts), fails: " + kind
                    + "\n/*\n" + reduced.failure().details().replace("*/", "* /") + "\n*/\n" + reduced.source());
            report.reductions.add(file + "\n" + reduced.source() + "\n" + reduced.failure().details());
        }
    }
}
