package dev.spindle;

import dev.spindle.internal.Hooks;
import java.util.Iterator;
import java.util.Objects;

/**
 * The producer's side of a {@link Generator}: what its {@link GeneratorBody} yields values through. One scope
 * belongs to one generator and works only inside that generator's body (at any depth of {@link Suspendable}
 * calls), like the receiver of Kotlin's {@code sequence { yield(x) }}.
 *
 * <pre>{@code
 * @Suspendable
 * static void walk(Node n, GeneratorScope<Integer> g) {   // recursion: yields from any depth
 *     if (n == null) return;
 *     walk(n.left, g);
 *     g.yield(n.value);
 *     walk(n.right, g);
 * }
 *
 * Generator<Integer> inOrder = Generator.of(g -> walk(tree, g));
 * }</pre>
 *
 * @param <T> the type of the values yielded
 */
public final class GeneratorScope<T> {
    private final Generator<T> generator;

    GeneratorScope(Generator<T> generator) {
        this.generator = generator;
    }

    /**
     * Hands {@code value} to the consumer and suspends the generator until it asks for the next value: Python's
     * {@code x = yield value}. Returns what the consumer passed to {@link Generator#send(Object)}, or null when it
     * called {@link Generator#next()} (or {@code hasNext()}).
     *
     * <pre>{@code
     * Generator<Integer> runningTotal = Generator.of(g -> {
     *     int total = 0;
     *     for (;;) {
     *         Integer n = g.yield(total);   // the consumer's send(n)
     *         if (n != null) total += n;
     *     }
     * });
     * runningTotal.next();                // 0: runs the body to its first yield
     * runningTotal.send(5);               // 5
     * runningTotal.send(10);              // 15
     * }</pre>
     *
     * <p>Where Java differs: Python's sent value is untyped. Here its type is the one the result is assigned to
     * ({@code S}, inferred by the compiler), and it is checked there: a consumer that sends a value of another
     * type makes this assignment throw {@link ClassCastException}. Used as a statement, {@code g.yield(v);}
     * ignores it.
     *
     * @throws IllegalStateException if called outside this generator's body (from the consumer, from another
     *                               generator's body, or from a coroutine the body started)
     */
    @Suspendable
    @SuppressWarnings("unchecked")
    public <S> S yield(T value) {
        Generator<T> gen = generator;
        gen.checkInBody("yield");
        gen.offerWhenSuspended(value);
        Coroutine.yield();
        return (S) gen.takeSent();
    }

    /**
     * Yields every value of {@code values}, in order: Python's {@code yield from}, Kotlin's {@code yieldAll}.
     * When {@code values} is a {@link Generator}, or its iterator is one (an {@code Iterable} written
     * {@code () -> Generator.of(body)}), this is {@link #yieldAll(Generator)}.
     *
     * <pre>{@code
     * Generator<String> g = Generator.of(s -> {
     *     s.yield("header");
     *     s.yieldAll(List.of("a", "b", "c"));
     * });
     * }</pre>
     *
     * <p>Any other iterator runs as plain code (it is not suspended), so it may be any Java collection's. It
     * cannot take values: one {@link Generator#send sent} meanwhile (other than null) is thrown back at this call
     * as an {@code IllegalArgumentException}, as Python raises an {@code AttributeError} when a value is sent
     * through {@code yield from} to an iterator, rather than lost. Closing this generator while it yields from
     * an iterator that is {@link AutoCloseable} closes that iterator, as {@code yield from} calls an iterator's
     * {@code close()}.
     */
    @Suspendable
    @SuppressWarnings("unchecked")
    public void yieldAll(Iterable<? extends T> values) {
        Objects.requireNonNull(values, "values");
        if (values instanceof Generator) {
            yieldAll((Generator<? extends T>) values);
            return;
        }
        generator.checkInBody("yieldAll");
        Iterator<? extends T> it = values.iterator();
        if (it instanceof Generator) { // an Iterable whose iterator is a generator: `() -> Generator.of(body)`
            yieldAll((Generator<? extends T>) it);
            return;
        }
        try {
            yieldAllOf(values, it);
        } catch (GeneratorExit exit) {
            if (it instanceof AutoCloseable closeable) { // as yield from closes an iterator that has close()
                try {
                    closeable.close();
                } catch (Exception e) {
                    exit.addSuppressed(e);
                }
            }
            throw exit;
        }
    }

    @Suspendable
    private void yieldAllOf(Iterable<? extends T> values, Iterator<? extends T> it) {
        while (it.hasNext()) {
            Object sent = this.yield(it.next());
            if (sent != null) {
                throw new IllegalArgumentException("value " + sent + " was sent to " + generator + " while it"
                        + " yields the values of " + values.getClass().getName() + " with yieldAll, which cannot"
                        + " take it: send values to a generator only where it yields them itself, or yieldAll a"
                        + " Generator (it passes them on)");
            }
        }
    }

    /**
     * Delegates to another generator until it ends, as Python's {@code yield from} does: each of its values is
     * yielded from here, each value sent to this generator is sent on to it, and closing this generator while
     * it delegates closes {@code sub} first (its {@code finally} blocks run, then this body's). An exception
     * thrown by {@code sub}'s body comes out of this call. If the consumer already took some values of
     * {@code sub}, the rest are yielded.
     *
     * <pre>{@code
     * Generator<Integer> both = Generator.of(g -> {
     *     g.yieldAll(Generator.of(a -> walk(left, a)));
     *     g.yieldAll(Generator.of(b -> walk(right, b)));
     * });
     * }</pre>
     *
     * <p>Where Java differs: Python's {@code yield from} also evaluates to the sub-generator's return value;
     * generator bodies here return nothing, so this returns nothing.
     *
     * <p>The consumer's {@code next()} runs {@code sub} directly while this body stays suspended here, so a
     * chain of generators each delegating to the next costs each value one resume whatever its length, and a
     * recursion of delegations thousands deep (a tree walked by one generator per node) needs no more stack than
     * a call per level.
     *
     * @throws IllegalStateException if {@code sub} is this generator, delegates to it, or is running
     */
    @Suspendable
    public void yieldAll(Generator<? extends T> sub) {
        Objects.requireNonNull(sub, "sub");
        generator.checkInBody("yieldAll");
        generator.checkDelegation(sub);
        Hooks.whenSuspended(() -> generator.delegateTo(sub)); // not if the suspension is refused
        try {
            Coroutine.yield(); // the consumer's next() runs sub until it ends (or throws, which comes out here)
        } catch (GeneratorExit e) {
            sub.close(); // closed already when this generator's close() threw the exit: innermost first
            throw e;
        }
    }

    @Override
    public String toString() {
        return "GeneratorScope[" + generator + "]";
    }
}
