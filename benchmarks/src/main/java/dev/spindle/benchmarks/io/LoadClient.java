package dev.spindle.benchmarks.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The load of the I/O benchmark, the same for every server, in a process of its own: {@code connections}
 * connections, opened before the clock starts, each keeping one request in flight and checking every answer
 * ({@code echo}: a 32-byte message comes back unchanged; {@code http}: {@code GET /} on a kept-alive connection
 * gets status 200 and the body {@code Hello, World!}). {@code warmup} seconds unmeasured, then {@code seconds}
 * measured; prints one line, {@code connections round_trips_per_s p50_us p99_us total_round_trips client_cpu_us_per_round_trip}, then keeps the connections
 * open and idle for {@code hold} seconds, while the script measures the server's memory.
 *
 * <p>It is a hand-written selector loop on one thread, the cheapest client there is, so that it is not what
 * limits the servers (it has a core of its own).
 *
 * <pre>
 * java -cp benchmarks/target/spindle-benchmarks.jar dev.spindle.benchmarks.io.LoadClient http 127.0.0.1 9000 1000 5 10 4
 * </pre>
 *
 * <p>With {@code -Dloadclient.detail=true} it also prints, after that line, the tail of the latencies (p90,
 * p99.9, max), the latencies of each quarter second of the run, and how evenly the connections were served (the
 * spread of their round trip counts): what tells a server that starves some connections from one whose tail
 * comes from the two sides taking turns.
 */
