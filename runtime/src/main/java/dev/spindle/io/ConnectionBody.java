package dev.spindle.io;

import dev.spindle.SuspendableRunnable;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The body of a connection's coroutine: {@code handler.handle(socket)} as a lambda proxy bound to both, with no
 * method of its own in between.
 *
 * <p>Why not a plain lambda {@code () -> handler.handle(socket)}: its method would be a suspended frame below the
 * handler's for the whole life of the connection, and a coroutine that suspends again while an outer frame is
 * still saved stacks its new frames above the old ones instead of reusing their room; at 10,000 idle connections
 * that was 88 of their bytes each. A proxy made by {@link LambdaMetafactory} with the handler's own method as its
 * target calls it directly, and proxies are not instrumented, so the handler's frame is the outermost one: when
 * it resumes, the saved stack is empty and its next suspension fits where the first one was. The socket is
 * closed by the loop when the coroutine ends, which is what a {@code finally} in the lambda did.
 */
final class ConnectionBody {
    /** {@code (ConnectionHandler, TcpSocket) -> SuspendableRunnable}, made once. */
    private static final MethodHandle BIND;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodType run = MethodType.methodType(void.class);
            CallSite site = LambdaMetafactory.metafactory(lookup, "run",
                    MethodType.methodType(SuspendableRunnable.class, ConnectionHandler.class, TcpSocket.class), run,
                    lookup.findVirtual(ConnectionHandler.class, "handle", MethodType.methodType(void.class,
                            TcpSocket.class)), run);
            BIND = site.getTarget();
        } catch (Throwable e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ConnectionBody() {
    }

    /** A runnable that calls {@code handler.handle(socket)}; what the handler throws comes out of it unchanged. */
    static SuspendableRunnable of(ConnectionHandler handler, TcpSocket socket) {
        try {
            return (SuspendableRunnable) BIND.invokeExact(handler, socket);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot bind a connection handler", e); // the factory has no checked ones
        }
    }
}
