package dev.spindle.benchmarks.io;

import dev.spindle.Suspendable;
import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.TcpSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The load of the I/O benchmark, the same for every server: {@code connections} connections (opened before
 * the clock starts), each with one 32-byte message in flight, checked on return; {@code warmup} seconds
 * unmeasured, then {@code seconds} measured. Prints one line: {@code connections throughput p50_us p99_us}, then
 * holds the connections open, idle, for four seconds (when the script measures the server's memory).
 * It runs on Spindle event loops itself ({@code loops} of them), in its own process.
 *
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp benchmarks/target/spindle-benchmarks.jar \
 *     dev.spindle.benchmarks.io.EchoBenchClient 127.0.0.1 9000 1000 5 10 1
 * </pre>
 */
public final class EchoBenchClient {
    /** 0: connecting, 1: warm-up, 2: measuring, 3: stop. Written by main, read by the loops. */
    static volatile int phase;
    static final long HOLD_MILLIS = 4000;

    private EchoBenchClient() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int connections = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int loops = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        try (EventLoopGroup group = new EventLoopGroup(loops)) {
            List<CompletableFuture<long[]>> results = new ArrayList<>();
            CompletableFuture<Void> go = new CompletableFuture<>();
            CompletableFuture<Void> release = new CompletableFuture<>();
            List<CompletableFuture<Void>> connected = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                CompletableFuture<Void> up = new CompletableFuture<>();
                connected.add(up);
                CompletableFuture<long[]> measured = new CompletableFuture<>();
                results.add(measured);
                group.next().spawn(() -> run(server, up, go, measured, release));
            }
            CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).join();
            phase = 1;
            go.complete(null);
            Thread.sleep(warmup * 1000L);
            phase = 2;
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            phase = 3;
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] all = results.stream().map(CompletableFuture::join).flatMapToLong(Arrays::stream).toArray();
            Arrays.sort(all);
            System.out.printf("%d %.0f %.0f %.0f%n", connections, all.length / elapsed, pct(all, 0.5) / 1e3,
                    pct(all, 0.99) / 1e3);
            System.out.flush();
            Thread.sleep(HOLD_MILLIS); // connections stay open, idle: the script measures the server's memory now
            release.complete(null);
            group.shutdown(Duration.ofSeconds(1)).join();
        }
    }

    @Suspendable
    static void run(InetSocketAddress server, CompletableFuture<Void> up, CompletableFuture<Void> go,
                    CompletableFuture<long[]> measured, CompletableFuture<Void> release) {
        byte[] msg = new byte[32];
        Arrays.fill(msg, (byte) 'x');
        long[] lat = new long[256];
        int n = 0;
        try (TcpSocket s = TcpSocket.connect(server)) {
            up.complete(null);
            EventLoop.await(go);
            ByteBuffer out = ByteBuffer.wrap(msg);
            ByteBuffer in = ByteBuffer.allocate(32);
            for (int p; (p = phase) < 3; ) {
                long t0 = System.nanoTime();
                out.clear();
                s.writeAll(out);
                in.clear();
                s.readFully(in);
                if (p == 2) {
                    if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                    lat[n++] = System.nanoTime() - t0;
                }
            }
            measured.complete(Arrays.copyOf(lat, n));
            EventLoop.await(release); // keep the connection open, idle, until the memory is measured
        } catch (IOException e) {
            up.completeExceptionally(e);
            measured.completeExceptionally(e);
            throw new UncheckedIOException(e);
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }
}
