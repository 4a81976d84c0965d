package dev.spindle.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Who hears of a refused suspension. A scheduler marks its coroutine as waiting (in a channel's queue, on a timer,
 * behind a partner in its run queue) before the coroutine suspends; when that suspension is refused, the coroutine
 * runs on, so the mark must be taken back at once, or a later hand-off would go to a coroutine that waits for
 * nothing any more. The tasklet scheduler and the event loop register when their classes are initialized, so
 * this costs nothing until a suspension is refused. Not API.
 */
public final class Refusals {
    private static final List<Consumer<Continuation>> LISTENERS = new CopyOnWriteArrayList<>();

    private Refusals() {
    }

    /** Called once by each scheduler class: {@code listener} gets the continuation whose suspension was refused. */
    public static void register(Consumer<Continuation> listener) {
        LISTENERS.add(listener);
    }

    static void refused(Continuation c) {
        for (Consumer<Continuation> l : LISTENERS) l.accept(c);
    }
}
