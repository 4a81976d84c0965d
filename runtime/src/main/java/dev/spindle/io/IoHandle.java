package dev.spindle.io;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;

/**
 * A channel of one loop and the coroutines waiting on it: at most one waits to read (or accept) and one to
 * write (or connect), so a proxy can pump both ways at once.
 *
 * <p>Read interest stays registered after a wait ends: a connection that reads, answers and reads again (every
 * request-response protocol) waits again with nothing to change in the selector, where setting and clearing
 * interest around each wait would cost two {@code epoll_ctl} system calls per round trip. It is cleared only when
 * the selector reports input that no coroutine waits for, so an idle-but-busy coroutine does not make the loop
 * spin. Write interest is cleared as soon as its wait ends: a socket is writable almost all the time.
 * One handle is the {@link Blocker} of all its waits, so a wait allocates nothing.
 *
 * <p>A {@link TcpSocket} is its own handle (a subclass): a connection's socket and the state of its waits are
 * one object, where a socket holding a handle was two per connection. Servers and UDP sockets hold one.
 */
sealed class IoHandle extends Blocker permits TcpSocket {
    private static final int READS = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITES = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;

    final EventLoop loop;
    /**
     * Registered (with no interest) as the channel opens, so that the selector's key set is the loop's list of
     * open channels, which shutdown closes: no list of its own threaded through every handle. It also holds
     * the channel.
     */
    private final SelectionKey key;
    /**
     * The interest set registered with the selector, kept here so that checking it costs no call into the key;
     * a byte, as the operations fit in one (a socket's bytes count at 10,000 connections).
     */
    private byte interest;
    private Task reader;
    private Task writer;
    private boolean closed;

