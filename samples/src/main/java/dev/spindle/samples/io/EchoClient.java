package dev.spindle.samples.io;

import dev.spindle.samples.AgentCheck;
import dev.spindle.samples.SampleArgs;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.TcpSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A load generator for {@link EchoServer}: {@code connections} coroutines, each with one 32-byte message in
 * flight at a time, for {@code seconds}; every echo is checked byte for byte. It prints round trips per second
 * and the p50/p99/max round-trip latency. The clients are coroutines too, so 10,000 connections take 10,000
 * sockets and no extra threads (mind {@code ulimit -n}: each connection is one descriptor here and one in the
 * server).
 *
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar \
 *     dev.spindle.samples.io.EchoClient [host] [port] [connections] [seconds] [loops]
 * </pre>
 */
public final class EchoClient {
    private EchoClient() {
    }

    public static void main(String[] args) throws Exception {
        AgentCheck.requireAgent(EchoClient.class);
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = SampleArgs.intArg(args, 1, "port", 7007);
        int connections = SampleArgs.intArg(args, 2, "connections", 100);
        int seconds = SampleArgs.intArg(args, 3, "seconds", 5);
        int loops = SampleArgs.intArg(args, 4, "loops", Runtime.getRuntime().availableProcessors());
        InetSocketAddress server = new InetSocketAddress(host, port);
        AtomicBoolean running = new AtomicBoolean(true);
        try (EventLoopGroup group = new EventLoopGroup(loops)) {
            List<CompletableFuture<long[]>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int id = c;
                results.add(group.next().submit(() -> run(server, id, running)));
            }
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            running.set(false);
            long[] all;
            try {
                all = results.stream().map(CompletableFuture::join).flatMapToLong(Arrays::stream).toArray();
            } catch (CompletionException e) {
                System.err.println("EchoClient: " + e.getCause().getMessage());
                System.exit(1);
                return;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            Arrays.sort(all);
            System.out.printf("%d connections, %d round trips in %.1f s: %.0f/s; latency p50 %.0f us, p99 %.0f us,"
                    + " max %.0f us%n", connections, all.length, elapsed, all.length / elapsed,
                    pct(all, 0.50) / 1e3, pct(all, 0.99) / 1e3, all.length == 0 ? 0 : all[all.length - 1] / 1e3);
        }
    }

    /** One connection's round trips until {@code running} goes false; returns each one's latency in ns. */
    @dev.spindle.Suspendable
    static long[] run(InetSocketAddress server, int id, AtomicBoolean running) {
        byte[] msg = new byte[32];
        Arrays.fill(msg, (byte) ('a' + id % 26));
        long[] lat = new long[1024];
        int n = 0;
        try (TcpSocket s = TcpSocket.connect(server)) {
            ByteBuffer out = ByteBuffer.wrap(msg);
            ByteBuffer in = ByteBuffer.allocate(32);
            while (running.get()) {
                long t0 = System.nanoTime();
                out.clear();
                s.writeAll(out);
                in.clear();
                s.readFully(in);
                if (!Arrays.equals(msg, in.array())) throw new IllegalStateException("corrupt echo on " + id);
                if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                lat[n++] = System.nanoTime() - t0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("connection " + id + " to " + server + ": " + e, e);
        }
        return Arrays.copyOf(lat, n);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }
}
