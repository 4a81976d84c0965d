package dev.spindle.samples;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.util.List;

/**
 * The round-robin of "Example 6" in <em>Concurrency and Python</em> (Dr. Dobb's, 2008), in Java: two coroutines
 * take turns printing {@code coro1 1, coro2 1, coro1 2, coro2 2, ...} under a plain round-robin loop.
 *
 * <p>The article notes the limit of Python's generator-based coroutines: "you can only call yield in the
 * generator. What happens if my_coro calls some function f and f wants to yield?" Here the body calls
 * {@link #count}, which calls {@link #step}, which calls {@link #say}, and it is {@code say} (three calls
 * deep) that prints and yields. The whole chain is suspended and later resumed where it left off.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.RoundRobin [rounds]
 * </pre>
 * {@code rounds} (default 4) is how many times each coroutine prints; the article's loop never stops.
 */
public final class RoundRobin {
    private RoundRobin() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("RoundRobin");
        int rounds = SampleArgs.intArg(args, 0, "rounds", 4);
        run(rounds);
    }

    /** Runs coro1 and coro2 in turn until both have printed {@code rounds} times. */
    public static void run(int rounds) {
        List<Coroutine> coros = List.of(myCoro("coro1", rounds), myCoro("coro2", rounds));
        // The round-robin scheduler: resume each live coroutine in turn until all are done.
        boolean anyAlive = true;
        while (anyAlive) {
            anyAlive = false;
            for (Coroutine c : coros) {
                if (!c.isDone() && c.resume()) anyAlive = true;
            }
        }
    }

    /** my_coro(name) of the article: a coroutine that counts and prints, yielding after each line. */
    public static Coroutine myCoro(String name, int rounds) {
        return new Coroutine(name, () -> count(name, rounds));
    }

    /** Depth 1: the counting loop. */
    @Suspendable
    static void count(String name, int rounds) {
        for (int count = 1; count <= rounds; count++) {
            step(name, count);
        }
    }

    /** Depth 2: an ordinary-looking helper that happens to suspend. */
    @Suspendable
    static void step(String name, int count) {
        say(name + " " + count);
    }

    /** Depth 3: prints, then gives the turn to the other coroutine. */
    @Suspendable
    static void say(String line) {
        System.out.println(line);
        Coroutine.yield();
    }
}