    /** Any thread; {@code channel} is closed if this fails (a RejectedExecutionException once the loop is gone). */
    IoHandle(EventLoop loop, SelectableChannel channel) throws IOException {
        this.loop = loop;
        try {
            channel.configureBlocking(false);
            key = loop.register(channel, this);
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Suspends the calling coroutine until {@code op} is ready (then the caller retries its operation), the
     * timeout passes ({@link SocketTimeoutException}) or the channel is closed ({@link AsynchronousCloseException}).
     */
    @Suspendable
    void await(int op, long timeoutNanos, String verb, Object target) throws IOException {
        beginWait(op, timeoutNanos, verb, target);
        Coroutine.yield(); // the waker leaves no value: an exception, if any, is thrown here
    }

    /**
     * {@link #await} up to its suspension: the caller suspends right after with {@code Coroutine.yield()}, so that
     * the hot read path has one frame fewer to unwind and re-enter on each wait.
     */
    void beginWait(int op, long timeoutNanos, String verb, Object target) throws IOException {
        // the description is only built when it is needed (an error, a timeout): waits are the hot path
        Task t = loop.currentTask();
        if (t == null) t = loop.requireTaskOf(verb + " " + described(target));
        if (closed) throw new ClosedChannelException();
        boolean read = (op & READS) != 0;
        Task waiting = read ? reader : writer;
        if (waiting != null) throw busy(verb, target, t, waiting);
        if ((interest & op) != op) {
            interest |= (byte) op;
            key.interestOps(interest);
        }
        if (read) {
            reader = t;
        } else {
            writer = t;
        }
        EventLoop.beginWait(t, this, timeoutNanos);
    }

    /**
     * Refuses {@code verb} on {@code target} (this channel as a message names it) from a thread other than the
     * loop's, before the operation touches the channel: the one that does not have to wait is refused too. Only
     * a thread comparison on the hot path; one that has to wait is checked further by {@link #beginWait}.
     */
    final void checkCaller(String verb, Object target) {
        if (!loop.inLoop()) loop.requireTaskOf(verb + " " + described(target)); // throws, naming the cause
    }

    /**
     * {@link #checkCaller(String, Object)}, and refuses a second reader (or writer) of a byte stream while another
     * coroutine waits to do {@code op} here: one that found data (or room) at once would otherwise take bytes meant
     * for the waiting one, or splice its bytes into the middle of the other's write. (Not for datagrams and
     * accepts, which come whole: several coroutines may take them in turn, as in Go.)
     */
    final void checkCaller(String verb, Object target, int op) {
        checkCaller(verb, target);
        Task waiting = (op & READS) != 0 ? reader : writer;
        if (waiting != null) throw busy(verb, target, loop.currentTask(), waiting);
    }

    private static IllegalStateException busy(String verb, Object target, Task caller, Task waiting) {
        return new IllegalStateException("cannot " + verb + " " + described(target) + " from "
                + (caller != null ? caller.name() : "an action on the loop's thread") + ": " + waiting.name()
                + " already waits to do that on this channel, which has one reader and one writer at a time (so"
                + " that their bytes do not interleave). Leave that side to one coroutine, or have them take turns"
                + " with a dev.spindle.sched.Mutex");
    }

    /**
     * A timed wait of a handle that is not a {@link TcpSocket} (which says its own) timed out: a UDP socket's
     * receive or send, a server's accept. Described from the channel rather than from what the wait was given,
     * which would take a lambda per wait.
     */
    @Override
    Throwable timedOut(Task waiter) {
        String local;
        try {
            local = String.valueOf(((NetworkChannel) channel()).getLocalAddress());
        } catch (IOException e) {
            local = String.valueOf(channel());
        }
        String what = channel() instanceof ServerSocketChannel ? "accept on "
                : reads(waiter) ? "receive on " : "send on ";
        return new SocketTimeoutException(what + local + " timed out");
    }

    /** Whether {@code waiter} waits here to read (or accept) rather than to write (or connect). */
    final boolean reads(Task waiter) {
        return waiter == reader;
    }

    /** {@code waiter}'s wait here ended (woken, timed out or interrupted). */
    @Override
    void cancel(Task waiter) {
        if (reader == waiter) reader = null;
        if (writer == waiter) {
            writer = null;
            clearInterest(WRITES);
        }
    }

    private void clearInterest(int ops) {
        if ((interest & ops) == 0) return;
        interest &= (byte) ~ops;
        if (key.isValid()) key.interestOps(interest);
    }

    /** The selector reports {@code key} ready. */
    void ready(SelectionKey key) {
        int ops = key.readyOps();
        if ((ops & READS) != 0) {
            if (reader != null) {
                loop.wakeAndRun(reader);
            } else {
                clearInterest(READS); // nobody reads now; whoever reads next finds the input, or registers again
            }
        }
        if ((ops & WRITES) != 0 && writer != null) loop.wakeAndRun(writer);
    }

    boolean isOpen() {
        return !closed && key.channel().isOpen();
    }

    /** Closes the channel; coroutines waiting on it get an {@link AsynchronousCloseException}. Loop thread. */
    void closeOnLoop() {
        if (closed) return;
        closed = true;
        if (reader != null) loop.wake(reader, new AsynchronousCloseException());
        if (writer != null) loop.wake(writer, new AsynchronousCloseException());
        closeChannel();
    }

    /** Closes the channel from any thread, waking waiters on the loop when it still runs. */
    void closeFromAnyThread() {
        closeFromAnyThread(this::closeOnLoop);
    }

    /**
     * Runs {@code close} (which calls {@link #closeOnLoop}) on the loop, now if this is the loop's thread; once
     * the loop has ended, only closes the channel.
     */
    void closeFromAnyThread(Runnable close) {
        if (loop.inLoop()) {
            close.run();
            return;
        }
        try {
            loop.execute(close);
        } catch (java.util.concurrent.RejectedExecutionException terminated) {
            closeChannel();
        }
    }

    /**
     * Closes it, and completes {@code released} once the selector has let go of the channel: the JDK closes a
     * registered channel's socket only then, and until then the system still completes connections to a server's
     * port and cannot bind its address again. Outside the event loops it waits for that (as
     * {@code ServerSocket.close()} returns with the port free), a second at most if code blocks the loop's
     * thread; a loop's thread, which must not wait, goes on at once, and the port is free after the loop's next
     * turn.
     */
    void closeReleasing(java.util.concurrent.CompletableFuture<Void> released) {
        if (released.isDone()) return;
        closeFromAnyThread(() -> {
            closeOnLoop();
            loop.afterNextSelect(() -> released.complete(null));
        });
        EventLoop.awaitOffLoop(java.util.concurrent.CompletableFuture.anyOf(released, loop.termination()));
    }

    @Override
    public String toString() {
        return "IoHandle[" + key.channel() + "]";
    }

    /** Closes the channel, which cancels its key: the selector drops it from the loop's open channels. */
    void closeChannel() {
        EventLoop.closeQuietly(key.channel());
    }

    SelectableChannel channel() {
        return key.channel();
    }

    /** {@code target} as a message shows it: a socket by its peer's address, a UDP socket by its own. */
    private static String described(Object target) {
        if (target instanceof UdpSocket u) return String.valueOf(u.localAddress());
        return target instanceof TcpSocket s ? s.peer() : String.valueOf(target);
    }
}
