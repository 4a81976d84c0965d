package dev.spindle.samples.io;

import dev.spindle.samples.AgentCheck;
import dev.spindle.samples.SampleArgs;
import dev.spindle.io.ConnectionHandler;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Listener;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * An echo server with a coroutine per connection, on an {@link EventLoopGroup} of one loop per core. The
 * handler reads like thread-per-connection code: {@code read} and {@code writeAll} suspend the connection's
 * coroutine, never the thread, so one loop serves thousands of connections. Stop it with Ctrl-C: the shutdown
 * hook stops accepting and gives open connections a second to finish.
 *
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar \
 *     dev.spindle.samples.io.EchoServer [port] [loops]
 * </pre>
 */
public final class EchoServer {
    /** How long a peer may send nothing, or take nothing we send, before it is cut off. */
    static final Duration IDLE = Duration.ofMinutes(1);

    /**
     * Echoes what it reads until the peer closes its side. A peer that goes silent, or stops reading, for
     * {@link #IDLE} is cut off: the timeout's exception ends the coroutine, the loop closes the socket and logs it
     * at DEBUG only, as a vanished peer, so an idle or slowloris client holds neither a coroutine nor a descriptor.
     */
    static final ConnectionHandler ECHO = socket -> {
        socket.setReadTimeout(IDLE);
        socket.setWriteTimeout(IDLE);
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        while (socket.read(buf) >= 0) {
            buf.flip();
            socket.writeAll(buf);
            buf.clear();
        }
    };

    private EchoServer() {
    }

    public static void main(String[] args) throws Exception {
        AgentCheck.requireAgent(EchoServer.class);
        int port = SampleArgs.intArg(args, 0, "port", 7007);
        int loops = SampleArgs.intArg(args, 1, "loops", Runtime.getRuntime().availableProcessors());
        EventLoopGroup group = new EventLoopGroup(loops);
        Listener l = group.serve(new InetSocketAddress(port), ECHO);
        System.out.println("echo server on " + l.localAddress() + " with " + loops + " loop(s); Ctrl-C to stop");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            group.shutdown(Duration.ofSeconds(1)).join();
            System.out.println("stopped after " + l.accepted() + " connections");
        }));
    }
}
