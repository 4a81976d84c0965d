package dev.spindle;

/**
 * The code of a {@link Generator}: produces values through the {@link GeneratorScope} it is given.
 *
 * <pre>{@code
 * GeneratorBody<String> body = g -> {
 *     g.yield("a");
 *     g.yield("b");
 * };
 * for (String s : Generator.of(body)) System.out.println(s);
 * }</pre>
 *
 * <p>Being {@link Suspendable}, every lambda or method reference of this interface may suspend, and so may the
 * {@code @Suspendable} methods it calls: pass {@code g} down to yield from any depth.
 *
 * @param <T> the type of the values yielded
 */
@FunctionalInterface
public interface GeneratorBody<T> {
    /** Runs the generator's code; each {@link GeneratorScope#yield(Object)} hands one value to the consumer. */
    @Suspendable
    void run(GeneratorScope<T> g);
}
