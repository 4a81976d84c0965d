package dev.spindle.io;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A future of work that a loop does (a submitted coroutine, a task's end, a dump, the loop's termination), or
 * that the loops of a group do, which refuses to be waited for on such a loop's own thread while not done: the
 * loop could never do the work while its thread waits, so the wait would hang the loop and every connection of
 * it (Netty's {@code BlockingOperationException}). Futures derived from it ({@code thenApply}...) refuse it too;
 * {@code CompletableFuture.allOf} and {@code anyOf} of them cannot, as the JDK makes those without asking them.
 */
class LoopFuture<T> extends CompletableFuture<T> {
    /** An {@link EventLoop} or an {@link EventLoopGroup}. */
    private final Object owner;

    LoopFuture(EventLoop loop) {
        owner = loop;
    }

    LoopFuture(EventLoopGroup group) {
        owner = group;
    }

    private LoopFuture(Object owner) {
        this.owner = owner;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseOnLoop("get()");
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseOnLoop("get(timeout)");
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        refuseOnLoop("join()");
        return super.join();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new LoopFuture<>(owner);
    }

    private void refuseOnLoop(String call) {
        EventLoop here = EventLoop.current();
        if (here != null && !isDone()
                && (owner == here || owner instanceof EventLoopGroup g && g.loops().contains(here))) {
            throw new IllegalStateException(call + " on " + here.thread().getName() + "'s own thread would "
                    + (call.equals("get(timeout)") ? "only time out, waiting" : "wait for ever") + " for work of that"
                    + " loop, which cannot run while its thread waits. In a coroutine, use EventLoop.await(future),"
                    + " which suspends instead; in an action, whenComplete(...)");
        }
    }
}
