package dev.spindle;

import java.util.Objects;

/**
 * A greenlet: a coroutine that transfers control to any other greenlet by name, not only back to whoever
 * resumed it. Python's {@code greenlet}, on Spindle: the switch may happen at any depth of {@link Suspendable}
 * calls.
 *
 * <pre>{@code
 * Greenlet[] pong = new Greenlet[1];
 * Greenlet ping = new Greenlet("ping", ball -> {
 *     for (int i = 0; i < 3; i++) {
 *         System.out.println("ping " + ball);
 *         ball = pong[0].switchTo((Integer) ball + 1);     // resumes pong; returns what pong sends back
 *     }
 *     return "done";                                        // goes to the parent: main
 * });
 * pong[0] = new Greenlet("pong", ball -> {
 *     for (;;) {
 *         System.out.println("pong " + ball);
 *         ball = ping.switchTo((Integer) ball + 1);
 *     }
 * });
 * String result = ping.switchTo(0);     // ping 0, pong 1, ping 2, pong 3, ping 4, pong 5; then "done"
 * }</pre>
 *
 * <h2>The rules (those of Python's greenlet)</h2>
 * <ul>
 *   <li>Each thread has a <b>main greenlet</b>, its ordinary code: {@link #current()} outside any greenlet,
 *       {@link #mainGreenlet()}. It never dies.</li>
 *   <li>A greenlet has a body ({@link GreenletBody}) and a <b>parent</b>: by default the greenlet that was
 *       current when it was created. Parents form a tree rooted at the main greenlet;
 *       {@link #setParent(Greenlet)} refuses cycles.</li>
 *   <li>{@link #switchTo(Object)} suspends the current greenlet and transfers control and a value to the
 *       target. The first switch to a greenlet starts its body with that value; later ones make the target's
 *       own pending {@code switchTo} return it. The caller's {@code switchTo} returns when some greenlet
 *       switches back to it, with the value that one passed.</li>
 *   <li>When a body returns, its greenlet is dead and the value goes to its parent's pending switch (or
 *       starts the parent, if it never ran). An uncaught exception is raised in the parent instead. Switching
 *       to a dead greenlet switches to its parent (or grandparent, and so on: the first live one).</li>
 *   <li>{@link #throwInto(Throwable)} switches to the target and raises the exception there; {@link #kill()}
 *       raises a {@link GreenletExit}, which, uncaught, ends the greenlet and reaches the parent as a value.
 *       Thrown into a greenlet not started, an exception kills it without running its body.</li>
 *   <li>A greenlet belongs to the thread that created it; switching to it from another thread is an
 *       {@link IllegalStateException}.</li>
 *   <li>{@link #setTrace(GreenletTrace)} installs a per-thread hook that sees every switch and throw.</li>
 * </ul>
 *
 * <h2>Where Java differs</h2>
 * <ul>
 *   <li>A switch passes one value ({@code switchTo(value)}), not {@code *args, **kwargs}; pass a record or an
 *       array for more. Its result is typed by the variable it is assigned to ({@code V} is inferred; a value
 *       of another type is a {@link ClassCastException} there), as untyped as Python's but checked.</li>
 *   <li>Python copies C stacks and may switch from anywhere; here a greenlet switches from its body and the
 *       {@code @Suspendable} methods it calls (the rule of every Spindle suspension). Switching from a plain
 *       method in between, from JDK callbacks, or from inside a {@link Generator} or {@link Coroutine} that
 *       the greenlet runs, is refused with an {@link IllegalStateException} that says so. The main greenlet
 *       is the exception: it is the thread's own code, which runs no coroutine of its own, so a generator or
 *       coroutine that main's code drives may switch to other greenlets, and a switch back to main lands in
 *       that generator or coroutine, which is then where main is.</li>
 *   <li>Python kills a suspended greenlet that is garbage-collected (raising {@code GreenletExit} in it); the
 *       JVM just collects it, without running its {@code finally} blocks. {@link #kill()} what holds
 *       resources.</li>
 *   <li>{@link GreenletExit} is an {@link Error} (Python's is a {@code BaseException}) so that
 *       {@code catch (Exception e)} does not stop a kill.</li>
 *   <li>Inside, a switch is asymmetric: main's {@code switchTo} runs a loop (a trampoline) that resumes one
 *       greenlet's {@link Coroutine} after the other, and a greenlet's {@code switchTo} yields back to that
 *       loop naming its target. It shows only in stack traces: a greenlet's frames sit under main's
 *       {@code switchTo}.</li>
 * </ul>
 *
 * <p>Not thread-safe, and need not be: all greenlets of a tree run on one thread.
 */
public final class Greenlet {
    private final String name;
    private final Coroutine coroutine;
    private final GreenletBody body;
    private final GreenletTrampoline home;
    private Greenlet parent;
    private Object startArg;
    private Object result;

