package dev.spindle;

import dev.spindle.internal.Continuation;
import dev.spindle.internal.Hooks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A generator: a body that yields values one at a time, suspended in between, read as an {@link Iterator}, an
 * {@link Iterable} or a {@link Stream}. Python's generators and Kotlin's {@code sequence {}}, with the body
 * suspended by Spindle wherever it is, at any depth of {@link Suspendable} calls.
 *
 * <pre>{@code
 * Generator<Integer> fib = Generator.of(g -> {
 *     int a = 0, b = 1;
 *     for (;;) {
 *         g.yield(a);                      // hands a to the consumer, waits for the next request
 *         int next = a + b;
 *         a = b;
 *         b = next;
 *     }
 * });
 * fib.stream().limit(10).forEach(System.out::println);   // 0 1 1 2 3 5 8 13 21 34
 * }</pre>
 *
 * <p>The body ({@link GeneratorBody}) gets a {@link GeneratorScope} {@code g}: {@code g.yield(v)} hands out a
 * value, {@code g.yieldAll(iterable)} several ({@code yield from}). Nothing runs until the first
 * {@code hasNext()}, {@code next()} or {@code send(null)}; each of them runs the body up to its next yield.
 * Methods the body calls may yield too, if they are {@code @Suspendable} and get {@code g}:
 *
 * <pre>{@code
 * @Suspendable
 * static void lines(Path file, GeneratorScope<String> g) {
 *     try (BufferedReader r = Files.newBufferedReader(file)) {     // closed when the generator is
 *         for (String line; (line = r.readLine()) != null; ) g.yield(line);
 *     } catch (IOException e) {
 *         throw new UncheckedIOException(e);                       // a body declares no checked exceptions
 *     }
 * }
 *
 * try (Generator<String> gen = Generator.of(g -> lines(path, g))) {
 *     for (String line : gen) {
 *         if (line.isEmpty()) break;        // close() then runs the try-with-resources above
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Sending values.</b> {@link #send(Object)} resumes the body and makes its pending {@code g.yield(..)}
 *       return the value sent (Python's {@code generator.send}); {@code next()} makes it return null.</li>
 *   <li><b>Closing.</b> {@link #close()} of a suspended generator throws a private exit (an {@link Error},
 *       like Python's {@code GeneratorExit}, so {@code catch (Exception e)} does not stop it) at its pending
 *       yield, so its {@code finally} blocks and try-with-resources run. It is {@link AutoCloseable}, and
 *       closing its {@link #stream()} closes it.</li>
 *   <li><b>Exceptions.</b> An exception that escapes the body comes out of the consumer's call that ran it
 *       ({@code next()}, {@code hasNext()} or {@code send()}) as the same object, with the body's suspended
 *       callers in its stack trace; the generator has then ended.</li>
 * </ul>
 *
 * <p>Where Java differs from Python and Kotlin:
 * <ul>
 *   <li>Java's {@code yield} belongs to switch expressions, so the body gets {@code g} (Kotlin's receiver), and
 *       a helper method yields by getting {@code g} as an argument. In exchange, it needs no {@code yield from}
 *       at each level as a Python helper generator would: a call many frames deep yields straight to the
 *       consumer.</li>
 *   <li>Java's {@code Iterator} asks {@code hasNext()} before {@code next()}, and only running the body tells;
 *       so {@code hasNext()} runs it up to its next yield and keeps the value for {@code next()}. A for-each
 *       loop therefore sees a body's exception at its {@code hasNext()}.</li>
 *   <li>The end is {@code hasNext() == false}, and {@code next()} or {@code send()} after it throws
 *       {@link NoSuchElementException} (Python's {@code StopIteration}); bodies return no value.</li>
 *   <li>A generator is iterable once, as in Python: {@link #iterator()} returns the generator itself. For a
 *       Kotlin-like sequence that starts over at each iteration, use an {@code Iterable} lambda:
 *       {@code Iterable<T> seq = () -> Generator.of(body);}</li>
 *   <li>Python closes a generator when it is garbage-collected; the JVM does not, so a generator dropped while
 *       suspended is collected without running its {@code finally} blocks. Close what holds resources
 *       (try-with-resources on the generator or on its stream).</li>
 *   <li>Python's {@code generator.throw(e)} has no counterpart: {@link #close()} is the one exception a
 *       consumer can raise in the body.</li>
 *   <li>Not thread-safe: like a {@link Coroutine}, it may be advanced by different threads one after the
 *       other, not at once.</li>
 * </ul>
 *
 * @param <T> the type of the values yielded
 */
public final class Generator<T> implements Iterator<T>, Iterable<T>, AutoCloseable {
    private final Coroutine coroutine;
    private final GeneratorScope<T> scope = new GeneratorScope<>(this);
    private final String name;
    /** The value of the latest yield, until the consumer takes it. */
    private T value;
    /** The value of the yield the body is suspending in, until its suspension has happened. */
    private T offered;
    /** {@link #publish}, made once: a yield allocates nothing. */
    private final Runnable publish = this::publish;
    /** The body has yielded a value that the consumer has not taken yet. */
    private boolean ready;
    /** What the pending yield returns when the body resumes. */
    private Object sent;
    /**
     * The generator the body delegates to with {@code yieldAll}: while it is set, the body stays suspended in
     * {@code yieldAll} and {@link #advance} runs the delegate instead, resuming the body only when the delegate
     * ends. So a chain of delegations costs each value one resume (of the innermost body) and a call per level,
     * not a resume and a yield per level; and the frames of a chain 10,000 deep do not pile up on the stack.
     */
    private Generator<? extends T> delegate;
    /** While {@link #advance} runs this generator as a delegate: the one whose {@code yieldAll} it serves. */
    private Generator<?> delegator;

    private Generator(String name, GeneratorBody<T> body) {
        Objects.requireNonNull(body, "body");
        this.name = name;
        this.coroutine = new Coroutine(name, () -> body.run(scope));
    }

    /** A generator that runs {@code body} when first asked for a value. */
    public static <T> Generator<T> of(GeneratorBody<T> body) {
        return new Generator<>(null, body);
    }

    /** A named generator: the name appears in {@link #toString()} and in error messages. */
    public static <T> Generator<T> of(String name, GeneratorBody<T> body) {
        return new Generator<>(name, body);
    }

    /**
     * True if the body yielded another value: runs it up to its next yield unless a value is already waiting.
     *
     * @throws IllegalStateException if called from inside this generator's body
     * @throws RuntimeException      (or Error) whatever escaped the body; the generator has then ended
     */
    @Override
    public boolean hasNext() {
        return hasNext("hasNext");
    }

    private boolean hasNext(String call) {
        return ready || (coroutine.state() != Coroutine.State.DONE && advance(null, call));
    }

    /**
     * The next value: runs the body up to its next yield (unless {@link #hasNext()} already did) and returns
     * the value yielded. The pending {@code g.yield(..)} returns null when the body resumes.
     *
     * @throws NoSuchElementException if the body has ended (or the generator was closed)
     * @throws IllegalStateException  if called from inside this generator's body
     * @throws RuntimeException       (or Error) whatever escaped the body; the generator has then ended
     */
    @Override
    public T next() {
        if (!hasNext("next")) throw new NoSuchElementException(this + " has no more values");
        return take();
    }

    /**
     * Resumes the body, making its pending {@code g.yield(..)} return {@code value}, and returns the next value
     * it yields: Python's {@code generator.send}. {@code send(null)} is {@code next()}; a generator that has not
     * started can only be sent null (it has no pending yield to receive anything else).
     *
     * <pre>{@code
     * Generator<String> echo = Generator.of(g -> {
     *     String heard = g.yield("ready");
     *     while (heard != null) heard = g.yield("heard " + heard);
     * });
     * echo.next();             // "ready"
     * echo.send("hello");      // "heard hello"
     * }</pre>
     *
     * @throws IllegalStateException  if the generator has not started and {@code value} is not null (Python's
     *                                {@code TypeError}); if {@code hasNext()} ran the body to a yield whose value
     *                                {@code next()} has not taken (that yield would get {@code value} and its
     *                                own value would be lost); if called from inside this generator's body
     * @throws NoSuchElementException if the body ended (or had ended) without yielding another value
     * @throws RuntimeException       (or Error) whatever escaped the body; the generator has then ended
     */
    public T send(Object value) {
        if (ready) {
            throw new IllegalStateException("cannot send to " + this + ": hasNext() already ran it to its next"
                    + " yield, whose value next() has not taken; call next() first");
        }
        Coroutine.State state = coroutine.state();
        if (state == Coroutine.State.NEW && value != null) {
            throw new IllegalStateException("cannot send a non-null value to " + this + ", which has not"
                    + " started: no yield is waiting to receive it; start it with next() or send(null)");
        }
        if (state == Coroutine.State.DONE) throw new NoSuchElementException(this + " has no more values");
        if (!advance(value, "send")) throw new NoSuchElementException(this + " ended without yielding another value");
        return take();
    }

    /**
     * Ends the generator. If it is suspended, its pending yield throws an exit so that its {@code finally}
     * blocks and try-with-resources run (also those of a generator it delegates to with {@code yieldAll});
     * if it has not started, its body never runs; if it has ended, this does nothing. Afterwards
     * {@code hasNext()} is false. A value that {@code hasNext()} fetched and {@code next()} did not take is
     * dropped.
     *
     * @throws IllegalStateException if the body catches the exit and yields again (Python's "generator ignored
     *                               GeneratorExit"; it is then still suspended there), or if called from
     *                               inside this generator's body
     * @throws RuntimeException      (or Error) whatever else the body throws while unwinding, such as the
     *                               exception of a try-with-resources resource whose {@code close()} fails
     *                               (the first, with any others suppressed by it)
     */
    @Override
    public void close() {
        if (coroutine.state() == Coroutine.State.DONE) return;
        // innermost first, and without a recursion down the chain of delegates (see advance): a body suspended in
        // yieldAll closes its delegate as it unwinds, which is closed by then
        List<Generator<?>> chain = new ArrayList<>();
        for (Generator<?> g = this; g != null && g.coroutine.state() != Coroutine.State.DONE; g = g.delegate) {
            g.checkNotRunning("close");
            chain.add(g);
        }
        Throwable failed = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            try {
                chain.get(i).end(failed);
                failed = null;
            } catch (Throwable t) {
                failed = t;
            }
        }
        if (failed != null) throw Greenlet.sneaky(failed);
    }

    /**
     * Unwinds the body: throws an exit at its pending yield, or {@code failed}, which closing its delegate threw
     * (as its {@code yieldAll} would have thrown it).
     */
    private void end(Throwable failed) {
        delegate = null;
        ready = false;
        value = null;
        try {
            boolean suspended = coroutine.resumeThrowing(failed != null ? failed : new GeneratorExit());
            // a yieldAll in a finally block: its delegate runs, as in Python, and only a value it yields is refused
            if (suspended && !ready && delegate != null) suspended = advance(null, "close");
            if (suspended) {
                ready = false;
                value = null;
                throw new IllegalStateException(this + " ignored close(): its body caught the exit and yielded"
                        + " again. Let the exit propagate and clean up in finally blocks");
            }
        } catch (GeneratorExit exit) {
            // the body unwound: closed, unless a resource failed to close on the way
            Throwable[] suppressed = exit.getSuppressed();
            if (suppressed.length > 0) {
                for (int i = 1; i < suppressed.length; i++) suppressed[0].addSuppressed(suppressed[i]);
                throw Greenlet.sneaky(suppressed[0]);
            }
        }
    }

    /** This generator: it is its own iterator, so it can be iterated once (see the class comment). */
    @Override
    public Iterator<T> iterator() {
        return this;
    }

    /**
     * The remaining values as a sequential, ordered stream, pulled from the body as the stream needs them.
     * Closing the stream closes the generator; a short-circuiting stream ({@code limit}, {@code findFirst})
     * leaves it suspended otherwise.
     *
     * <pre>{@code
     * try (Stream<Integer> s = Generator.<Integer>of(g -> walk(tree, g)).stream()) {
     *     s.filter(v -> v % 2 == 0).map(v -> v * v).forEach(System.out::println);
     * }
     * }</pre>
     */
    public Stream<T> stream() {
        Spliterator<T> split = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED) {
            @Override
            public boolean tryAdvance(Consumer<? super T> action) {
                if (!hasNext()) return false;
                action.accept(take());
                return true;
            }
        };
        return StreamSupport.stream(split, false).onClose(this::close);
    }

    /**
     * Where the generator is: {@code NEW} (not started), {@code RUNNING} (also while a generator it yields from
     * runs, as Python's {@code gi_running}), {@code SUSPENDED} at a yield, or {@code DONE} (ended, failed or
     * closed).
     */
    public Coroutine.State state() {
        Coroutine.State s = coroutine.state();
        if (s == Coroutine.State.SUSPENDED) {
            for (Generator<?> g = delegate; g != null; g = g.delegate) {
                if (g.coroutine.state() == Coroutine.State.RUNNING) return Coroutine.State.RUNNING;
            }
        }
        return s;
    }

    /** The name given to {@link #of(String, GeneratorBody)}, or null. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Generator[" + (name != null ? name : Integer.toHexString(System.identityHashCode(this))) + ", "
                + state() + "]";
    }

    // ---- between the consumer and the body ----

    /**
     * Runs the body (or the generator it delegates to) to its next yield, making the pending yield return
     * {@code toSend}; true if a value is now ready. A value already ready counts without running anything.
     *
     * <p>A loop rather than a recursion down the chain of delegates, so that a chain thousands deep takes no
     * stack: it goes down to the innermost delegate, runs it, and when a delegate ends (or throws) goes up to
     * the generator that delegated to it, whose {@code yieldAll} then returns (or throws).
     */
    @SuppressWarnings("unchecked")
    boolean advance(Object toSend, String call) {
        if (ready) return true;
        // the caller's mistake (a body advancing a generator that is running it) is the caller's to get
        for (Generator<?> g = delegate; g != null; g = g.delegate) g.checkNotRunning(call);
        Generator<?> g = this;
        Object send = toSend;
        Throwable thrown = null;
        for (;;) {
            if (g != this && g.ready && send != null) {
                throw new IllegalStateException("cannot send to " + this + ": " + g + ", which it delegates to,"
                        + " has a value ready that next() has not taken (its hasNext() was called); call next() first");
            }
            boolean more;
            try {
                if (g.ready) {
                    more = true;
                } else if (g.coroutine.state() == Coroutine.State.DONE) {
                    more = false;
                } else {
                    g.checkNotRunning(call);
                    Generator<?> d = g.delegate;
                    if (d != null) { // suspended in yieldAll: its delegate runs
                        d.delegator = g;
                        g = d;
                        continue;
                    }
                    more = g.resume(send, thrown);
                    send = null;
                    thrown = null;
                    if (more && !g.ready) continue; // suspended in a new yieldAll: run its delegate
                }
            } catch (Throwable failed) {
                if (g == this) throw failed;
                more = false;
                thrown = failed; // the delegate's body threw: the yieldAll of the one above throws it
            }
            if (more) {
                if (g != this) offer((T) g.take());
                return true;
            }
            if (g == this) return false;
            Generator<?> up = g.delegator;
            g.delegator = null;
            up.delegate = null; // its yieldAll returns (or throws): its body goes on
            if (thrown != null) up.addDelegatingFrames(thrown);
            g = up;
            send = null;
        }
    }

    /**
     * {@code t} came out of the generator this one delegates to, which ran on the consumer's stack, not inside
     * this body's {@code yieldAll}: its trace gets this body's suspended frames where that delegate's driver
     * begins, so that it shows the chain of delegations as it would have been called (as Python's traceback of
     * a {@code yield from} does).
     */
    private void addDelegatingFrames(Throwable t) {
        StackTraceElement[] mine = coroutine.stackTrace();
        StackTraceElement[] trace = t.getStackTrace();
        int at = 0;
        while (at < trace.length && !isDriverEntry(trace[at])) at++;
        if (mine.length == 0 || at == trace.length || at >= mine.length
                && Arrays.equals(trace, at - mine.length, at, mine, 0, mine.length)) {
            return; // nothing to add, or added already (an exception thrown again, kept by the delegate)
        }
        StackTraceElement[] patched = new StackTraceElement[trace.length + mine.length];
        System.arraycopy(trace, 0, patched, 0, at);
        System.arraycopy(mine, 0, patched, at, mine.length);
        System.arraycopy(trace, at, patched, at + mine.length, trace.length - at);
        t.setStackTrace(patched);
    }

    /** The frame below a coroutine's frames (and the driver's, which its saved callers replace in a trace). */
    private static boolean isDriverEntry(StackTraceElement e) {
        return e.getMethodName().equals("claimAndDrive") && e.getClassName().equals(Continuation.class.getName());
    }

    /**
     * Resumes the body, making its pending yield return {@code toSend} or throw {@code thrown}; true if it
     * suspended with a value ready or delegating, false if it ended.
     */
    private boolean resume(Object toSend, Throwable thrown) {
        sent = toSend;
        boolean suspended = false;
        try {
            suspended = thrown == null ? coroutine.resume() : coroutine.resumeThrowing(thrown);
            while (suspended && !ready && delegate == null) {
                // suspended by a bare Coroutine.yield(): raise the mistake where it was made
                suspended = coroutine.resumeThrowing(new IllegalStateException("the body of " + this
                        + " suspended with Coroutine.yield(), which hands the consumer no value: yield values with"
                        + " the GeneratorScope the body was given (g.yield(value))"));
            }
        } finally {
            if (!suspended) { // ended
                ready = false;
                value = null;
                offered = null;
                sent = null;
            }
        }
        return suspended;
    }

    /** Takes the ready value. */
    T take() {
        ready = false;
        T v = value;
        value = null;
        return v;
    }

    /** A delegate's value, made this generator's. */
    void offer(T v) {
        value = v;
        ready = true;
    }

    /**
     * Called by the body's yield before it suspends: {@code v} becomes the ready value only once the suspension
     * has happened, so that a refused yield that the body catches hands the consumer nothing later.
     */
    void offerWhenSuspended(T v) {
        offered = v;
        Hooks.whenSuspended(publish);
    }

    private void publish() {
        offer(offered);
        offered = null;
    }

    /**
     * Called by the body's {@code yieldAll(sub)} before it suspends.
     *
     * @throws IllegalStateException if {@code sub} is this generator or delegates to it, directly or through others
     */
    void checkDelegation(Generator<? extends T> sub) {
        for (Generator<?> g = sub; g != null; g = g.delegate) {
            if (g == this) {
                throw new IllegalStateException(this + " cannot yield from " + sub + (sub == this ? ""
                        : ", which delegates to it") + ": a generator cannot yield from itself");
            }
        }
    }

    /** Once the body has suspended in {@code yieldAll(sub)}: from then on {@link #advance} runs {@code sub}. */
    void delegateTo(Generator<? extends T> sub) {
        delegate = sub;
    }

    /** Called by the body's yield once resumed. */
    Object takeSent() {
        Object s = sent;
        sent = null;
        return s;
    }

    void checkInBody(String method) {
        if (Coroutine.current() != coroutine) {
            throw new IllegalStateException("GeneratorScope." + method + "() of " + this + " was called outside"
                    + " its body: yield only from the body the scope was given to (or @Suspendable methods it"
                    + " calls), not from the consumer, another generator or a coroutine the body started");
        }
    }

    /** Refuses {@code call} on a generator that is running (its own body's call, or another thread's). */
    private void checkNotRunning(String call) {
        if (coroutine.state() == Coroutine.State.RUNNING) {
            throw new IllegalStateException("cannot call " + call + "() on " + this + ": it is already running,"
                    + " and a generator cannot iterate, send to or close itself from inside its body (nor be used by"
                    + " two threads at once)");
        }
    }
}
