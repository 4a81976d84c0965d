package dev.spindle.io.http;

import dev.spindle.Suspendable;
import dev.spindle.io.ConnectionHandler;
import dev.spindle.io.DeadlineExceededException;
import dev.spindle.io.EventLoop;
import dev.spindle.io.SocketInput;
import dev.spindle.io.TcpSocket;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * A small HTTP/1.1 server as a {@link ConnectionHandler}: one coroutine per connection reads requests (request
 * line, headers, a {@code Content-Length} or chunked body), calls the {@link HttpHandler} and writes the responses
 * in order, so keep-alive and pipelining come for free. Malformed requests get {@code 400} (also ambiguous
 * framing: both {@code Transfer-Encoding} and {@code Content-Length}), a body over the limit {@code 413}, a request
 * line or header section over the limit {@code 414}/{@code 431}, a transfer coding other than {@code chunked}
 * {@code 501}, an HTTP version other than 1.x {@code 505} (a later 1.x is served as 1.1), a request not read
 * within {@code requestTimeout} (slowloris) {@code 408}; each of them closes the connection. A connection idle
 * longer than {@code idleTimeout} between requests is closed, and so is one whose client stops reading a response
 * for {@code requestTimeout}. When the loop shuts down, connections waiting for their next request are closed at
 * once, and a request in flight gets its response with {@code Connection: close}.
 *
 * <pre>{@code
 * EventLoopGroup group = new EventLoopGroup();
 * group.serve(new InetSocketAddress(8080), new HttpServer(req -> HttpResponse.text(200, "hello\n")));
 * }</pre>
 */
public final class HttpServer implements ConnectionHandler {
    private static final System.Logger LOG = System.getLogger("dev.spindle.io.http");