    /** The main greenlet of {@code home}'s thread. */
    Greenlet(GreenletTrampoline home) {
        this.name = "main";
        this.coroutine = null;
        this.body = null;
        this.home = home;
    }

    /** A greenlet whose parent is the current greenlet; {@code body} runs at the first switch to it. */
    public Greenlet(GreenletBody body) {
        this(null, body, null);
    }

    /**
     * A greenlet with the given parent, Python's {@code greenlet(run, parent)}: when {@code body} returns or
     * throws, its result or exception goes to {@code parent}.
     *
     * @param parent null for the current greenlet
     * @throws IllegalArgumentException if {@code parent} belongs to another thread
     */
    public Greenlet(GreenletBody body, Greenlet parent) {
        this(null, body, parent);
    }

    /** A named greenlet (the name shows in {@link #toString()} and errors) whose parent is the current one. */
    public Greenlet(String name, GreenletBody body) {
        this(name, body, null);
    }

    /**
     * A named greenlet with the given parent.
     *
     * @param name   may be null
     * @param parent null for the current greenlet
     * @throws IllegalArgumentException if {@code parent} belongs to another thread
     */
    public Greenlet(String name, GreenletBody body, Greenlet parent) {
        this.body = Objects.requireNonNull(body, "body");
        this.name = name;
        this.home = GreenletTrampoline.here();
        if (parent == null) {
            parent = home.current;
        } else {
            checkSameThread(parent);
        }
        this.parent = parent;
        this.coroutine = new Coroutine(name, this::runBody);
    }

    // ---- switching ----

    /**
     * Transfers control to this greenlet, handing it {@code value}, and returns the value passed by whoever
     * switches back to the caller (or the result of a child that ended, or its {@link GreenletExit}). If this
     * greenlet has not started, {@code value} is its body's argument; if it is dead, the transfer goes to its
     * first live ancestor; if it is the current greenlet, {@code value} is returned at once.
     *
     * <pre>{@code
     * // a consumer greenlet reading values that event callbacks push into it
     * Greenlet reader = new Greenlet(first -> {
     *     Object item = first;
     *     while (item != null) {
     *         process(item);
     *         item = Greenlet.current().parent().switchTo();   // back to the caller, wait for the next
     *     }
     *     return null;
     * });
     * void onEvent(Object item) { reader.switchTo(item); }
     * }</pre>
     *
     * @throws IllegalStateException if this greenlet belongs to another thread, or the caller may not switch
     *                               (see the class comment)
     * @throws RuntimeException      (or Error) an exception thrown into the caller while it waited: by
     *                               {@link #throwInto}, or uncaught in a child greenlet
     */
    @Suspendable
    @SuppressWarnings("unchecked")
    public <V> V switchTo(Object value) {
        // transfer(value, null) written out: one frame less to save and restore at every switch
        GreenletTrampoline t = home.onThisThread(this, "switchTo");
        Greenlet from = t.current;
        if (from.coroutine == null) return (V) t.runFromMain(this, value, null);
        if (t.depart(from, this, value, null)) Coroutine.yield();
        return (V) t.arrive();
    }

    /** {@link #switchTo(Object) switchTo(null)}. */
    @Suspendable
    public <V> V switchTo() {
        return transfer(null, null);
    }

    /**
     * Switches to this greenlet and raises {@code exception} in it, at its pending switch: Python's
     * {@code greenlet.throw}. Uncaught there, it ends the greenlet and is raised in the parent (a
     * {@link GreenletExit} reaches the parent as a value instead). A greenlet not started dies without
     * running; a dead one passes the exception on to its first live ancestor (a {@code GreenletExit} as a
     * value, as greenlet does). The current greenlet throws it at once.
     *
     * @return the value passed by whoever switches back to the caller
     */
    @Suspendable
    public <V> V throwInto(Throwable exception) {
        home.onThisThread(this, "throwInto");
        return transfer(null, Objects.requireNonNull(exception, "exception"));
    }

    /**
     * Ends this greenlet: raises a {@link GreenletExit} in it, so its {@code finally} blocks run and, uncaught,
     * the exit reaches its parent as a value. Called by the parent (the usual case), it returns that
     * {@code GreenletExit}; a greenlet not started dies without running; a dead greenlet is left alone (this
     * returns null).
     *
     * <pre>{@code
     * Object r = worker.kill();
     * assert worker.isDead() && r instanceof GreenletExit;
     * }</pre>
     *
     * @return the value passed by whoever switches back to the caller
     */
    @Suspendable
    public <V> V kill() {
        home.onThisThread(this, "kill");
        if (isDead()) return null;
        return transfer(null, new GreenletExit());
    }

