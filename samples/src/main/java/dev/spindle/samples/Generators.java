package dev.spindle.samples;

import dev.spindle.Coroutine;
import dev.spindle.Spindle;
import dev.spindle.Suspendable;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Generators made of coroutines, like Python's {@code yield}: a producer hands out one value at a time and is
 * suspended in between, while a consumer loop pulls values by calling {@link Coroutine#resume()}.
 *
 * <ul>
 *   <li><b>Fibonacci</b>: an endless producer; the consumer stops after a few values, and the suspended producer
 *       is simply dropped (a suspended coroutine is garbage-collected like any object).</li>
 *   <li><b>Tree walk</b>: a recursive in-order traversal that emits each node's value from whatever depth of
 *       recursion it is at. A hand-written {@link Iterator} would need an explicit stack to do this; here the
 *       recursion itself is suspended, and the {@link Generator} is an ordinary {@code Iterable}.</li>
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
        if (!Spindle.isAgentInstalled()) {
            System.err.println("Run with the Spindle agent: java -javaagent:agent/target/spindle-agent.jar"
                    + " -cp samples/target/spindle-samples.jar dev.spindle.samples.Generators");
            System.exit(1);
        }
        System.out.println("Fibonacci: " + fibonacci(12));
        System.out.println("Tree " + SAMPLE_TREE + " in order: " + inOrder(SAMPLE_TREE));
    }

    // ---- a generator as a bare coroutine plus a shared holder ----

    /** The first {@code n} Fibonacci numbers, pulled one by one out of an endless producer. */
    public static String fibonacci(int n) {
        long[] holder = new long[1];                 // where the producer leaves each value
        Coroutine fib = new Coroutine("fibonacci", () -> {
            long a = 0, b = 1;
            while (true) {                           // never ends by itself
                holder[0] = a;
                Coroutine.yield();                   // hand the value over, wait to be asked again
                long next = a + b;
                a = b;
                b = next;
            }
        });
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n && fib.resume(); i++) {  // resume() == true: a value is waiting in the holder
            out.append(i == 0 ? "" : " ").append(holder[0]);
        }
        return out.toString();
    }

    // ---- a reusable generator, and a recursive producer ----

    /** The code of a generator: emits values through {@code out}. */
    @FunctionalInterface
    public interface Producer<T> {
        @Suspendable
        void produce(Generator<T> out);
    }

    /** A coroutine that produces values of type T, readable as an {@code Iterable}. */
    public static final class Generator<T> implements Iterable<T>, Iterator<T> {
        private final Coroutine coroutine;
        private T value;
        private boolean ready;

        public Generator(Producer<T> producer) {
            coroutine = new Coroutine("generator", () -> producer.produce(this));
        }

        /** Called by the producer, at any depth of @Suspendable calls: hands out a value and suspends. */
        @Suspendable
        public void emit(T v) {
            value = v;
            Coroutine.yield();
        }

        @Override
        public boolean hasNext() {
            if (!ready && !coroutine.isDone()) ready = coroutine.resume();
            return ready;
        }

        @Override
        public T next() {
            if (!hasNext()) throw new NoSuchElementException();
            ready = false;
            T v = value;
            value = null;
            return v;
        }

        @Override
        public Iterator<T> iterator() {
            return this;
        }
    }

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

    /** A small unbalanced tree: values 1..7, emitted from depths 0 to 3. */
    public static final Node SAMPLE_TREE = new Node(
            new Node(Node.leaf(1), 2, new Node(Node.leaf(3), 4, null)),
            5,
            new Node(null, 6, Node.leaf(7)));

    /** Recursive in-order walk: the emit happens deep inside the recursion, yet each value comes out at once. */
    @Suspendable
    static void walk(Node node, Generator<Integer> out) {
        if (node == null) return;
        walk(node.left(), out);
        out.emit(node.value());
        walk(node.right(), out);
    }

    /** The values of {@code tree} in order, consumed with a for-each loop over a generator. */
    public static String inOrder(Node tree) {
        StringBuilder sb = new StringBuilder();
        for (int v : new Generator<Integer>(out -> walk(tree, out))) {
            sb.append(sb.length() == 0 ? "" : " ").append(v);
        }
        return sb.toString();
    }
}
