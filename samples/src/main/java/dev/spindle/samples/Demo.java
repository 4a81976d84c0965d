package dev.spindle.samples;

import dev.spindle.Coroutine;
import dev.spindle.Spindle;

/**
 * The first thing to run: a short tour of Spindle coroutines.
 *
 * <ol>
 *   <li>The round-robin of the article's Example 6 ({@link RoundRobin}): two coroutines print in turn, and the
 *       {@code Coroutine.yield()} that suspends them is three {@code @Suspendable} calls deep.</li>
 *   <li>The logical stack of a suspended coroutine ({@link Coroutine#stackTrace()}): the chain of calls it is
 *       suspended in, although none of them is on the thread's stack any more.</li>
 *   <li>Generators ({@link Generators}): Fibonacci numbers pulled out of an endless coroutine, and a recursive
 *       tree walk that emits values from any depth of the recursion.</li>
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
        if (!Spindle.isAgentInstalled()) {
            System.err.println("Spindle needs its agent: java -javaagent:agent/target/spindle-agent.jar"
                    + " -jar samples/target/spindle-samples.jar");
            System.exit(1);
        }

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
        System.out.println("   Fibonacci: " + Generators.fibonacci(12));
        System.out.println("   In-order walk of " + Generators.SAMPLE_TREE + ":");
        System.out.println("     " + Generators.inOrder(Generators.SAMPLE_TREE));
    }
}
