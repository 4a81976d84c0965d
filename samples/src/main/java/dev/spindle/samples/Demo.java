package dev.spindle.samples;

import dev.spindle.Coroutine;
import dev.spindle.Generator;

/**
 * The first thing to run: a short tour of Spindle coroutines.
 *
 * <ol>
 *   <li>The round-robin of the article's Example 6 ({@link RoundRobin}): two coroutines print in turn, and the
 *       {@code Coroutine.yield()} that suspends them is three {@code @Suspendable} calls deep.</li>
 *   <li>The logical stack of a suspended coroutine ({@link Coroutine#stackTrace()}): the chain of calls it is
 *       suspended in, although none of them is on the thread's stack any more.</li>
 *   <li>Generators ({@link Generators}, made with {@link Generator}): Fibonacci numbers pulled out of an
 *       endless generator, and a recursive tree walk that yields values from any depth of the recursion.</li>
 *   <li>Tasklets on a round-robin {@code Scheduler} ({@link ProducerConsumer}): a producer and a consumer that
 *       hand values over an unbuffered channel.</li>
 * </ol>
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -DskipTests package &amp;&amp; java -javaagent:agent/target/spindle-agent.jar -jar samples/target/spindle-samples.jar
 * </pre>
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("Demo");

        System.out.println("1. Round-robin (Example 6 of \"Concurrency and Python\"), yield three calls deep:");
        RoundRobin.run(3);

        System.out.println();
        System.out.println("2. A new coro1, resumed once: it prints a line and suspends three calls deep.");
        Coroutine c = RoundRobin.myCoro("coro1", 3);
        c.resume();                                   // prints "coro1 1", then suspends in say()
        System.out.println("   " + c + ", its logical stack (innermost first):");
        for (StackTraceElement frame : c.stackTrace()) {
            System.out.println("     at " + frame);
        }

        System.out.println();
        System.out.println("3. Generators:");
        Generator<Long> fibonacci = Generators.fibonacci();            // endless: take 12 values, then drop it
        System.out.println("   Fibonacci: " + Generators.first(12, fibonacci));
        Generator<Integer> walk = Generators.inOrder(Generators.SAMPLE_TREE);
        System.out.println("   In-order walk of " + Generators.SAMPLE_TREE + ":");
        System.out.println("     " + Generators.joined(walk));

        System.out.println();
        System.out.println("4. Tasklets on a round-robin Scheduler, a producer and a consumer over an unbuffered channel:");
        ProducerConsumer.run(0, 3);
    }
}