    @Suspendable
    @SuppressWarnings("unchecked")
    private <V> V transfer(Object value, Throwable thrown) {
        GreenletTrampoline t = home.onThisThread(this, "switchTo");
        Greenlet from = t.current;
        if (from.coroutine == null) return (V) t.runFromMain(this, value, thrown);
        if (t.depart(from, this, value, thrown)) Coroutine.yield();
        return (V) t.arrive();
    }

    // ---- the tree ----

    /** The greenlet running on this thread: its main greenlet when no other runs. */
    public static Greenlet current() {
        return GreenletTrampoline.here().current;
    }

    /** This thread's main greenlet: the thread's ordinary code. */
    public static Greenlet mainGreenlet() {
        return GreenletTrampoline.here().main;
    }

    /** Where this greenlet's result (or exception) goes when it ends; null for a main greenlet. */
    public Greenlet parent() {
        return parent;
    }

    /**
     * Makes {@code newParent} this greenlet's parent.
     *
     * @throws IllegalArgumentException if it would make a cycle (this greenlet among {@code newParent}'s
     *                                  ancestors, or itself), or {@code newParent} belongs to another thread
     * @throws IllegalStateException    if this is a main greenlet (the root has no parent)
     */
    public void setParent(Greenlet newParent) {
        Objects.requireNonNull(newParent, "newParent");
        if (isMain()) {
            throw new IllegalStateException("cannot setParent(" + newParent + ") on " + this + ": a thread's main"
                    + " greenlet is the root of its tree and has no parent; set the parent of a greenlet below it");
        }
        checkSameThread(newParent);
        for (Greenlet p = newParent; p != null; p = p.parent) {
            if (p == this) {
                throw new IllegalArgumentException("cyclic parent chain: " + this + " cannot have " + newParent
                        + " as its parent, since it is " + (p == newParent ? "the greenlet itself" : "among its"
                        + " ancestors"));
            }
        }
        parent = newParent;
    }

    // ---- state ----

    /** True once a switch started the body (or killed it before it could start); always true for main. */
    public boolean isStarted() {
        return coroutine == null || coroutine.state() != Coroutine.State.NEW;
    }

    /** True once the body returned or threw; never for main. */
    public boolean isDead() {
        return coroutine != null && coroutine.isDone();
    }

    /** True for the main greenlet of a thread. */
    public boolean isMain() {
        return coroutine == null;
    }

    /** The name given at construction ("main" for a main greenlet), or null. */
    public String name() {
        return name;
    }

    /**
     * Where a greenlet waiting for a switch back is stopped: its logical call stack, innermost first (the
     * top frames are Spindle's {@code switchTo}). Empty for a greenlet that runs, has not started, is dead, or
     * is main.
     */
    public StackTraceElement[] stackTrace() {
        return coroutine == null ? new StackTraceElement[0] : coroutine.stackTrace();
    }

    // ---- tracing ----

    /**
     * Installs {@code hook} (null to remove it) to see every switch and throw among this thread's greenlets;
     * returns the hook it replaces, or null. Python's {@code greenlet.settrace}.
     */
    public static GreenletTrace setTrace(GreenletTrace hook) {
        GreenletTrampoline t = GreenletTrampoline.here();
        GreenletTrace previous = t.trace;
        t.trace = hook;
        return previous;
    }

    /** The trace hook of this thread, or null. */
    public static GreenletTrace getTrace() {
        return GreenletTrampoline.here().trace;
    }

    @Override
    public String toString() {
        String id = name != null ? name : Integer.toHexString(System.identityHashCode(this));
        if (isMain()) return "Greenlet[main of " + home.thread.getName() + "]";
        String state = isDead() ? "dead" : !isStarted() ? "not started" : home.current == this ? "running"
                : "suspended";
        return "Greenlet[" + id + ", " + state + "]";
    }

    // ---- for the trampoline ----

    Coroutine coroutine() {
        return coroutine;
    }

    /** This greenlet, or if it is dead, its first live ancestor. */
    Greenlet live() {
        Greenlet g = this;
        while (g.isDead()) g = g.parent;
        return g;
    }

    boolean start(Object arg) {
        startArg = arg;
        return coroutine.resume();
    }

    Object takeResult() {
        Object r = result;
        result = null;
        return r;
    }

    @Suspendable
    private void runBody() {
        Object arg = startArg;
        startArg = null;
        result = body.run(arg);
    }

    private void checkSameThread(Greenlet other) {
        if (other.home != home) {
            throw new IllegalArgumentException("the parent of " + this + " must belong to its thread, \""
                    + home.thread.getName() + "\"; " + other + " belongs to thread \"" + other.home.thread.getName()
                    + "\"");
        }
    }

    /** Rethrows any throwable unchanged, checked or not. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