public final class LoadClient {
    private static final byte[] ECHO = new byte[32];
    private static final byte[] STATUS_OK = "HTTP/1.1 200 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static {
        Arrays.fill(ECHO, (byte) 'x');
    }

    private final boolean http;
    private final byte[] request;
    private final Selector sel;
    private long measureFrom;
    private long measureTo;
    private static final boolean DETAIL = Boolean.getBoolean("loadclient.detail");

    private long[] latencies = new long[1 << 20];
    /** When each measured round trip ended (only with {@link #DETAIL}). */
    private long[] endedAt = DETAIL ? new long[1 << 20] : null;
    private int measured;
    /** Every answer since the first request, warm-up included: the script divides the server's CPU time by it. */
    private long total;

    /** One connection: its input, and when its request in flight was sent. */
    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocate(1024);
        final ByteBuffer out;
        long sentAt;
        /** Round trips measured. */
        int served;

        Conn(SocketChannel ch, byte[] request) {
            this.ch = ch;
            this.out = ByteBuffer.wrap(request);
        }
    }

    private LoadClient(boolean http) throws IOException {
        this.http = http;
        this.request = http ? Http1.REQUEST : ECHO;
        this.sel = Selector.open();
    }

    public static void main(String[] args) throws Exception {
        boolean http = args[0].equals("http");
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int connections = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        int hold = args.length > 6 ? Integer.parseInt(args[6]) : 4;
        new LoadClient(http).run(server, connections, warmup, seconds, hold);
    }

    private void run(InetSocketAddress server, int connections, int warmup, int seconds, int hold) throws Exception {
        Conn[] conns = new Conn[connections];
        for (int i = 0; i < connections; i++) {
            // one connect at a time: the server's accept queue (the kernel's default backlog) never overflows
            SocketChannel ch = SocketChannel.open(server);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            conns[i] = new Conn(ch, request);
            ch.register(sel, SelectionKey.OP_READ, conns[i]);
        }
        long start = System.nanoTime();
        measureFrom = start + warmup * 1_000_000_000L;
        measureTo = measureFrom + seconds * 1_000_000_000L;
        for (Conn c : conns) send(c, start);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuFrom = -1;
        for (long now; (now = System.nanoTime()) < measureTo; ) {
            if (cpuFrom < 0 && now >= measureFrom) cpuFrom = cpu.getCurrentThreadCpuTime();
            sel.select(this::ready, Math.max(1, Math.min(100, (measureTo - now) / 1_000_000)));
        }
        double clientCpuMicros = (cpu.getCurrentThreadCpuTime() - cpuFrom) / 1e3 / Math.max(1, measured);
        long[] all = Arrays.copyOf(latencies, measured);
        Arrays.sort(all);
        System.out.printf("%d %.0f %.0f %.0f %d %.1f%n", connections, measured / (double) seconds, pct(all, 0.5) / 1e3,
                pct(all, 0.99) / 1e3, total, clientCpuMicros);
        if (DETAIL) printDetail(all, conns, seconds);
        System.out.flush();
        Thread.sleep(hold * 1000L); // idle connections, still open: the script measures the server's memory now
        for (Conn c : conns) c.ch.close();
    }

    private void ready(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        try {
            if (key.isWritable()) {
                c.ch.write(c.out);
                if (c.out.hasRemaining()) return;
                key.interestOps(SelectionKey.OP_READ);
            }
            if (!key.isReadable()) return;
            if (c.ch.read(c.in) < 0) throw new IOException("the server closed a connection");
            if (!complete(c)) return;
            total++;
            long now = System.nanoTime();
            if (c.sentAt >= measureFrom && now <= measureTo) {
                if (measured == latencies.length) {
                    latencies = Arrays.copyOf(latencies, measured * 2);
                    if (DETAIL) endedAt = Arrays.copyOf(endedAt, measured * 2);
                }
                if (DETAIL) endedAt[measured] = now;
                latencies[measured++] = now - c.sentAt;
                c.served++;
            }
            if (now < measureTo) send(c, now);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void send(Conn c, long now) throws IOException {
        c.sentAt = now;
        c.out.clear();
        c.ch.write(c.out);
        if (c.out.hasRemaining()) c.ch.keyFor(sel).interestOps(SelectionKey.OP_WRITE);
    }

    /** True once the whole answer is in (and checked); the input is then empty again. */
    private boolean complete(Conn c) throws IOException {
        byte[] b = c.in.array();
        int n = c.in.position();
        if (!http) {
            if (n < ECHO.length) return false;
            if (n > ECHO.length || !Arrays.equals(b, 0, n, ECHO, 0, ECHO.length)) throw new IOException("bad echo");
            c.in.clear();
            return true;
        }
        int end = Http1.headerEnd(b, 0, n);
        if (end < 0) return false;
        if (!Http1.startsWith(b, 0, n, STATUS_OK)) {
            throw new IOException("not 200: " + new String(b, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        int length = Http1.contentLength(b, Http1.lineEnd(b, 0, end) + 2, end - 2);
        if (length != Http1.BODY.length) throw new IOException("Content-Length " + length);
        if (n < end + length) return false;
        if (n > end + length || !Arrays.equals(b, end, n, Http1.BODY, 0, length)) throw new IOException("bad body");
        c.in.clear();
        return true;
    }

    private void printDetail(long[] sorted, Conn[] conns, int seconds) {
        System.out.printf("detail: p90 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms%n", pct(sorted, 0.9) / 1e6,
                pct(sorted, 0.99) / 1e6, pct(sorted, 0.999) / 1e6, pct(sorted, 1) / 1e6);
        long window = 250_000_000L;
        for (long from = measureFrom; from < measureTo; from += window) {
            long[] w = new long[measured];
            int n = 0;
            for (int i = 0; i < measured; i++) {
                if (endedAt[i] >= from && endedAt[i] < from + window) w[n++] = latencies[i];
            }
            w = Arrays.copyOf(w, n);
            Arrays.sort(w);
            System.out.printf("detail: %5.2f s: %6d round trips, p50 %4.0f ms, p99 %4.0f ms%n",
                    (from - measureFrom) / 1e9, n, pct(w, 0.5) / 1e6, pct(w, 0.99) / 1e6);
        }
        int[] served = new int[conns.length];
        for (int i = 0; i < served.length; i++) served[i] = conns[i].served;
        Arrays.sort(served);
        System.out.printf("detail: round trips per connection in %d s: min %d, p1 %d, median %d, p99 %d, max %d%n",
                seconds, served[0], served[served.length / 100], served[served.length / 2],
                served[served.length * 99 / 100], served[served.length - 1]);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }
}
