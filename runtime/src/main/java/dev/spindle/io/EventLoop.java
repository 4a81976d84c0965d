package dev.spindle.io;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableRunnable;
import dev.spindle.internal.Continuation;
import dev.spindle.internal.Parties;
import dev.spindle.internal.Party;
import dev.spindle.internal.Refusals;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs coroutines on one thread around a {@link Selector}: a coroutine that would block on a socket registers
 * its interest and suspends, and the loop resumes it when the selector reports the socket ready. Code reads like
 * thread-per-connection code; a connection costs a suspended coroutine, not a thread.
 *
 * <pre>{@code
 * try (EventLoop loop = new EventLoop("echo")) {
 *     Listener l = loop.serve(new InetSocketAddress("127.0.0.1", 7000), socket -> {
 *         ByteBuffer buf = ByteBuffer.allocate(4096);
 *         while (socket.read(buf) >= 0) { buf.flip(); socket.writeAll(buf); buf.clear(); }
 *     });
 *     loop.submit(() -> {                                    // a client, on the same loop
 *         TcpSocket s = TcpSocket.connect(l.localAddress());
 *         s.writeAll(ByteBuffer.wrap("hi\n".getBytes()));
 *         return new SocketInput(s, 256).readLine(256);     // "hi"
 *     }).join();
 * }
 * }</pre>
 *
 * <p>Inside a coroutine of a loop, these static methods suspend it: {@link #sleep}, {@link #yieldNow},
 * {@link #await} (a {@link CompletionStage}), {@link #blocking} (a {@link Callable} on a worker pool),
 * {@link #withTimeout}; the socket operations of {@link TcpSocket}, {@link TcpServer} and
 * {@link SocketInput}; and the waiting operations of the {@code dev.spindle.sched} channels and locks, which
 * coroutines of one loop or of several loops may share. Every method between the coroutine's body and them must
 * be {@link Suspendable}, and none may hold a monitor.
 *
 * <p>Thread safety: {@link #spawn}, {@link #submit}, {@link #execute}, {@link #serve} and {@link #shutdown} may be
 * called from any thread, and {@link #close()} from any thread but the loop's own (it waits for that thread to
 * end); everything else belongs to the loop's thread. Timers are a
 * heap (a cancelled timeout costs O(log n), O(1) for timeouts of a duration used before); other threads wake the
 * loop with {@link Selector#wakeup()}, and only when it sleeps. An exception that escapes a coroutine is logged
 * (logger {@code dev.spindle.io}) with its name (a connection's coroutine is named after the peer) and ends only
 * that coroutine: at WARNING, but at DEBUG for the ways connections end every day (a {@code SocketException} such
 * as a reset, the {@code IOException} of a write to a peer that reset or closed ("Broken pipe", "Connection reset
 * by peer"), an {@code EOFException}, a {@code ClosedChannelException}, a {@code SocketTimeoutException}).
 */
public final class EventLoop implements AutoCloseable {
    static final System.Logger LOG = System.getLogger("dev.spindle.io");
    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();
    private static final AtomicInteger LOOPS = new AtomicInteger();

    static {
        Parties.register(EventLoop::currentParty, EventLoop::enclosingParty); // how dev.spindle.sched finds tasks
        Refusals.register(EventLoop::suspensionRefused);
    }

    /**
     * The accept backlog of {@link #serve}: large, so the kernel's own limit ({@code somaxconn}) is what applies
     * (Java's default of 50 drops SYNs in a burst of connections, and each dropped one costs a second).
     */
    static final int DEFAULT_BACKLOG = 65535;

    private enum Phase { RUNNING, STOPPING, FORCED, TERMINATED }

    /** Actions from other threads run per turn of the loop, at most. */
    private static final int INBOX_BATCH = 1024;
    /** How many turns the loop runs past its grace period at most (see {@link #forcedStop()}). */
    private static final int FORCED_TURNS = 10_000;

    final Selector selector;
    final TimerHeap timers = new TimerHeap();
    final BufferCache buffers = new BufferCache();
    private final Thread thread;
    private final ExecutorService blockingPool;
    private final RunQueue<Task> runQueue = new RunQueue<>();
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /** True while the loop is (about to be) blocked in select: only then does execute() pay for a wakeup. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final LiveTasks live = new LiveTasks();
    /** The selector's callback, made once: a method reference made per select would be allocated each time. */
    private final java.util.function.Consumer<SelectionKey> onReady = this::ready;
    /** Its listening sockets: the shutdown closes them first. Any thread adds (a bind), removes (a close). */
    final java.util.Set<TcpServer> servers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Completed once the shutdown has closed every listening socket and the system has let go of their ports. */
    private final CompletableFuture<Void> stoppedAccepting = new CompletableFuture<>();
    /** Turns run since the grace period ended; bounded, so that a coroutine that ignores the end cannot keep it. */
    private int forcedTurns;
    private final List<Runnable> afterNextSelect = new ArrayList<>();
    private final CompletableFuture<Void> termination = new LoopFuture<>(this);
    private volatile Phase phase = Phase.RUNNING;
    private volatile boolean shutdownCalled;
    private volatile int liveCount;
    private Task current;
    private final AtomicInteger spawned = new AtomicInteger();
    /** Coroutines spawned from other threads whose start waits in the inbox: alive already for liveTasks(). */
    private final AtomicInteger starting = new AtomicInteger();

    /** A loop named {@code spindle-loop-N} with the default worker pool for {@link #blocking}. */
    public EventLoop() {
        this(null);
    }

    /** A loop whose thread is called {@code name}, with the default worker pool for {@link #blocking}. */
    public EventLoop(String name) {
        this(name, BlockingPool.shared());
    }

    /**
     * A loop whose thread is called {@code name} and whose {@link #blocking} calls run on {@code blockingPool}
     * (keep it bounded: its size is how many blocking calls run at once). The thread starts at once and is not a
     * daemon: {@link #shutdown} or {@link #close()} the loop to end it.
     */
    public EventLoop(String name, ExecutorService blockingPool) {
        this.blockingPool = Objects.requireNonNull(blockingPool, "blockingPool");
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        thread = new Thread(this::run, name != null ? name : "spindle-loop-" + LOOPS.incrementAndGet());
        thread.start();
    }

    /** The loop whose thread this is, or null. */
    public static EventLoop current() {
        return CURRENT.get();
    }

    /**
     * The thread this loop runs on. It does not take interrupts: its interrupt status is cleared before each
     * select and before each coroutine runs, so an interrupt (from another thread, or a coroutine that restores
     * the status after catching {@code InterruptedException}) neither makes the selector return at once on every
     * turn nor reaches the coroutines that run after it. To stop a loop, {@link #shutdown} it.
     */
    public Thread thread() {
        return thread;
    }

    /** True on this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** How many coroutines of this loop are alive (started or queued, not done). Safe from any thread. */
    public int liveTasks() {
        return liveCount + starting.get();
    }

    /** True once {@link #shutdown} (or {@link #close()}) has been called. Safe from any thread. */
    public boolean isShuttingDown() {
        return shutdownCalled || phase != Phase.RUNNING;
    }

    /** Completes when the loop's thread has ended, every channel of the loop closed. */
    public CompletableFuture<Void> termination() {
        return termination;
    }

    /**
     * A report of the loop's live coroutines: each one's name, state, what it waits for and the logical stack
     * it is suspended in, innermost first (for a hung server, like a thread dump). Any thread.
     */
    public CompletableFuture<String> dump() {
        CompletableFuture<String> f = new LoopFuture<>(this);
        execute(() -> {
            StringBuilder b = new StringBuilder(toString()).append(", ").append(timers.size()).append(" timers, ")
                    .append(openChannels()).append(" open channels\n");
            for (Task t : live.snapshot()) {
                b.append("  ").append(t).append(t.blocker != null ? " on " + t.blocker : "").append('\n');
                for (StackTraceElement e : t.coroutine.stackTrace()) b.append("      at ").append(e).append('\n');
            }
            f.complete(b.toString());
        });
        return f;
    }

    // ---- starting work ----

    /** {@link #spawn(String, SuspendableRunnable)} with a generated name. */
    public Task spawn(SuspendableRunnable body) {
        return spawn(null, body);
    }

    /**
     * Starts a coroutine running {@code body} on this loop; it runs in a later turn of the loop. Any thread. What
     * escapes the body is logged with the coroutine's name; for a body that throws checked exceptions (socket
     * code) or whose outcome the caller wants, use {@link #submit}. During a {@link #shutdown(Duration) shutdown}
     * new coroutines still start within the grace period (the loop runs until they end too); one that would
     * start after it never runs, and its task (or {@code submit}'s future) completes with a
     * {@code RejectedExecutionException}.
     *
     * @throws RejectedExecutionException if the loop has terminated
     */
    public Task spawn(String name, SuspendableRunnable body) {
        return spawn(name, body, true);
    }

    private Task spawn(String name, SuspendableRunnable body, boolean logFailure) {
        Task t = new Task(this, name != null ? name : thread.getName() + "-task-" + spawned.incrementAndGet(), body);
        t.logFailure = logFailure;
        if (inLoop()) {
            start(t, false);
            return t;
        }
        starting.incrementAndGet();
        try {
            execute(() -> start(t, true));
        } catch (RuntimeException refused) {
            starting.decrementAndGet();
            throw refused;
        }
        return t;
    }

    /**
     * Runs {@code body} in a new coroutine of this loop and completes the future with its result (or what it
     * threw, checked exceptions too). Any thread; handy to drive a loop from {@code main} or a test:
     *
     * <pre>{@code
     * String line = loop.submit(() -> new SocketInput(TcpSocket.connect(addr), 1024).readLine(1024)).join();
     * }</pre>
     */
    public <T> CompletableFuture<T> submit(IoCallable<T, ?> body) {
        CompletableFuture<T> result = new LoopFuture<>(this);
        Object[] value = new Object[1];
        Task t = spawn(null, () -> value[0] = callSneakily(body), false); // the caller gets the failure
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) t.cancel(); // as Kotlin's Deferred.cancel: the coroutine is cancelled too
        });
        t.completion().whenComplete((v, e) -> { // once the coroutine has ended: liveTasks() no longer counts it
            if (e != null) {
                result.completeExceptionally(e); // what the body threw, as it is
            } else {
                @SuppressWarnings("unchecked")
                T returned = (T) value[0];
                result.complete(returned);
            }
        });
        return result;
    }

    /** Calls {@code body}, throwing what it throws as it is (the coroutine's end hands it to the future). */
    @Suspendable
    private static <T> T callSneakily(IoCallable<T, ?> body) {
        try {
            return body.call();
        } catch (Exception e) {
            throw sneaky(e);
        }
    }

    /**
     * Runs {@code action} on the loop's thread in its next turn, waking the loop if it waits in select. Any
     * thread. The action must not block; to do work that suspends, {@link #spawn} instead.
     *
     * @throws RejectedExecutionException if the loop has terminated
     */
    public void execute(Runnable action) {
        Objects.requireNonNull(action, "action");
        if (phase == Phase.TERMINATED) throw new RejectedExecutionException(thread.getName() + " has terminated");
        inbox.add(action);
        // terminated meanwhile: the loop ran what its last drain found; if that was not this action, refuse it
        if (phase == Phase.TERMINATED && inbox.remove(action)) {
            throw new RejectedExecutionException(thread.getName() + " has terminated");
        }
        if (!inLoop() && sleeping.compareAndSet(true, false)) selector.wakeup();
    }

    /**
     * Listens on {@code address} and runs {@code handler} in a new coroutine for each accepted connection,
     * named {@code conn <peer>}; the socket is closed when the handler ends. Any thread. The accept backlog is
     * the kernel's maximum ({@code net.core.somaxconn}).
     *
     * @return the listening socket's handle: its address, its count of accepted connections, and close()
     * @throws RejectedExecutionException if the loop is shutting down (it would close the listener at once) or
     *     has terminated
     */
    public Listener serve(SocketAddress address, ConnectionHandler handler) throws IOException {
        refuseServeIfShuttingDown();
        return accept(TcpServer.bind(this, address, DEFAULT_BACKLOG), handler, () -> this);
    }

    /**
     * A listener started once the shutdown has begun would be closed at once: the caller learns it here rather
     * than from a port that refuses connections. (One that races with the shutdown is closed like the others.)
     */
    void refuseServeIfShuttingDown() {
        if (isShuttingDown()) {
            throw new RejectedExecutionException("cannot serve on " + thread.getName() + ": the loop "
                    + (phase == Phase.TERMINATED ? "has terminated" : "is shutting down"));
        }
    }

    /**
     * Accepts connections of {@code server} (a server of this loop) in a coroutine of this loop, and hands each
     * to the loop {@code pick} chooses, which runs {@code handler} for it in a coroutine of its own.
     */
    Listener accept(TcpServer server, ConnectionHandler handler, java.util.function.Supplier<EventLoop> pick) {
        Listener l = new Listener(server);
        execute(() -> {
            if (phase != Phase.RUNNING) {
                server.close();
                return;
            }
            spawn("accept " + server.localAddress(), () -> {
                try {
                    for (long backoff = 0;;) {
                        SocketChannel ch;
                        try {
                            ch = server.acceptChannel();
                        } catch (IOException e) {
                            if (!server.isOpen()) throw e; // closed on purpose: the end
                            // out of file descriptors, say: keep the port and try again once some may be free
                            backoff = Math.min(Math.max(2 * backoff, 10), 1000);
                            logQuietly(System.Logger.Level.WARNING, "accept on " + server.localAddress() + " failed;"
                                    + " trying again in " + backoff + " ms", e);
                            sleep(Duration.ofMillis(backoff));
                            continue;
                        }
                        backoff = 0;
                        l.accepted.incrementAndGet();
                        EventLoop target = pick.get();
                        if (target == this) {
                            adopt(ch, handler);
                        } else {
                            try {
                                target.execute(() -> target.adopt(ch, handler));
                            } catch (RejectedExecutionException terminated) {
                                closeQuietly(ch);
                            }
                        }
                    }
                } catch (IOException e) {
                    if (server.isOpen()) throw new UncheckedIOException(e); // else closed on purpose: the end
                } finally {
                    server.close();
                }
            });
        });
        return l;
    }

    /** Runs {@code handler} for {@code ch}, accepted by some loop, in a new coroutine of this one. Loop thread. */
    void adopt(SocketChannel ch, ConnectionHandler handler) {
        TcpSocket s;
        try {
            s = new TcpSocket(this, ch);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "dropped an accepted connection", e);
            closeQuietly(ch);
            return;
        }
        start(new Task(s, ConnectionBody.of(handler, s)), false); // finish() closes s
    }

    // ---- what coroutines call ----

    /**
     * Suspends the calling coroutine for {@code duration}; the loop runs others meanwhile. Zero or less is
     * {@link #yieldNow()}.
     */
    @Suspendable
    public static void sleep(Duration duration) {
        Task t = requireTask("call EventLoop.sleep");
        long nanos = nanos(duration);
        if (nanos <= 0) {
            yieldNow();
            return;
        }
        EventLoop loop = t.loop();
        Timer timer = loop.timers.addAfter(nanos, () -> loop.wake(t, null));
        park(t, Blocker.of("a timer (sleep of " + duration + ")", () -> loop.timers.remove(timer)));
    }

    /** Lets the loop's other ready coroutines and I/O run, then goes on. */
    @Suspendable
    public static void yieldNow() {
        requireTask("call EventLoop.yieldNow");
        Coroutine.yield(); // still RUNNING: step() puts it back in the run queue
    }

    /**
     * Suspends the calling coroutine until {@code stage} completes, and returns its value or throws its
     * exception (the cause, not a {@code CompletionException}; checked ones too, undeclared). It resumes on its
     * own loop whatever thread completes the stage; like {@code await} in ea-async or Twisted's
     * {@code inlineCallbacks}.
     *
     * <pre>{@code
     * HttpResponse<String> r = EventLoop.await(httpClient.sendAsync(request, BodyHandlers.ofString()));
     * }</pre>
     */
    @Suspendable
    public static <T> T await(CompletionStage<T> stage) {
        Task t = requireTask("call EventLoop.await");
        return awaitFuture(t, completableOf(stage), null);
    }

    /** {@code stage} as a future; through its callback if it is one that offers none (which the JDK allows). */
    private static <T> CompletableFuture<T> completableOf(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException notOffered) {
            CompletableFuture<T> f = new CompletableFuture<>();
            stage.whenComplete((v, e) -> {
                if (e != null) f.completeExceptionally(e);
                else f.complete(v);
            });
            return f;
        }
    }

    /**
     * Runs {@code work} on the loop's worker pool while the calling coroutine is suspended, and returns its
     * result (or throws its exception, checked ones undeclared): JDBC, file I/O, a slow library call. The loop
     * serves other coroutines meanwhile. If the wait is cut short (by {@link #withTimeout} or shutdown), the
     * worker is interrupted.
     *
     * <pre>{@code
     * List<Row> rows = EventLoop.blocking(() -> dao.findAll());
     * }</pre>
     *
     * @throws RejectedExecutionException if the loop's worker pool refuses the job (it was shut down, or its
     *     queue is full), naming the loop
     */
    @Suspendable
    public static <T> T blocking(Callable<T> work) {
        Task t = requireTask("call EventLoop.blocking");
        throwIfDue(t); // work whose caller cannot wait for it any more is not started
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> job;
        try {
            job = t.loop().blockingPool.submit(() -> {
                try {
                    result.complete(work.call());
                } catch (Throwable e) { // wrapped so that awaitFuture unwraps exactly this layer
                    result.completeExceptionally(new CompletionException(e));
                }
            });
        } catch (RejectedExecutionException e) { // the pool's own message names neither the loop nor the call
            throw new RejectedExecutionException("EventLoop.blocking on " + t.loop().thread.getName() + ": the"
                    + " loop's worker pool refused the job (shut down, or full); shut a pool down only once the"
                    + " loops that use it have terminated", e);
        }
        return awaitFuture(t, result, job);
    }

    /** {@link #blocking(Callable)} for work with no result. */
    @Suspendable
    public static void blocking(BlockingRunnable work) {
        blocking(() -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs {@code body} in the calling coroutine; if it has not returned {@code timeout} from now, a
     * {@link DeadlineExceededException} is thrown where it is suspended (its pending wait withdrawn), and
     * propagates out of here unless the body catches it. A body that does not suspend cannot be interrupted;
     * with a timeout of zero or less, the body runs up to its first suspension (a {@code yieldNow} included),
     * which throws at once.
     *
     * <p>A wait that had already completed when the time ran out is not undone: a {@code blocking} job that
     * returned, a future that completed, a socket that became ready, a {@code dev.spindle.sched} channel or lock
     * that handed over its value, lock or permit, all before the deadline but with the coroutine not yet run
     * (its loop was busy). The coroutine goes on with what it got, and the {@code DeadlineExceededException} is
     * thrown at its next suspension inside the body, or not at all if the body returns first. So a value received
     * is never lost to a timeout, a send that delivered its value is not reported as failed, and a job that did
     * its work (committed a transaction, say) is not reported as timed out.
     *
     * <p>Once the time has run out, the body cannot wait any more: if it catches the exception and then
     * suspends again (to wait, sleep or {@code yieldNow}), the same exception is thrown there at once, as
     * Kotlin's {@code withTimeout} does. So when an outer deadline passes inside an inner {@code withTimeout},
     * a handler meant for the inner timeout that catches it goes on only until it waits again. A handler that
     * never waits again (a retry loop that only writes, say) would catch the outer deadline at each new inner
     * {@code withTimeout}: use {@link #withTimeoutOrNull} for the inner one, which answers only its own deadline
     * and lets an outer one through. An inner deadline does not outlive its own call.
     *
     * <pre>{@code
     * String line = EventLoop.withTimeout(Duration.ofSeconds(5), () -> in.readLine(8192));
     * }</pre>
     */
    @Suspendable
    public static <T, X extends Exception> T withTimeout(Duration timeout, IoCallable<T, X> body) throws X {
        return withDeadline(timeout, body, false);
    }

    /**
     * Like {@link #withTimeout(Duration, IoCallable)}, but returns null when its own time runs out (Kotlin's
     * {@code withTimeoutOrNull}). The deadline of an enclosing {@code withTimeout} that passes meanwhile is not its
     * own: it propagates as a {@link DeadlineExceededException}, so a retry loop of these inside a session's
     * deadline ends with the session.
     *
     * <pre>{@code
     * EventLoop.withTimeout(Duration.ofMinutes(5), () -> {           // the whole session
     *     for (;;) {
     *         String line = EventLoop.withTimeoutOrNull(Duration.ofSeconds(30), () -> in.readLine(8192));
     *         if (line == null) out.writeAll(PING); else handle(line);
     *     }
     * });
     * }</pre>
     */
    @Suspendable
    public static <T, X extends Exception> T withTimeoutOrNull(Duration timeout, IoCallable<T, X> body) throws X {
        return withDeadline(timeout, body, true);
    }

    @Suspendable
    private static <T, X extends Exception> T withDeadline(Duration timeout, IoCallable<T, X> body, boolean orNull)
            throws X {
        Task t = requireTask(orNull ? "call EventLoop.withTimeoutOrNull" : "call EventLoop.withTimeout");
        Deadline scope = new Deadline(t, timeout);
        try {
            return body.call();
        } catch (DeadlineExceededException e) {
            if (orNull && e == scope.fired) return null; // its own deadline; an outer one goes on up
            throw e;
        } finally {
            scope.close();
        }
    }

    /**
     * The deadline of one {@code withTimeout}: armed as the scope opens, closed as it ends, or when the frame of
     * {@code withDeadline} that keeps it is dropped by a refused suspension, whose {@code finally} does not run.
     */
    private static final class Deadline implements dev.spindle.internal.FrameDropped {
        private final Task t;
        private final Timer timer;
        /** The exception of its deadline once it passed (or at once for a timeout of zero or less). */
        Throwable fired;

        Deadline(Task t, Duration timeout) {
            this.t = t;
            EventLoop loop = t.loop();
            long nanos = nanos(timeout);
            if (nanos <= 0) { // out of time already: the body may run, but its first suspension throws (no timer turn)
                fired = new DeadlineExceededException(timeout);
                t.party().expired.add(fired);
                timer = null;
            } else {
                timer = loop.timers.addAfter(nanos, () -> {
                    fired = new DeadlineExceededException(timeout);
                    t.party().expired.add(fired);
                    loop.interrupt(t, fired);
                });
            }
        }

        void close() {
            if (timer != null) t.loop().timers.remove(timer);
            TaskParty p = t.partyIfAny();
            if (fired != null && p != null) {
                // a timeout that lost to a hand-off and waits for the next suspension: the body is over, drop it
                p.deferred.remove(fired);
                p.expired.remove(fired); // the scope whose time ran out is left
            }
        }

        @Override
        public void frameDropped() {
            close();
        }
    }

    /**
     * {@link #withTimeout(Duration, IoCallable)} for a body with no result.
     *
     * <pre>{@code
     * EventLoop.withTimeout(Duration.ofSeconds(5), () -> out.writeAll(buffer));
     * }</pre>
     */
    @Suspendable
    public static <X extends Exception> void withTimeout(Duration timeout, IoRunnable<X> body) throws X {
        withTimeout(timeout, (IoCallable<Object, X>) () -> {
            body.run();
            return null;
        });
    }

    // ---- shutdown ----

    /**
     * Stops accepting connections (every {@link Listener} and {@link TcpServer} of this loop closes, and
     * {@link #serve} and {@link TcpServer#bind} are refused from now on), lets coroutines finish for up to
     * {@code grace} from this call, then closes every remaining socket of the loop (their coroutines get an
     * {@link java.nio.channels.AsynchronousCloseException}) and cancels what they wait for (a wait on a
     * {@code dev.spindle.sched} channel or lock is withdrawn, as {@link #withTimeout} says) with a
     * {@link CancellationException}, which each gets again at every later suspension (in a {@code finally}
     * block, say) so that its outer {@code finally} blocks run as well, as in a cancelled Kotlin coroutine. The
     * thread ends once no coroutine is left runnable. Any thread; calling it again does nothing more. Called
     * outside the event loops it returns once the loop's ports refuse connections, which takes the loop a turn
     * (a second at most, if code blocks the loop's thread); a loop's thread, which must not wait, goes on at
     * once, and they do after the loop's next turn.
     *
     * @return {@link #termination()}
     */
    public CompletableFuture<Void> shutdown(Duration grace) {
        awaitOffLoop(stopAccepting(grace));
        return termination;
    }

    /**
     * Begins the shutdown; the future completes once no connection to a port of the loop can be completed any
     * more (or the loop has ended).
     */
    CompletableFuture<?> stopAccepting(Duration grace) {
        long graceEnds = deadline(timeoutNanos(grace)); // from this call, however long the loop takes to see it
        shutdownCalled = true; // the phase changes on the loop's thread, later
        try {
            execute(() -> beginShutdown(graceEnds));
        } catch (RejectedExecutionException terminated) {
            // already done
        }
        return CompletableFuture.anyOf(stoppedAccepting, termination);
    }

    /**
     * Waits for {@code f}, unless this is an event loop's thread, which must not wait, and for a second at most:
     * a loop's thread held up by code that blocks it must not hold up the caller of a shutdown too.
     */
    static void awaitOffLoop(CompletableFuture<?> f) {
        if (current() != null) return;
        try {
            f.get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // the shutdown goes on; the caller has the termination future
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@link #shutdown(Duration) shutdown(Duration.ZERO)} and waits for the thread to end. Not from the loop's own
     * thread (a coroutine or an action), which would wait for itself: call {@link #shutdown} there, which does not
     * wait.
     *
     * @throws IllegalStateException on the loop's own thread
     */
    @Override
    public void close() {
        if (inLoop()) {
            throw new IllegalStateException("close() from " + thread.getName()
                    + ", the loop's own thread, would wait for itself; call shutdown(grace) there");
        }
        shutdown(Duration.ZERO).join();
    }

    private void beginShutdown(long graceEnds) {
        if (phase != Phase.RUNNING) return;
        phase = Phase.STOPPING;
        List<CompletableFuture<Void>> ports = new ArrayList<>();
        for (TcpServer server : new ArrayList<>(servers)) {
            server.close(); // on the loop: returns at once
            ports.add(server.released());
        }
        CompletableFuture.allOf(ports.toArray(CompletableFuture[]::new)).thenRun(() -> stoppedAccepting.complete(null));
        for (IoHandle h : openHandles()) {
            if (h instanceof TcpSocket s && s.closeOnShutdown) s.closeOnLoop(); // idle between requests
        }
        timers.add(graceEnds, this::force);
    }

    private void force() {
        phase = Phase.FORCED;
        for (IoHandle h : openHandles()) h.closeOnLoop();
        for (Task t : live.snapshot()) interrupt(t, forcedStop());
    }

    /**
     * What a coroutine gets once the grace period is over, at its suspension point and at every later suspension
     * (a {@code finally} block that waits, say), so that its outer {@code finally} blocks run too, as in a
     * cancelled Kotlin coroutine. One each: a try-with-resources adds suppressed exceptions to it.
     */
    private CancellationException forcedStop() {
        return new CancellationException(thread.getName() + " shut down");
    }

    /**
     * What each suspension of {@code t} gets from now on, a new one each time: the end of the grace period, or
     * its cancellation ({@link Task#cancel()}); else null.
     */
    private CancellationException standing(Task t) {
        if (phase == Phase.FORCED) return forcedStop();
        return isCancelled(t) ? cancelled(t) : null;
    }

    // ---- the loop ----

    private void run() {
        CURRENT.set(this);
        try {
            for (;;) {
                runInbox(INBOX_BATCH);
                fireTimers();
                runReady();
                if (phase == Phase.STOPPING && live.isEmpty() && inbox.isEmpty()) break;
                if (phase == Phase.FORCED && (live.isEmpty() || runQueue.isEmpty() && inbox.isEmpty()
                        || ++forcedTurns > FORCED_TURNS)) {
                    break;
                }
                select();
            }
        } catch (Throwable fatal) {
            LOG.log(System.Logger.Level.ERROR, thread.getName() + " stopped by an internal error", fatal);
        } finally {
            phase = Phase.TERMINATED;
            for (IoHandle h : openHandles()) h.closeChannel();
            closeQuietly(selector);
            CancellationException stop = new CancellationException(thread.getName() + " terminated");
            abandonWaits();
            for (Task t : live.snapshot()) {
                live.remove(t); // before completion: what it runs no longer counts the task as live
                liveCount = live.size();
                t.complete(stop);
            }
            try {
                runInbox(Integer.MAX_VALUE); // accepted before the phase changed: they run now (a start is refused)
            } catch (Throwable fatal) { // the JVM failed: termination must still complete
                LOG.log(System.Logger.Level.ERROR, thread.getName() + " could not run its last actions", fatal);
            }
            CURRENT.remove();
            termination.complete(null);
        }
    }

    /** Runs up to {@code max} actions, so that threads that keep sending cannot starve timers and I/O. */
    private void runInbox(int max) {
        Runnable r;
        for (int n = 0; n < max && (r = inbox.poll()) != null; n++) {
            try {
                r.run();
            } catch (Throwable e) { // an assertion in a callback must not stop every connection of the loop
                if (isFatal(e)) throw e;
                logQuietly(System.Logger.Level.WARNING, "an action run on " + thread.getName() + " failed", e);
            }
        }
    }

    /**
     * Logs, and never throws: a logger that fails (its first message loads time-zone data, which fails when the
     * process is out of file descriptors) must not stop every connection of the loop.
     */
    private static void logQuietly(System.Logger.Level level, String message, Throwable thrown) {
        try {
            LOG.log(level, message, thrown);
        } catch (Throwable loggerFailed) {
            if (isFatal(loggerFailed)) throw loggerFailed;
        }
    }

    /** The JVM itself failed (out of memory, say): the loop stops, and its coroutines are cancelled. */
    private static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }

    private void fireTimers() throws IOException {
        if (timers.size() == 0 || timers.peek().deadline - System.nanoTime() > 0) return;
        // a socket that became ready while the loop was busy (since its last select) was ready before the
        // deadline: its waiter goes on with it, as one woken by a job, a future or a channel does
        selector.selectNow(onReady);
        long now = System.nanoTime();
        for (Timer t; (t = timers.peek()) != null && t.deadline - now <= 0; ) {
            timers.remove(t);
            try {
                if (t.action instanceof Task waiter) {
                    waitTimedOut(waiter);
                } else {
                    ((Runnable) t.action).run();
                }
            } catch (Throwable e) {
                if (isFatal(e)) throw e;
                logQuietly(System.Logger.Level.WARNING, "a timer action on " + thread.getName() + " failed", e);
            }
        }
    }

    /** Runs each task that was ready when the pass began, so a task that yields cannot starve the selector. */
    private void runReady() {
        for (int n = runQueue.size(); n > 0; n--) step(runQueue.poll());
    }

    /**
     * Runs {@code action} once the selector has let go of the channels closed so far: after the next select,
     * which deregisters them at its start (and so lets the JDK close their sockets). Loop thread.
     */
    void afterNextSelect(Runnable action) {
        afterNextSelect.add(action);
    }

    private void select() throws IOException {
        int after = afterNextSelect.size();
        selectOnce(after > 0);
        if (after > 0) {
            for (int i = 0; i < after; i++) afterNextSelect.get(i).run();
            afterNextSelect.subList(0, after).clear();
        }
    }

    /** Waits for I/O, a timer or an action from another thread, unless {@code now}; then runs the ready I/O. */
    private void selectOnce(boolean now) throws IOException {
        long timeoutMillis;
        if (now || !runQueue.isEmpty() || !inbox.isEmpty()) {
            timeoutMillis = -1;
        } else if (timers.size() == 0) {
            timeoutMillis = 0; // no deadline
        } else {
            long delay = timers.peek().deadline - System.nanoTime();
            timeoutMillis = delay <= 0 ? -1 : Math.max(1, (delay + 999_999) / 1_000_000);
        }
        Thread.interrupted(); // a status left set would make every select return at once: a spinning loop
        if (timeoutMillis < 0) {
            selector.selectNow(onReady);
            return;
        }
        sleeping.set(true);
        try {
            if (!inbox.isEmpty()) { // queued before sleeping was set: its sender saw no reason to wake us
                selector.selectNow(onReady);
            } else {
                selector.select(onReady, timeoutMillis);
            }
        } finally {
            sleeping.set(false);
        }
    }

    private void ready(SelectionKey key) {
        // a coroutine woken earlier in this select may have closed this key's channel
        if (key.isValid()) ((IoHandle) key.attachment()).ready(key);
    }

    /**
     * {@code counted}: among the {@code starting} ones (a start from another thread), until it is counted as live,
     * or refused: once or twice for a moment, never missed, and no longer by what its completion runs.
     */
    private void start(Task t, boolean counted) {
        try {
            if (phase == Phase.TERMINATED || phase == Phase.FORCED) { // new work during the grace period only
                RejectedExecutionException refused = new RejectedExecutionException(thread.getName()
                        + (phase == Phase.FORCED ? " is past its shutdown's grace period" : " has terminated"));
                if (counted) starting.decrementAndGet();
                counted = false;
                t.complete(refused);
                return;
            }
            live.add(t);
            liveCount = live.size();
        } finally {
            if (counted) starting.decrementAndGet();
        }
        t.state = Task.QUEUED;
        runQueue.add(t);
    }

    private void step(Task t) {
        Thread.interrupted(); // set by a coroutine that ran before, or another thread: not this one's to see
        current = t;
        t.state = Task.RUNNING;
        t.yielded = false;
        TaskParty party = t.partyIfAny();
        if (party != null) party.handedOff = false;
        Throwable pending = t.takePending();
        boolean suspended;
        try {
            suspended = pending == null ? t.coroutine.resume() : t.coroutine.resumeThrowing(pending);
        } catch (Throwable failure) {
            current = null;
            finish(t, failure);
            return;
        }
        current = null;
        party = t.partyIfAny(); // made during this turn if it first waited on a sched primitive now
        if (!suspended) {
            finish(t, null);
        } else if (t.state == Task.RUNNING) { // yieldNow()
            t.state = Task.QUEUED;
            t.yielded = true;
            runQueue.add(t);
            Throwable due = dueAtSuspension(party);
            if (due == null) due = standing(t);
            if (due != null) t.setPending(due);
        } else {
            Throwable due = dueAtSuspension(party);
            if (due == null) due = standing(t);
            if (due != null) interrupt(t, due);
        }
    }

    /**
     * What a task that just suspended gets at once: the oldest interruption deferred (taken), or the
     * deadline of a withTimeout whose time ran out while its body still runs (kept until the body ends).
     */
    private static Throwable dueAtSuspension(TaskParty party) {
        if (party == null) return null;
        Throwable d = party.deferred.poll();
        if (d != null) return d;
        return party.expired.isEmpty() ? null : party.expired.get(0);
    }

    private void finish(Task t, Throwable failure) {
        t.state = Task.DONE;
        withdraw(t);
        TcpSocket connection = t.connection();
        if (connection != null) connection.close(); // before completion: whoever learns the end finds it closed
        live.remove(t);
        liveCount = live.size();
        if (failure == null) {
            t.complete(null);
            return;
        }
        if (t.logFailure && !(failure instanceof CancellationException && (phase != Phase.RUNNING || isCancelled(t)))) {
            logQuietly(levelOf(failure), "coroutine " + t.name() + " on " + thread.getName() + " failed", failure);
        }
        t.complete(failure);
    }

    /**
     * DEBUG for how connections end every day on a busy server (a peer that resets or closes mid-message, a
     * socket closed under its reader, a read or write timeout), which would flood the log at WARNING; WARNING for
     * the rest, an {@code IOException} a handler throws of its own included.
     */
    private static System.Logger.Level levelOf(Throwable failure) {
        boolean peerOrTimeout = failure instanceof SocketException || failure instanceof EOFException
                || failure instanceof ClosedChannelException || failure instanceof SocketTimeoutException
                || isPeerGoneOnWrite(failure);
        return peerOrTimeout ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
    }

    /**
     * A write to a peer that reset or closed: the JDK's socket channels report it as a plain {@code IOException}
     * with the operating system's words (a {@code java.net.Socket} says {@code SocketException}), which is all
     * that tells it from a handler's own {@code IOException}.
     */
    private static boolean isPeerGoneOnWrite(Throwable failure) {
        if (failure.getClass() != java.io.IOException.class || failure.getMessage() == null) return false;
        String m = failure.getMessage();
        return m.equals("Broken pipe") || m.startsWith("Connection reset") || m.startsWith("An existing connection was"
                + " forcibly closed") || m.startsWith("An established connection was aborted");
    }

    // ---- waiting and waking (loop thread) ----

    /**
     * Suspends {@code t} until {@link #wake} (or {@link #interrupt}); {@code b} withdraws what it waits for if
     * the wait ends another way.
     */
    @Suspendable
    private static void park(Task t, Blocker b) {
        beginWait(t, b, 0);
        Coroutine.yield();
    }

    /**
     * {@link #park} up to its suspension, for a caller that suspends itself right after ({@code Coroutine.yield()})
     * and needs no value: one suspendable frame less to unwind and re-enter on the hot path of socket reads. With
     * {@code timeoutNanos > 0}, what {@code b} says a timeout is ({@link Blocker#timedOut}) is thrown into it then.
     */
    static void beginWait(Task t, Blocker b, long timeoutNanos) {
        t.blocker = b;
        t.state = Task.WAITING;
        if (timeoutNanos > 0) t.setWaitTimer(t.loop().timers.addAfter(timeoutNanos, t));
    }

    /**
     * A suspension of {@code c} was refused (see {@code Refusals}): if {@code c} is the running task's own
     * coroutine, it runs on, so what it was about to wait for (readiness, a timer, a sched primitive) is withdrawn.
     */
    private static void suspensionRefused(Continuation c) {
        EventLoop loop = CURRENT.get();
        Task t = loop == null ? null : loop.current;
        if (t == null || t.coroutine != c || t.state != Task.WAITING) return;
        loop.withdraw(t); // what another loop handed over meanwhile goes back (Blocker.cancel)
        t.state = Task.RUNNING;
    }

    /** The timer of {@code t}'s wait fired (a wait that ended withdrew its timer, so {@code t} still waits). */
    private void waitTimedOut(Task t) {
        Blocker b = t.blocker;
        if (t.state == Task.WAITING && b != null) interrupt(t, b.timedOut(t));
    }

    /**
     * Ends {@code t}'s I/O wait and runs it at once: called from the selector's callback, so that each ready
     * socket is answered as the selector reports it, as a callback-style loop does, rather than all of them after
     * the whole batch. Answers that go out in bursts of a thousand make the peers' work come back in bursts too,
     * and the two sides end up taking turns instead of working at once.
     */
    void wakeAndRun(Task t) {
        if (t.state != Task.WAITING) return;
        withdraw(t);
        step(t);
    }

    /** Ends {@code t}'s wait, with {@code failure} thrown at its suspension point if not null. */
    void wake(Task t, Throwable failure) {
        if (t.state != Task.WAITING) return;
        withdraw(t);
        t.setPending(failure);
        t.state = Task.QUEUED;
        runQueue.add(t);
    }

    /**
     * Throws {@code failure} into {@code t}: at once if it waits. If it was woken already (by what it waited for:
     * a job's result, a future, readiness, a value) and has not run yet, it goes on with that and gets
     * {@code failure} at its next suspension, so that a completed wait is never undone (a {@code blocking} job
     * that committed is not reported as timed out). So does one woken with another interruption already (a
     * deadline and the shutdown that fall due in one turn): none is dropped. A task not started yet ends at once,
     * and one queued by {@code yieldNow()} gets {@code failure} from that yield.
     */
    void interrupt(Task t, Throwable failure) {
        switch (t.state) {
            case Task.WAITING:
                Blocker b = t.blocker;
                t.blocker = null; // withdrawn here, not again by wake()
                if (b == null || b.tryCancel(t)) {
                    wake(t, failure);
                } else { // what it waited for completed first (a sched primitive's hand-off, a future whose
                         // wake-up is on its way): it goes on with that, and gets failure later
                    t.party().handedOff = true;
                    wake(t, null);
                    defer(t, failure);
                }
                break;
            case Task.QUEUED:
                TaskParty p = t.partyIfAny();
                if (p != null && p.handedOff) {
                    defer(t, failure); // what it was handed must reach it
                } else if (t.pending() == null && (t.yielded || t.coroutine.state() == Coroutine.State.NEW)) {
                    t.setPending(failure); // nothing was handed to it: thrown at its yield, or where it starts
                } else {
                    // woken by what it waited for, or with another interruption (a deadline and the shutdown in
                    // one turn): dropping this one would let it wait on after it
                    defer(t, failure);
                }
                break;
            default: // RUNNING cannot be interrupted; DONE has nothing left to interrupt
        }
    }

    private static void defer(Task t, Throwable failure) {
        t.party().deferred.add(failure);
    }

    // ---- waits on dev.spindle.sched primitives ----

    /** The task whose own coroutine runs on this thread, as a {@link Party}, or null. */
    private static Party currentParty() {
        EventLoop loop = CURRENT.get();
        Task t = loop == null ? null : loop.current;
        return t != null && Coroutine.current() == t.coroutine ? t.party() : null;
    }

    /** The task running on this thread, as a {@link Party}, whether its own coroutine runs or one nested in it. */
    private static Party enclosingParty() {
        EventLoop loop = CURRENT.get();
        Task t = loop == null ? null : loop.current;
        return t == null ? null : t.party();
    }

    /** A sched primitive completed {@code w}: wake {@code t} if that is still what it waits for. Loop thread. */
    void wakeFromSched(Task t, Party.Wait w) {
        Blocker b = t.blocker;
        if (t.state != Task.WAITING || !(b instanceof SchedWait) || ((SchedWait) b).wait != w) {
            return; // a stale wake: an interruption found the wait completed and resumed the task already
        }
        t.blocker = null; // completed: nothing to withdraw
        t.party().handedOff = true;
        wake(t, null);
    }

    /**
     * The loop is terminating with tasks still waiting on sched primitives: withdraw each wait, or give back what
     * it was handed. Every wait is detached first, so that a value given back to a primitive and handed on to
     * another task of this loop is not woken into a dead run queue but given back again in its turn.
     */
    private void abandonWaits() {
        List<Party.Wait> waits = new ArrayList<>();
        for (Task t : live.snapshot()) {
            if (t.blocker instanceof SchedWait) {
                waits.add(((SchedWait) t.blocker).wait);
                t.blocker = null;
            }
        }
        for (Party.Wait w : waits) {
            try {
                if (!w.cancel()) w.abandon();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "withdrawing a wait on " + thread.getName() + " failed", e);
            }
        }
    }

    private void withdraw(Task t) {
        Blocker b = t.blocker;
        t.blocker = null;
        if (b != null) b.cancel(t);
        Timer wt = t.takeWaitTimer();
        if (wt != null) timers.remove(wt);
    }

    /**
     * Throws what {@code t} would get at its next suspension if that is already known: the deadline of a
     * {@code withTimeout} that has run out, or the end of its loop's grace period.
     */
    private static void throwIfDue(Task t) {
        TaskParty party = t.partyIfAny();
        if (party != null && !party.expired.isEmpty()) throw sneaky(party.expired.get(0));
        CancellationException standing = t.loop().standing(t);
        if (standing != null) throw standing;
    }

    /** {@link Task#cancel()} on the loop's thread. */
    void cancel(Task t) {
        if (t.state == Task.DONE || isCancelled(t)) return;
        t.party().cancelled = true;
        interrupt(t, cancelled(t)); // a running task (it cancels itself) gets it at its next suspension
    }

    private static boolean isCancelled(Task t) {
        TaskParty party = t.partyIfAny();
        return party != null && party.cancelled;
    }

    /** One for each suspension it strikes, as {@link #forcedStop()}. */
    private static CancellationException cancelled(Task t) {
        return new CancellationException(t.name() + " was cancelled");
    }

    @Suspendable
    @SuppressWarnings("unchecked")
    private static <T> T awaitFuture(Task t, CompletableFuture<T> f, Future<?> job) {
        if (!f.isDone()) {
            FutureWait w = new FutureWait(t, job);
            w.register(f);
            park(t, w);
        }
        try {
            return f.getNow(null);
        } catch (CompletionException | CancellationException e) {
            // what the future holds: from JDK 23 getNow wraps a cancellation in a new one of its own
            throw sneaky(unwrap(f.handle((v, x) -> x).getNow(null)));
        }
    }

    /**
     * The exception a failed future holds, from what {@code getNow} threw: without the one
     * {@code CompletionException} the future adds (as {@code CompletableFuture.exceptionNow} does), and never
     * further: an {@code ExecutionException} or {@code CompletionException} the code threw itself stays.
     */
    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
        throw (E) e;
    }

    /** The task whose coroutine runs on this thread now; refused, with the reason, anywhere else. */
    static Task requireTask(String what) {
        EventLoop loop = CURRENT.get();
        Task t = loop == null ? null : loop.current;
        if (t != null && Coroutine.current() == t.coroutine) return t;
        throw new IllegalStateException("cannot " + what + " here: only a coroutine of an EventLoop can (one"
                + " started with EventLoop.spawn/submit/serve), called through @Suspendable methods"
                + (t != null ? "; this is a coroutine nested inside " + t.name() : ""));
    }

    /** The task of this loop whose coroutine runs now, if the caller is that coroutine; else null. */
    Task currentTask() {
        Task c = current; // the common case, a coroutine of this loop, without requireTask's thread-local lookup
        return c != null && Thread.currentThread() == thread && Coroutine.current() == c.coroutine ? c : null;
    }

    /**
     * The task running on this loop now, for an operation on one of its channels; refused anywhere else.
     * {@code what} names the operation and the channel ("read from /10.0.0.7:5123").
     */
    Task requireTaskOf(String what) {
        Task c = currentTask();
        if (c != null) return c;
        Task t = requireTask(what);
        if (t.loop() != this) {
            throw new IllegalStateException("cannot " + what + " in " + t.name() + ", a coroutine of "
                    + t.loop().thread.getName() + ": the channel belongs to " + thread.getName()
                    + ", and a socket stays on its loop (hand the work to a coroutine of " + thread.getName() + ")");
        }
        return t;
    }

    /**
     * Registers {@code ch} with this loop's selector, with no interest yet: from then on it is one of the loop's
     * open channels, closed at shutdown. Any thread (a selector takes registrations during a select).
     *
     * @throws RejectedExecutionException if the loop has terminated
     */
    SelectionKey register(SelectableChannel ch, IoHandle h) throws IOException {
        if (phase == Phase.TERMINATED) throw new RejectedExecutionException(thread.getName() + " has terminated");
        try {
            return ch.register(selector, 0, h);
        } catch (ClosedSelectorException terminated) {
            throw new RejectedExecutionException(thread.getName() + " has terminated");
        }
    }

    /** The handles of the channels of this loop not closed yet (sockets and servers). Loop thread. */
    private List<IoHandle> openHandles() {
        List<IoHandle> all = new ArrayList<>();
        for (SelectionKey k : selector.keys()) {
            IoHandle h = (IoHandle) k.attachment();
            if (k.channel().isOpen()) all.add(h);
        }
        return all;
    }

    /** Open channels of this loop (sockets and servers), for leak checks. Loop thread. */
    int openChannels() {
        return openHandles().size();
    }

    static long deadline(long nanos) {
        long now = System.nanoTime();
        long d = now + nanos;
        return nanos > 0 && d - now < 0 ? now + Long.MAX_VALUE / 2 : d;
    }

    /** A timeout's nanoseconds, a negative one taken as zero (which a socket's timeouts read as none). */
    static long timeoutNanos(Duration d) {
        return Math.max(0, nanos(d));
    }

    /**
     * A socket's timeout in nanoseconds, zero for none; a negative one is refused, as {@code Socket.setSoTimeout}
     * refuses it, since it more likely comes from a mistake than means "none".
     */
    static long socketTimeoutNanos(Duration d, String what) {
        long nanos = nanos(d);
        if (nanos < 0) {
            throw new IllegalArgumentException(what + ": a timeout cannot be negative (" + d + "); zero means none");
        }
        return nanos;
    }

    static long nanos(Duration d) {
        Objects.requireNonNull(d, "duration");
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE / 4;
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing: nothing useful to do with it
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + thread.getName() + ", " + phase + ", " + liveCount + " tasks]";
    }
}
