package dev.spindle.io;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several {@link EventLoop}s, one thread each, for several cores: a server's connections are spread over them
 * round-robin, and each connection's coroutine stays on the loop it was given.
 *
 * <pre>{@code
 * try (EventLoopGroup group = new EventLoopGroup()) {          // one loop per core
 *     Listener l = group.serve(new InetSocketAddress(8080), socket -> serve(socket));
 *     ...
 *     group.shutdown(Duration.ofSeconds(5)).join();            // stop accepting, finish, close
 * }
 * }</pre>
 */
public final class EventLoopGroup implements AutoCloseable {
    private final List<EventLoop> loops;
    private final AtomicInteger next = new AtomicInteger();

    /** One loop per available processor. */
    public EventLoopGroup() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** {@code n} loops named {@code spindle-0 ...}, sharing the default worker pool for blocking calls. */
    public EventLoopGroup(int n) {
        this(n, "spindle", BlockingPool.shared());
    }

    /** {@code n} loops named {@code prefix-0 ...}, whose blocking calls run on {@code blockingPool}. */
    public EventLoopGroup(int n, String prefix, ExecutorService blockingPool) {
        if (n < 1) throw new IllegalArgumentException("n < 1: " + n);
        EventLoop[] ls = new EventLoop[n];
        for (int i = 0; i < n; i++) ls[i] = new EventLoop(prefix + "-" + i, blockingPool);
        loops = List.of(ls);
    }

    /** The loops, in order. */
    public List<EventLoop> loops() {
        return loops;
    }

    /** The next loop in round-robin order: where to spawn the next independent coroutine. */
    public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /**
     * Listens on {@code address}; the first loop accepts, and each connection's coroutine runs {@code handler}
     * on the next loop in round-robin order. Any thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the group is shutting down or has terminated
     */
    public Listener serve(SocketAddress address, ConnectionHandler handler) throws IOException {
        EventLoop acceptor = loops.get(0);
        acceptor.refuseServeIfShuttingDown();
        return acceptor.accept(TcpServer.bind(acceptor, address, EventLoop.DEFAULT_BACKLOG), handler, this::next);
    }

    /** Live coroutines over all loops. */
    public int liveTasks() {
        return loops.stream().mapToInt(EventLoop::liveTasks).sum();
    }

    /**
     * {@link EventLoop#shutdown} of every loop, all at once; completes when all have terminated. Outside the
     * loops it returns once every loop's ports refuse connections.
     */
    public CompletableFuture<Void> shutdown(Duration grace) {
        List<CompletableFuture<?>> stopping = new ArrayList<>();
        for (EventLoop l : loops) stopping.add(l.stopAccepting(grace)); // all at once, then wait
        EventLoop.awaitOffLoop(CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)));
        CompletableFuture<Void> all = new LoopFuture<>(this); // refuses a join on a loop of the group
        CompletableFuture.allOf(loops.stream().map(EventLoop::termination).toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> {
                    if (e != null) all.completeExceptionally(e);
                    else all.complete(null);
                });
        return all;
    }

    /**
     * Shuts every loop down at once and waits for them. Not from a thread of one of the loops (a coroutine or an
     * action), which would wait for itself: call {@link #shutdown} there, which does not wait.
     *
     * @throws IllegalStateException on a thread of one of the group's loops
     */
    @Override
    public void close() {
        for (EventLoop l : loops) {
            if (l.inLoop()) {
                throw new IllegalStateException("close() from " + l.thread().getName()
                        + ", a loop of this group, would wait for itself; call shutdown(grace) there");
            }
        }
        shutdown(Duration.ZERO).join();
    }
}
