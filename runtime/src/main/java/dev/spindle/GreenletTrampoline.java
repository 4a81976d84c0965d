package dev.spindle;

import dev.spindle.internal.Hooks;

/**
 * The greenlets of one thread and the loop that runs them.
 *
 * <p>Greenlets switch symmetrically, but a {@link Coroutine} only returns to whoever resumed it. So the main
 * greenlet (the thread's own code) drives every switch: its {@code switchTo} runs {@link #runFromMain}, a loop
 * that resumes the target greenlet's coroutine. When that greenlet switches on, it records the new target here
 * ({@link #depart}) and yields back to the loop, which resumes the next target, and so on until a transfer
 * targets the main greenlet again: then the loop returns, and main's {@code switchTo} with it. A greenlet's
 * body that ends hands the loop its result (or exception) for its parent. So every greenlet's frames are
 * suspended in its own coroutine while another runs, and the thread's stack holds only main's frames, the loop
 * and the one greenlet that runs.
 */
final class GreenletTrampoline {
    private static final ThreadLocal<GreenletTrampoline> THREADS =
            ThreadLocal.withInitial(GreenletTrampoline::new);

    final Thread thread = Thread.currentThread();
    final Greenlet main;
    /** The greenlet that runs (or main, when none does). */
    Greenlet current;
    GreenletTrace trace;
    private boolean tracing;

    /** The transfer the running greenlet asked for before it yielded back to the loop. */
    private boolean requested;
    /** Sets {@link #requested} once a greenlet's switch has suspended it; made once, so a switch allocates nothing. */
    private final Runnable request = () -> requested = true;
    private Greenlet nextTarget;
    private Object nextValue;
    private Throwable nextThrown;

    /** What the greenlet being resumed gets from its switch (exceptions travel by resumeThrowing instead). */
    private Object delivered;
    /** An exception for a greenlet that switched to itself (so it was not suspended). */
    private Throwable deliveredThrown;

    private GreenletTrampoline() {
        main = new Greenlet(this);
        current = main;
    }

    /** This thread's greenlets. */
    static GreenletTrampoline here() {
        return THREADS.get();
    }

    /** This, if it is the calling thread's; else the error of switching across threads. */
    GreenletTrampoline onThisThread(Greenlet target, String call) {
        Thread caller = Thread.currentThread();
        if (caller != thread) {
            throw new IllegalStateException("cannot call " + call + "() on " + target + " from thread \""
                    + caller.getName() + "\": it belongs to thread \"" + thread.getName() + "\", and a greenlet"
                    + " runs only on the thread that created it (so a coroutine or generator whose code switches"
                    + " greenlets must be resumed there too). Hand the work to a greenlet of that thread through a"
                    + " thread-safe queue it reads, or use a Coroutine, which any thread may resume");
        }
        return this;
    }

    /**
     * Main's switch: carries out transfers, one greenlet after the other, until one targets main; returns the
     * value it carries or throws its exception.
     */
    Object runFromMain(Greenlet target, Object value, Throwable thrown) {
        refuseInHook();
        Greenlet origin = main;
        try {
            for (;;) {
                Greenlet to = target.live();
                if (to != target && thrown instanceof GreenletExit) { // what greenlet does: dead, so an exit's value
                    value = thrown;
                    thrown = null;
                }
                current = to;
                thrown = traced(origin, to, thrown);
                if (to == main) {
                    if (thrown != null) throw Greenlet.sneaky(thrown);
                    return value;
                }
                origin = to;
                requested = false;
                boolean suspended;
                try {
                    suspended = resume(to, value, thrown);
                } catch (Throwable ended) {
                    // an uncaught exception goes to the parent; a kill reaches it as a value
                    target = to.parent();
                    boolean exit = ended instanceof GreenletExit;
                    value = exit ? ended : null;
                    thrown = exit ? null : ended;
                    continue;
                }
                if (!suspended) {
                    target = to.parent();
                    value = to.takeResult();
                    thrown = null;
                } else if (requested) {
                    target = nextTarget;
                    value = nextValue;
                    thrown = nextThrown;
                    nextTarget = null;
                    nextValue = null;
                    nextThrown = null;
                } else {
                    nextTarget = null; // of a switch that was refused, if any
                    nextValue = null;
                    nextThrown = null;
                    target = to;
                    value = null;
                    thrown = new IllegalStateException(to + " suspended with"
                            + " Coroutine.yield() instead of switching: a greenlet gives up control only by"
                            + " switching to another (parent().switchTo(value), for example)");
                }
            }
        } finally {
            current = main;
        }
    }

    private boolean resume(Greenlet to, Object value, Throwable thrown) {
        if (!to.isStarted()) {
            // Coroutine.resumeThrowing of a coroutine not started ends it at once: the greenlet dies unrun
            return thrown == null ? to.start(value) : to.coroutine().resumeThrowing(thrown);
        }
        if (thrown != null) return to.coroutine().resumeThrowing(thrown);
        delivered = value;
        return to.coroutine().resume();
    }

    /**
     * A greenlet's switch: records the transfer for the loop and returns true, after which the greenlet must
     * yield; or, if the transfer comes back to {@code from} itself, returns false and {@link #arrive()} gives
     * the value (or throws the exception) at once.
     */
    boolean depart(Greenlet from, Greenlet target, Object value, Throwable thrown) {
        refuseInHook();
        if (Coroutine.current() != from.coroutine()) {
            throw new IllegalStateException("cannot switch greenlets here: " + from + " is running, but this code"
                    + " runs in " + Coroutine.current() + " within it (such as the body of a Generator). A greenlet"
                    + " switches only from its own body and the @Suspendable methods it calls");
        }
        Greenlet to = target.live();
        if (to != target && thrown instanceof GreenletExit) { // as in runFromMain
            value = thrown;
            thrown = null;
        }
        if (to == from) {
            delivered = value;
            deliveredThrown = traced(from, from, thrown);
            return false;
        }
        nextTarget = to;
        nextValue = value;
        nextThrown = thrown;
        Hooks.whenSuspended(request); // a switch whose suspension is refused (and caught) requests nothing
        return true;
    }

    /** What a greenlet gets once its switch is answered. */
    Object arrive() {
        Throwable t = deliveredThrown;
        if (t != null) {
            deliveredThrown = null;
            delivered = null;
            throw Greenlet.sneaky(t);
        }
        Object v = delivered;
        delivered = null;
        return v;
    }

    /** Calls the trace hook; returns the exception to deliver: {@code thrown}, or the hook's own. */
    private Throwable traced(Greenlet origin, Greenlet target, Throwable thrown) {
        GreenletTrace hook = trace;
        if (hook == null) return thrown;
        tracing = true;
        try {
            hook.onTransfer(thrown == null ? GreenletTrace.Event.SWITCH : GreenletTrace.Event.THROW, origin,
                    target);
            return thrown;
        } catch (Throwable e) {
            trace = null; // as greenlet.settrace does: a failing hook is removed
            if (thrown != null && thrown != e) e.addSuppressed(thrown);
            return e;
        } finally {
            tracing = false;
        }
    }

    private void refuseInHook() {
        if (tracing) {
            throw new IllegalStateException("a GreenletTrace hook cannot switch greenlets: it runs in the middle"
                    + " of a switch");
        }
    }
}
