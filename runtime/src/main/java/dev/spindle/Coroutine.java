package dev.spindle;

import dev.spindle.internal.Continuation;
import dev.spindle.internal.Hooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A computation that can suspend itself at any depth of {@link Suspendable} calls and be resumed later, on the
 * same thread or another one.
 *
 * <pre>{@code
 * Coroutine c = new Coroutine(() -> {
 *     for (int i = 0; i < 3; i++) {
 *         System.out.println("step " + i);
 *         Coroutine.yield();          // may also be called many @Suspendable calls deep
 *     }
 * });
 * while (c.resume()) {
 *     System.out.println("suspended");
 * }
 * }</pre>
 *
 * <p>A coroutine is not thread-safe: it may be resumed by different threads one after the other (with the
 * usual happens-before between them), but not by two at once. A suspended coroutine that nobody references is
 * garbage-collected like any object; once started, it no longer holds its body either, so what the body captured
 * stays reachable only while its suspended frames still use it, as locals in a thread's stack. Requires the
 * Spindle agent ({@code -javaagent:spindle-agent.jar}, or {@link Spindle#install()}).
 */
public final class Coroutine extends Continuation {
    /** The life of a coroutine. */
    public enum State {
        /** Created, not resumed yet. */
        NEW,
        /** Running on some thread now. */
        RUNNING,
        /** Stopped in {@link #yield()}; {@link #resume()} goes on from there. */
        SUSPENDED,
        /** Its body returned or threw. */
        DONE
    }

    private static final State[] STATES = State.values();

    /**
     * Until the first resume the body, or a {@link Named} with the body and the name; from then on the name or
     * null. The body is let go once started: its running frames keep what they still use, and the body object (a
     * lambda with what it captured) would otherwise stay reachable for the coroutine's whole life, which at
     * 10,000 idle connections is 24 bytes each for a bound handler. One field for both, because a field more
     * makes every coroutine 8 bytes larger, and a server holds many; names are for the few worth naming.
     */
    private Object bodyOrName;

    private record Named(String name, SuspendableRunnable body) {
    }

    /** A coroutine that will run {@code body} when first resumed. */
    public Coroutine(SuspendableRunnable body) {
        this(null, body);
    }

    /** A named coroutine; the name appears in {@link #toString()} and error messages. */
    public Coroutine(String name, SuspendableRunnable body) {
        Spindle.requireAgent();
        Objects.requireNonNull(body, "body");
        this.bodyOrName = name == null ? body : new Named(name, body);
    }

    /**
     * Runs the body from where it last suspended (or from its start) until it suspends again or ends.
     *
     * @return true if it suspended, false if the body ended
     * @throws IllegalStateException if the coroutine is done, is this thread's running coroutine, or is running
     *                               on another thread
     * @throws RuntimeException      (or Error) whatever escaped the body; the coroutine is then done
     */
    public boolean resume() {
        return resumeBody();
    }

    /**
     * Resumes the coroutine by making the {@code yield()} it is suspended in throw {@code exception}, so its
     * handlers and {@code finally} blocks run (what Python's {@code generator.throw} does). A coroutine that has
     * not started yet does not start: it is done at once and {@code exception} is thrown from here.
     *
     * @return true if it suspended again, false if the body ended
     * @throws IllegalStateException as {@link #resume()}
     */
    public boolean resumeThrowing(Throwable exception) {
        return resumeBody(Objects.requireNonNull(exception, "exception"));
    }

    /**
     * Suspends the coroutine running on this thread: its {@link #resume()} returns true, and the next
     * {@code resume()} continues after this call. Every method between the coroutine's body and this call must
     * be {@link Suspendable}.
     *
     * @throws IllegalStateException if no coroutine runs on this thread, or the caller is not instrumented
     */
    @Suspendable
    public static void yield() {
        // The agent redirects every instrumented call of yield() to its own entry point, so reaching this body
        // means the caller was not instrumented (or there is no agent at all).
        Spindle.requireAgent();
        if (current() == null) {
            throw new IllegalStateException("Coroutine.yield() called outside a coroutine: call it (directly or"
                    + " through @Suspendable methods) from the body of a Coroutine that is being resumed");
        }
        // hidden frames too: a reflective call or a method handle is the caller then, not the code that made it
        List<StackWalker.StackFrame> frames = StackWalker.getInstance(Set.of(StackWalker.Option.SHOW_HIDDEN_FRAMES,
                StackWalker.Option.RETAIN_CLASS_REFERENCE)).walk(s -> s.skip(1).limit(64).toList());
        List<String> callers = frames.stream().map(f -> f.getClassName() + "." + f.getMethodName()).toList();
        String caller = callers.isEmpty() ? "an unknown method" : callers.get(0);
        if (Hooks.isJdk(caller)) {
            String from = callers.stream().filter(c -> !Hooks.isJdk(c)).findFirst().orElse("an unknown method");
            throw new IllegalStateException("Coroutine.yield() was called from " + from + " through " + caller
                    + " (reflection, a method handle or another JDK method), which cannot suspend: call"
                    + " Coroutine.yield() directly, in " + from + " or a @Suspendable method it calls");
        }
        if (caller.endsWith(".<init>") || caller.endsWith(".<clinit>")) {
            throw new IllegalStateException("Coroutine.yield() was called from " + caller + ". "
                    + Hooks.makeSuspendable(caller));
        }
        if (!frames.isEmpty() && markedSuspendable(frames.get(0))) {
            String type = frames.get(0).getClassName();
            throw new IllegalStateException("Coroutine.yield() was called from " + caller + ", which is @Suspendable"
                    + " but was not instrumented: its class was loaded before the Spindle agent was installed, or"
                    + " the agent could not rewrite it (see its warning from when " + type + " was loaded). Call"
                    + " Spindle.install() before " + type + " is loaded, or start the JVM with"
                    + " -javaagent:spindle-agent.jar");
        }
        throw new IllegalStateException("Coroutine.yield() was called from " + caller + ", which the Spindle"
                + " agent did not instrument: mark it @Suspendable (and make sure its class is loaded after the"
                + " agent is installed, or start the JVM with -javaagent:spindle-agent.jar)");
    }

    /** Whether the method of {@code frame}, or one it overrides, carries {@link Suspendable}. */
    private static boolean markedSuspendable(StackWalker.StackFrame frame) {
        Class<?>[] parameters = frame.getMethodType().parameterArray();
        List<Class<?>> types = new ArrayList<>(List.of(frame.getDeclaringClass()));
        for (int i = 0; i < types.size(); i++) { // the class, then its supertypes, breadth first
            Class<?> t = types.get(i);
            try {
                if (t.getDeclaredMethod(frame.getMethodName(), parameters).isAnnotationPresent(Suspendable.class)) {
                    return true;
                }
            } catch (NoSuchMethodException notDeclaredHere) {
                // look further up
            }
            if (t.getSuperclass() != null) types.add(t.getSuperclass());
            types.addAll(List.of(t.getInterfaces()));
        }
        return false;
    }

    /** The coroutine running on this thread, or null. */
    public static Coroutine current() {
        return (Coroutine) Spindle.running();
    }

    /** Where the coroutine is in its life. */
    public State state() {
        return STATES[status()];
    }

    /** True once the body has returned or thrown. */
    public boolean isDone() {
        return status() == 3;
    }

    /** The name given at construction, or null. */
    public String name() {
        Object o = bodyOrName;
        return o instanceof String name ? name : o instanceof Named named ? named.name : null;
    }

    /**
     * The logical call stack of a suspended coroutine, innermost frame first: each element names a method and
     * the line of the call it is suspended in. Empty unless the coroutine is {@link State#SUSPENDED}. Any thread
     * may ask (a monitor, say): the frames are read as they are at one suspension, and a resume from another
     * thread meanwhile waits until they have been read (the time it takes to describe them).
     */
    public StackTraceElement[] stackTrace() {
        return state() == State.SUSPENDED ? suspendedFrames() : new StackTraceElement[0];
    }

    @Override
    protected void body() {
        Object o = bodyOrName;
        SuspendableRunnable b;
        if (o instanceof Named named) {
            bodyOrName = named.name;
            b = named.body;
        } else {
            bodyOrName = null;
            b = (SuspendableRunnable) o;
        }
        b.run();
    }

    @Override
    protected String describe() {
        // no state: a message says which one it acted on, and the state read again now may already be another's
        return "Coroutine[" + id() + "]";
    }

    private String id() {
        String name = name();
        return name != null ? name : Integer.toHexString(System.identityHashCode(this));
    }

    @Override
    public String toString() {
        return "Coroutine[" + id() + ", " + state() + "]";
    }
}
