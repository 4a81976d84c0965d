package dev.spindle.it.random;

import dev.spindle.Spindle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the random program campaign from the command line, configured by the same {@code spindle.random.*} system
 * properties as {@link RandomProgramTest}. With the agent ({@code -javaagent:agent/target/spindle-agent.jar}) it is
 * the full check; without, it only checks that the generated programs compile, terminate and are deterministic
 * outside a coroutine (to test the generator itself).
 *
 * <pre>{@code
 * java -cp <test classes + spindle-runtime> -Dspindle.random.programs=500 dev.spindle.it.random.RandomProgramMain
 * java ... dev.spindle.it.random.RandomProgramMain dump 17 out/   # writes the source of program 17 to out/
 * java ... dev.spindle.it.random.RandomProgramMain check target/random-failures/Gen17.java   # checks one file
 * }</pre>
 */
public final class RandomProgramMain {
    private RandomProgramMain() {
    }

    /** Compiles one program from a file (in package spindlegen, class named like the file) and checks it. */
    static boolean checkFile(Path file, RandomProgramCampaign.Settings s) throws Exception {
        String name = RandomProgramGenerator.PACKAGE + "." + file.getFileName().toString().replaceFirst("(-reduced)?\\.java$", "");
        String source = Files.readString(file);
        if (!source.contains("class " + name.substring(name.lastIndexOf('.') + 1) + " ")) {
            throw new IllegalArgumentException(file + " does not declare " + name);
        }
        String cp = InMemoryCompiler.defaultClassPath(dev.spindle.Coroutine.class, RandomProgramMain.class);
        try (InMemoryCompiler javac = new InMemoryCompiler(cp); ProgramChecker checker = new ProgramChecker(s.timeoutMillis())) {
            InMemoryCompiler.Result r = javac.compile(java.util.Map.of(name, source));
            if (!r.ok()) {
                System.out.println("does not compile: " + r.errors());
                return false;
            }
            ClassLoader loader = new InMemoryCompiler.MemoryClassLoader(r.classes(), RandomProgramMain.class.getClassLoader());
            Class<?> c;
            try {
                c = Class.forName(name, true, loader);
            } catch (Throwable t) {
                System.out.println("load failed: " + ProgramChecker.stackTrace(t));
                return false;
            }
            boolean ok = true;
            for (boolean alternate : new boolean[] {false, true}) {
                ProgramChecker.Failure f = Spindle.isAgentInstalled() ? checker.check(c, alternate, false)
                        : RandomProgramCampaign.checkOutsideOnly(c);
                System.out.println((alternate ? "two threads: " : "one thread: ") + (f == null ? "OK" : f.kind() + "\n" + f.details()));
                ok &= f == null;
            }
            return ok;
        }
    }

    public static void main(String[] args) throws Exception {
        RandomProgramCampaign.Settings s = RandomProgramCampaign.Settings.fromSystemProperties(2000);
        if (args.length >= 2 && args[0].equals("dump")) {
            RandomProgramGenerator.Program p = new RandomProgramGenerator(s.features(), s.statements())
                    .generate(s.seed(), Integer.parseInt(args[1]));
            Path dir = Path.of(args.length > 2 ? args[2] : ".").resolve(RandomProgramGenerator.PACKAGE);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(p.className() + ".java"), p.source());
            System.out.println(dir.resolve(p.className() + ".java"));
            return;
        }
        if (args.length >= 2 && args[0].equals("check")) {
            System.exit(checkFile(Path.of(args[1]), s) ? 0 : 1);
        }
        boolean agent = Spindle.isAgentInstalled();
        s = new RandomProgramCampaign.Settings(s.seed(), s.start(), s.count(), s.statements(), s.batchSize(), s.compileThreads(),
                s.checkThreads(), s.features(), agent, s.alternateEvery(), s.timeoutMillis(), s.failureDir(), s.reduceSeconds(),
                s.maxReductions());
        System.out.println((agent ? "with" : "WITHOUT") + " the agent: " + s);
        RandomProgramCampaign.Report report = new RandomProgramCampaign(s).run();
        System.out.println(report.summary());
        if (Boolean.getBoolean("spindle.random.batchTimes")) report.batchTimes.forEach(System.out::println);
        System.out.print(report.kinds());
        System.gc();
        java.lang.management.ClassLoadingMXBean cl = java.lang.management.ManagementFactory.getClassLoadingMXBean();
        long metaspace = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) metaspace = pool.getUsage().getUsed();
        }
        System.out.printf("classes loaded now %d, unloaded %d, metaspace %d MB, heap %d MB%n", cl.getLoadedClassCount(),
                cl.getUnloadedClassCount(), metaspace >> 20,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        for (RandomProgramCampaign.Failed f : report.failures) {
            System.out.println("FAILED program " + f.program().index() + " (" + f.failure().kind() + ") " + f.file());
        }
        int shown = 0;
        for (RandomProgramCampaign.Failed f : report.failures) {
            if (shown++ == 3) break;
            System.out.println("---- program " + f.program().index() + ": " + f.failure().details());
        }
        for (String r : report.reductions) System.out.println("---- reduced: " + r);
        System.exit(report.failureCount == 0 ? 0 : 1);
    }
}
