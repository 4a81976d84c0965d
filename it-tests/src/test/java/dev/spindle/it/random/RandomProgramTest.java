package dev.spindle.it.random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spindle.Spindle;
import org.junit.jupiter.api.Test;

/**
 * Property: a random program computes the same trace, throws the same exception and calls {@code maybeYield()}
 * as often inside a coroutine (which suspends at every {@code maybeYield()}, resumed on one thread or on two
 * alternately) as outside any coroutine. See {@link RandomProgramGenerator} for what the programs contain.
 *
 * <p>System properties (surefire passes {@code -D} options of the mvn command line through):
 * <ul>
 *   <li>{@code spindle.random.programs} (3,000 in {@code mvn verify}, set in the module's pom; 2,000 without it),
 *       {@code spindle.random.seed}, {@code spindle.random.start}
 *       (index of the first program): a longer run is
 *       {@code mvn -pl it-tests -am verify -Dtest=RandomProgramTest -Dsurefire.failIfNoSpecifiedTests=false
 *       -Dspindle.random.programs=50000} ({@code -am} builds the runtime and the agent with it); one program
 *       again is {@code -Dspindle.random.start=<index> -Dspindle.random.programs=1};</li>
 *   <li>{@code spindle.random.statements}: about how many statements a program has (default
 *       {@value RandomProgramGenerator#DEFAULT_STATEMENTS}; bigger programs cost more to compile and instrument);</li>
 *   <li>{@code spindle.random.disable}: comma-separated {@link RandomProgramGenerator.Feature}s to leave out (to
 *       find which one a failure needs; changes the programs);</li>
 *   <li>{@code spindle.random.batch} (classes per javac task, default 100), {@code spindle.random.compileThreads}
 *       and {@code spindle.random.checkThreads} (default 2 each: batches are checked in parallel, in their own loaders),
 *       {@code spindle.random.alternateEvery} (every n-th program is resumed on two threads, default 4),
 *       {@code spindle.random.timeoutMillis}, {@code spindle.random.reduceSeconds},
 *       {@code spindle.random.maxReductions}, {@code spindle.random.failureDir} (default
 *       {@code target/random-failures});</li>
 *   <li>{@code spindle.random.loaderResources=true}: the class loader of the programs also serves their class files
 *       as resources (by default it only defines them, like most loaders of generated code), to tell apart
 *       failures that come from the agent not knowing classes that are not loaded yet.</li>
 * </ul>
 * A failing program's source, with how to reproduce it, goes to {@code target/random-failures/GenN.java}, and the
 * first failure of each kind is reduced to {@code GenN-reduced.java}.
 */
class RandomProgramTest {
    @Test
    void randomProgramsRunTheSameInsideAndOutsideACoroutine() throws Exception {
        assertTrue(Spindle.isAgentInstalled(), "this test needs the JVM started with -javaagent:spindle-agent.jar");
        RandomProgramCampaign.Settings settings = RandomProgramCampaign.Settings.fromSystemProperties(2000);
        RandomProgramCampaign.Report report = new RandomProgramCampaign(settings).run();
        System.out.println("[random programs] seed " + settings.seed() + ", programs " + settings.start() + ".."
                + (settings.start() + settings.count() - 1) + ": " + report.summary());
        if (report.failures.isEmpty()) return;

        StringBuilder msg = new StringBuilder();
        msg.append(report.failureCount).append(" of ").append(report.programs).append(" random programs failed (seed ")
                .append(settings.seed()).append("); sources in ").append(settings.failureDir().toAbsolutePath()).append('\n');
        msg.append("failures by kind:\n").append(report.kinds());
        int listed = 0;
        for (RandomProgramCampaign.Failed f : report.failures) {
            if (listed++ == 20) {
                msg.append("  ...\n");
                break;
            }
            msg.append("  program ").append(f.program().index()).append(" (seed ").append(f.program().seed())
                    .append("L): ").append(f.failure().kind()).append(" -> reproduce with ")
                    .append(settings.reproduce(f.program().index())).append('\n');
        }
        RandomProgramCampaign.Failed first = report.failures.get(0);
        msg.append("\nfirst failure, program ").append(first.program().index()).append(": ").append(first.failure().details())
                .append("\n\n").append(numbered(first.program().source()));
        for (String r : report.reductions) msg.append("\n\nreduced: ").append(r);
        fail(msg.toString());
    }

    private static String numbered(String source) {
        StringBuilder sb = new StringBuilder();
        int n = 1;
        for (String line : source.split("\n", -1)) sb.append(String.format("%4d  ", n++)).append(line).append('\n');
        return sb.toString();
    }
}
