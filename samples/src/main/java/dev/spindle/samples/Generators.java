package dev.spindle.samples;

import dev.spindle.Generator;
import dev.spindle.GeneratorScope;
import dev.spindle.Suspendable;
import java.util.Iterator;

/**
 * Generators, like Python's {@code yield}, with {@link Generator}: a body hands out one value at a time with
 * {@code g.yield(value)} and is suspended in between, while the consumer pulls values as an {@link Iterator}.
 *
 * <ul>
 *   <li><b>Fibonacci</b>: an endless generator; the consumer calls {@code next()} for the first few values and
 *       stops, and the suspended generator is simply dropped (it is garbage-collected like any object).</li>
 *   <li><b>Tree walk</b>: a recursive in-order traversal that yields each node's value from whatever depth of
 *       the recursion it is at, the helper getting the generator's scope {@code g} as an argument. A
 *       hand-written {@link Iterator} would need an explicit stack to do this; here the recursion itself is
 *       suspended, and the generator is an ordinary {@code Iterable} read with a for-each loop.</li>
 * </ul>
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.Generators
 * </pre>
 */
public final class Generators {
    private Generators() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("Generators");
        System.out.println("Fibonacci: " + first(12, fibonacci()));
        System.out.println("Tree " + SAMPLE_TREE + " in order: " + joined(inOrder(SAMPLE_TREE)));
    }

    // ---- an endless generator ----

    /** 0, 1, 1, 2, 3, 5, ... without end. */
    public static Generator<Long> fibonacci() {
        return Generator.of("fibonacci", g -> {
            long a = 0, b = 1;
            while (true) {                           // never ends by itself
                g.yield(a);                          // hand the value over, wait to be asked again
                long next = a + b;
                a = b;
                b = next;
            }
        });
    }

    /** The first {@code n} values of {@code values}, pulled one by one with {@code next()}, space-separated. */
    public static String first(int n, Iterator<?> values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n && values.hasNext(); i++) {
            out.append(i == 0 ? "" : " ").append(values.next());
        }
        return out.toString();
    }

    // ---- a recursive generator ----

    /** A binary tree node. */
    public record Node(Node left, int value, Node right) {
        public static Node leaf(int value) {
            return new Node(null, value, null);
        }

        @Override
        public String toString() {
            if (left == null && right == null) return Integer.toString(value);
            return "(" + (left == null ? "." : left) + " " + value + " " + (right == null ? "." : right) + ")";
        }
    }

    /** A small unbalanced tree: values 1..7, yielded from depths 0 to 3. */
    public static final Node SAMPLE_TREE = new Node(
            new Node(Node.leaf(1), 2, new Node(Node.leaf(3), 4, null)),
            5,
            new Node(null, 6, Node.leaf(7)));

    /** The values of {@code tree}, in order. */
    public static Generator<Integer> inOrder(Node tree) {
        return Generator.of("in-order", g -> walk(tree, g));
    }

    /** Recursive in-order walk: the yield happens deep inside the recursion, yet each value comes out at once. */
    @Suspendable
    static void walk(Node node, GeneratorScope<Integer> g) {
        if (node == null) return;
        walk(node.left(), g);
        g.yield(node.value());
        walk(node.right(), g);
    }

    /** All the values of {@code values}, consumed with a for-each loop, space-separated. */
    public static String joined(Iterable<?> values) {
        StringBuilder out = new StringBuilder();
        for (Object v : values) {
            out.append(out.length() == 0 ? "" : " ").append(v);
        }
        return out.toString();
    }
}
