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
 * }</pre>
 */
public final class RandomProgramMain {
    private RandomProgramMain() {
    }

    public static void main(String[] args) throws Exception {
        RandomProgramCampaign.Settings s = RandomProgramCampaign.Settings.fromSystemProperties(2000);
        if (args.length >= 2 && args[0].equals("dump")) {
            RandomProgramGenerator.Program p = new RandomProgramGenerator(s.features()).generate(s.seed(), Integer.parseInt(args[1]));
            Path dir = Path.of(args.length > 2 ? args[2] : ".").resolve(RandomProgramGenerator.PACKAGE);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(p.className() + ".java"), p.source());
            System.out.println(dir.resolve(p.className() + ".java"));
            return;
        }
        boolean agent = Spindle.isAgentInstalled();
        s = new RandomProgramCampaign.Settings(s.seed(), s.start(), s.count(), s.batchSize(), s.compileThreads(),
                s.features(), agent, s.alternateEvery(), s.timeoutMillis(), s.failureDir(), s.reduceSeconds(),
                s.maxReductions());
        System.out.println((agent ? "with" : "WITHOUT") + " the agent: " + s);
        RandomProgramCampaign.Report report = new RandomProgramCampaign(s).run();
        System.out.println(report.summary());
        for (RandomProgramCampaign.Failed f : report.failures) {
            System.out.println("FAILED program " + f.program().index() + " (" + f.failure().kind() + ") " + f.file());
        }
        int shown = 0;
        for (RandomProgramCampaign.Failed f : report.failures) {
            if (shown++ == 3) break;
            System.out.println("---- program " + f.program().index() + ": " + f.failure().details());
        }
        for (String r : report.reductions) System.out.println("---- reduced: " + r);
        System.exit(report.failures.isEmpty() ? 0 : 1);
    }
}
