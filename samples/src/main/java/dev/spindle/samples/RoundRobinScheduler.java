package dev.spindle.samples;

import dev.spindle.Suspendable;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Tasklet;
import java.util.List;

/**
 * {@link RoundRobin} ("Example 6" of <em>Concurrency and Python</em>) on a {@link Scheduler}: the hand-written
 * round-robin loop over coroutines becomes {@code scheduler.run()}, and {@code Coroutine.yield()} becomes
 * {@code Scheduler.schedule()}, still three calls deep. It prints {@code coro1 1, coro2 1, coro1 2, ...}.
 * {@code run(maxSwitches)}, Stackless's watchdog, stops the endless loop of the article after a number of turns;
 * then the tasklets are killed, which runs their {@code finally} blocks.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.RoundRobinScheduler [turns]
 * </pre>
 */
public final class RoundRobinScheduler {
    private RoundRobinScheduler() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("RoundRobinScheduler");
        int turns = SampleArgs.intArg(args, 0, "turns", 8);
        Scheduler scheduler = new Scheduler();
        List<Tasklet> coros = List.of(scheduler.spawn("coro1", () -> myCoro("coro1")),
                scheduler.spawn("coro2", () -> myCoro("coro2")));
        scheduler.run(turns);               // the article's loop never ends: the watchdog stops it
        for (Tasklet t : coros) t.kill();       // each unwinds through its finally
    }

    /** my_coro(name): counts forever, giving up its turn after each line. */
    @Suspendable
    static void myCoro(String name) {
        try {
            for (int count = 1; ; count++) step(name, count);
        } finally {
            System.out.println(name + " killed");
        }
    }

    @Suspendable
    static void step(String name, int count) {
        say(name + " " + count);
    }

    @Suspendable
    static void say(String line) {
        System.out.println(line);
        Scheduler.schedule();
    }
}
