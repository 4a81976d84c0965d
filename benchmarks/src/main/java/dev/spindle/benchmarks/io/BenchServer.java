package dev.spindle.benchmarks.io;

import java.net.InetSocketAddress;

/**
 * One server of the I/O benchmark per process: {@code variant} is {@code spindle} (one {@code EventLoop}, a
 * coroutine per connection), {@code netty} (Netty's NIO transport, one event loop thread), {@code nio} (a
 * hand-written single-thread callback-style selector loop: the ceiling for one event loop), {@code virtual} (a
 * virtual thread per connection) or {@code threads} (a platform thread per connection); {@code workload} is
 * {@code echo} or {@code http}. Prints {@code READY} once listening and serves until killed. Run by
 * {@code benchmarks/io-bench.sh}:
 *
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp benchmarks/target/spindle-benchmarks.jar \
 *     dev.spindle.benchmarks.io.BenchServer spindle http 9000
 * </pre>
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        boolean http = switch (args[1]) {
            case "echo" -> false;
            case "http" -> true;
            default -> throw new IllegalArgumentException("workload: echo or http, not " + args[1]);
        };
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2]));
        switch (variant) {
            case "spindle" -> SpindleServer.start(addr, http);
            case "netty" -> NettyServer.start(addr, http);
            case "nio" -> new NioServer(addr, http).startThread();
            case "threads" -> ThreadServer.start(addr, http, false);
            case "virtual" -> ThreadServer.start(addr, http, true);
            default -> throw new IllegalArgumentException(
                    "variant: spindle, netty, nio, virtual or threads, not " + variant);
        }
        System.out.println("READY");
    }
}