    /**
     * The bounds one connection may use.
     *
     * @param maxRequestLine bytes in the request line
     * @param maxHeaderBytes bytes in the header section (also the connection's read buffer)
     * @param maxHeaders     header field lines (a name repeated counts each time)
     * @param maxBody        bytes of body ({@code Content-Length}, or the sum of the chunks)
     * @param idleTimeout    the wait for the next request on a kept-alive connection; zero for none
     * @param requestTimeout the time to receive a whole request once it started, and to write a response to a
     *                       client that stops reading it; zero for none
     * @throws IllegalArgumentException if a size is not positive ({@code maxBody} may be zero), the request line
     *                                  or header limit is over {@link #MAX_LINE}, or a timeout is negative
     * @throws NullPointerException     if a timeout is null
     */
    public record Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaders, int maxBody, Duration idleTimeout,
                         Duration requestTimeout) {
        /** The most {@code maxRequestLine} and {@code maxHeaderBytes} may be: 1 GB. */
        public static final int MAX_LINE = 1 << 30;
        /** 8 KB request line, 16 KB of headers, 100 fields, 1 MB body, 60 s idle, 30 s per request. */
        public static final Limits DEFAULT = new Limits(8192, 16384, 100, 1 << 20, Duration.ofSeconds(60),
                Duration.ofSeconds(30));

        /** Checked here, not when the first connection comes, where a bad limit would fail every connection. */
        public Limits {
            if (maxRequestLine <= 0 || maxHeaderBytes <= 0 || maxHeaders <= 0 || maxBody < 0) {
                throw new IllegalArgumentException("sizes must be positive (maxBody may be zero): " + maxRequestLine
                        + ", " + maxHeaderBytes + ", " + maxHeaders + ", " + maxBody);
            }
            if (Math.max(maxRequestLine, maxHeaderBytes) > MAX_LINE) { // the connection's read buffer holds either
                throw new IllegalArgumentException("maxRequestLine and maxHeaderBytes must be at most " + MAX_LINE
                        + ": " + maxRequestLine + ", " + maxHeaderBytes);
            }
            if (Objects.requireNonNull(idleTimeout, "idleTimeout").isNegative()
                    || Objects.requireNonNull(requestTimeout, "requestTimeout").isNegative()) {
                throw new IllegalArgumentException("negative timeout: idle " + idleTimeout + ", request "
                        + requestTimeout + " (zero means none)");
            }
        }

        public Limits withIdleTimeout(Duration d) {
            return new Limits(maxRequestLine, maxHeaderBytes, maxHeaders, maxBody, d, requestTimeout);
        }

        public Limits withRequestTimeout(Duration d) {
            return new Limits(maxRequestLine, maxHeaderBytes, maxHeaders, maxBody, idleTimeout, d);
        }

        public Limits withMaxBody(int bytes) {
            return new Limits(maxRequestLine, maxHeaderBytes, maxHeaders, bytes, idleTimeout, requestTimeout);
        }
    }

    /** How long a connection being closed reads and drops what its client still sends. */
    private static final Duration LINGER = Duration.ofSeconds(2);

    private final HttpHandler handler;
    private final Limits limits;

    /** A server with {@link Limits#DEFAULT}. */
    public HttpServer(HttpHandler handler) {
        this(handler, Limits.DEFAULT);
    }

    /**
     * Checked here, not when the first connection comes, where a null would fail every connection.
     *
     * @throws NullPointerException if {@code handler} or {@code limits} is null
     */
    public HttpServer(HttpHandler handler, Limits limits) {
        this.handler = java.util.Objects.requireNonNull(handler, "handler");
        this.limits = java.util.Objects.requireNonNull(limits, "limits (Limits.DEFAULT for the defaults)");
    }

    @Override
    @Suspendable
    public void handle(TcpSocket socket) throws IOException {
        SocketInput in = new SocketInput(socket, Math.max(limits.maxRequestLine(), limits.maxHeaderBytes()) + 2);
        socket.setWriteTimeout(limits.requestTimeout()); // a client that stops reading its responses is cut off
        for (;;) {
            socket.setReadTimeout(limits.idleTimeout());
            socket.setCloseOnShutdown(true); // waiting for a next request: nothing in flight for a shutdown to wait for
            try {
                if (!in.awaitData()) return; // closed between requests
            } catch (SocketTimeoutException idle) {
                return;
            } catch (AsynchronousCloseException shutdown) {
                if (socket.loop().isShuttingDown()) return;
                throw shutdown;
            }
            socket.setCloseOnShutdown(false);
            socket.setReadTimeout(Duration.ZERO); // the request timeout below bounds the whole request instead
            // made per request, not per connection: an idle connection's suspended frame then does not keep it
            RequestParser parser = new RequestParser(in, limits);
            Object parsed;
            try {
                parsed = limits.requestTimeout().isZero() ? parse(parser)
                        : EventLoop.withTimeout(limits.requestTimeout(), () -> parse(parser));
            } catch (DeadlineExceededException slow) {
                parsed = new HttpError(408, "request not received in " + limits.requestTimeout());
            }
            if (parsed == null) return;
            if (parsed instanceof HttpError) {
                HttpError e = (HttpError) parsed;
                write(socket, HttpResponse.text(e.status, e.getMessage() + "\n"), false, false, false);
                lingerBeforeClose(socket);
                return;
            }
            HttpRequest req = (HttpRequest) parsed;
            HttpResponse resp;
            boolean keepAlive = req.keepAlive();
            try {
                resp = handler.handle(req);
                if (resp == null) throw new NullPointerException("the handler returned no response (null)");
            } catch (Exception | Error e) { // an AssertionError, say: the client still gets an answer
                if (e instanceof CancellationException c && socket.loop().isShuttingDown()) throw c; // not a failure
                LOG.log(System.Logger.Level.WARNING, "handler failed for " + req.method() + " " + req.target()
                        + " from " + socket.peer(), e);
                resp = HttpResponse.text(500, "internal error\n");
                keepAlive = false;
            }
            // asked after the handler, which may have waited through the start of a shutdown
            keepAlive &= !resp.close && !socket.loop().isShuttingDown();
            write(socket, resp, keepAlive, keepAlive && req.version().equals("HTTP/1.0"), req.method().equals("HEAD"));
            if (!keepAlive) {
                lingerBeforeClose(socket);
                return;
            }
        }
    }

    /**
     * Before closing a connection the client may still be sending on (a body the server refused, requests
     * pipelined behind the last one): half-closes it, then reads and drops what comes until the client closes,
     * for {@link #LINGER} at most. Closing a socket with unread input resets the connection, and a reset can
     * destroy the response before the client reads it (RFC 9112 9.6).
     */
    @Suspendable
    private static void lingerBeforeClose(TcpSocket socket) {
        try {
            socket.shutdownOutput();
            ByteBuffer sink = ByteBuffer.allocate(4096);
            EventLoop.withTimeout(LINGER, () -> {
                while (socket.read(sink.clear()) >= 0) {
                    // dropped
                }
            });
        } catch (IOException | DeadlineExceededException closingAnyway) {
            // the socket is closed next in any case
        }
    }

    /** The next request, an {@link HttpError} to answer with, or null at a clean end of stream. */
    @Suspendable
    private static Object parse(RequestParser parser) throws IOException {
        try {
            return parser.next();
        } catch (HttpError e) {
            return e;
        }
    }

    /**
     * Writes the head and the body with one write from one array: encoding the head straight to bytes, without a
     * builder, a string and its encoding, and without the gathering write that would copy two buffers.
     */
    @Suspendable
    private static void write(TcpSocket socket, HttpResponse resp, boolean keepAlive, boolean sayKeepAlive,
                              boolean head) throws IOException {
        // RFC 9110 6.4.1: a 204 or 304 ends at its header section; content a handler gave one would be read
        // as the start of the next response. A 304's Content-Length would be the length of the 200 it stands for,
        // which the server does not know, and a 204 must not have one (8.6).
        boolean noContent = resp.status == 204 || resp.status == 304;
        int sent = head || noContent ? 0 : resp.body.length;
        // the status line, Date, Content-Length and Connection fit in 160
        int size = 160 + sent;
        for (Map.Entry<String, String> h : resp.headers.entrySet()) size += h.getKey().length() + h.getValue().length() + 4;
        byte[] out = new byte[size];
        int n = put(out, 0, statusLine(resp.status));
        for (Map.Entry<String, String> h : resp.headers.entrySet()) {
            n = put(out, n, h.getKey());
            out[n++] = ':';
            out[n++] = ' ';
            n = crlf(out, put(out, n, h.getValue()));
        }
        if (!hasHeader(resp, "Date")) n = put(out, n, HttpDate.field());
        if (!noContent) n = crlf(out, putDecimal(out, put(out, n, CONTENT_LENGTH), resp.body.length));
        if (!keepAlive) n = put(out, n, CONNECTION_CLOSE);
        if (sayKeepAlive) n = put(out, n, CONNECTION_KEEP_ALIVE); // HTTP/1.0 closes unless told
        n = crlf(out, n);
        System.arraycopy(resp.body, 0, out, n, sent);
        n += sent;
        socket.writeAll(ByteBuffer.wrap(out, 0, n));
    }

    private static boolean hasHeader(HttpResponse resp, String name) {
        for (String h : resp.headers.keySet()) {
            if (h.equalsIgnoreCase(name)) return true;
        }
        return false;
    }

    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_KEEP_ALIVE = "Connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * The status lines sent so far, by status (which has three digits): made once, not once per response, and
     * shared by the loops' threads (published with release semantics, so another thread reads the whole line).
     */
    private static final byte[][] STATUS_LINES = new byte[1000][];
    private static final VarHandle STATUS_LINE = MethodHandles.arrayElementVarHandle(byte[][].class);

    private static byte[] statusLine(int status) {
        byte[] line = (byte[]) STATUS_LINE.getAcquire(STATUS_LINES, status);
        if (line == null) { // a race makes the same line twice: harmless
            String text = "HTTP/1.1 " + status + " " + HttpResponse.reason(status) + "\r\n";
            line = text.getBytes(StandardCharsets.ISO_8859_1);
            STATUS_LINE.setRelease(STATUS_LINES, status, line);
        }
        return line;
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** Puts the decimal digits of {@code value} (not negative) at {@code at}. */
    private static int putDecimal(byte[] out, int at, int value) {
        int end = at + 1;
        for (int v = value; v >= 10; v /= 10) end++;
        int i = end;
        do {
            out[--i] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        return end;
    }

    /** Puts {@code s} as ISO-8859-1 (what header fields are; header() refuses what it cannot encode) at {@code at}. */
    private static int put(byte[] out, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out[at + i] = (byte) (c <= 0xFF ? c : '?');
        }
        return at + s.length();
    }

    private static int crlf(byte[] out, int at) {
        out[at] = '\r';
        out[at + 1] = '\n';
        return at + 2;
    }
}
