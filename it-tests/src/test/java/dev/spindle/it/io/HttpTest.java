package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Listener;
import dev.spindle.io.http.HttpHandler;
import dev.spindle.io.http.HttpResponse;
import dev.spindle.io.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP/1.1 server over raw sockets: keep-alive, pipelining, errors, idle timeout, blocking work. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpTest {
    private EventLoopGroup group;
    private int port;
    private final CountDownLatch slowMayFinish = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        group = new EventLoopGroup(2);
        HttpServer server = new HttpServer(req -> {
            switch (req.path()) {
                case "/":
                    return HttpResponse.text(200, "hello\n");
                case "/echo":
                    return new HttpResponse(200, req.body());
                case "/null":
                    return null; // a handler's bug: answered as one that threw
                case "/error":
                    throw new AssertionError("a handler's failed assertion");
                case "/nobody":
                    return new HttpResponse(200, null);
                case "/slow":
                    return HttpResponse.text(200, EventLoop.blocking(() -> {
                        slowMayFinish.await();
                        return "slow\n";
                    }));
                case "/204": // content a handler gave a status that cannot have any
                    return HttpResponse.text(204, "not sent\n");
                case "/304":
                    return HttpResponse.text(304, "not sent\n");
                case "/framing": // a handler's framing headers: the server's own are the true ones
                    return HttpResponse.text(200, "abc").header("Content-Length", "99")
                            .header("transfer-encoding", "chunked").header("content-type", "application/json");
                case "/close":
                    return HttpResponse.text(200, "bye\n").header("Connection", "Close");
                case "/target":
                    return HttpResponse.text(200, req.target() + " " + req.header("host"));
                default: // or the target of OPTIONS * or of a CONNECT
                    return req.target().startsWith("/") ? HttpResponse.text(404, "not found\n")
                            : HttpResponse.text(200, req.target() + " " + req.header("host"));
            }
        }, HttpServer.Limits.DEFAULT.withMaxBody(1000).withIdleTimeout(Duration.ofMillis(1000))
                .withRequestTimeout(Duration.ofMillis(1500))); // long enough for a loaded 2-core machine
        Listener l = group.serve(ANY_LOOPBACK, server);
        port = l.localAddress().getPort();
    }

    @AfterEach
    void stop() {
        slowMayFinish.countDown();
        group.close();
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            for (int i = 0; i < 3; i++) {
                send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals("200 hello\n", response(s.getInputStream()));
            }
        }
    }

    @Test
    void responsesCarryADateHeaderInTheFixedHttpFormat() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals("HTTP/1.1 200 OK", line(in));
            String date = null;
            for (String h; !(h = line(in)).isEmpty(); ) {
                if (h.regionMatches(true, 0, "Date:", 0, 5)) date = h.substring(5).trim();
            }
            assertNotNull(date, "no Date header");
            // IMF-fixdate (RFC 9110 5.6.7): a two-digit day, GMT
            assertTrue(date.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), date);
            Instant sent = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertTrue(Duration.between(sent, Instant.now()).abs().toHours() < 24, date); // the server's clock, not a timing
        }
    }

    /** The server writes Content-Length's digits itself: each length a power of ten, and one below, round trips. */
    @Test
    void bodiesOfEveryNumberOfDigitsAreFramedByTheirLength() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            InputStream in = s.getInputStream();
            for (int length : new int[] {0, 1, 9, 10, 99, 100, 999, 1000}) {
                String body = "x".repeat(length);
                send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n" + body);
                assertEquals("HTTP/1.1 200 OK", line(in));
                assertEquals(List.of(Integer.toString(length)), headers(in, "Content-Length"));
                assertEquals(body, new String(in.readNBytes(length), StandardCharsets.US_ASCII));
            }
        }
    }

    /**
     * Zero timeouts in the limits mean none, as a socket's do: a request that arrives in two pieces is served
     * (before, a zero request timeout answered it 408 when the second piece came after the server's first read).
     */
    @Test
    void zeroTimeoutsInTheLimitsMeanNone() throws Exception {
        try (EventLoop loop = new EventLoop("http-no-timeouts")) {
            Listener l = loop.serve(ANY_LOOPBACK, new HttpServer(req -> HttpResponse.text(200, "hello\n"),
                    HttpServer.Limits.DEFAULT.withRequestTimeout(Duration.ZERO).withIdleTimeout(Duration.ZERO)));
            try (Socket s = new Socket("127.0.0.1", l.localAddress().getPort())) {
                s.setTcpNoDelay(true);
                send(s, "GET / HTTP/1.1\r\n");
                Thread.sleep(100); // lets the server read the first piece alone, most of the time
                send(s, "Host: x\r\n\r\n");
                assertEquals("200 hello\n", response(s.getInputStream()));
            }
        }
    }

    /** Limits that would fail every connection are refused where they are made. */
    @Test
    void limitsWithANullOrNegativeTimeoutOrNoRoomAreRefused() {
        HttpServer.Limits d = HttpServer.Limits.DEFAULT;
        assertThrows(NullPointerException.class, () -> d.withIdleTimeout(null));
        assertThrows(NullPointerException.class, () -> d.withRequestTimeout(null));
        assertThrows(IllegalArgumentException.class, () -> d.withIdleTimeout(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> d.withRequestTimeout(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxBody(-1));
        assertThrows(IllegalArgumentException.class, () -> new HttpServer.Limits(0, 16384, 100, 0, Duration.ZERO,
                Duration.ZERO));
        int max = Integer.MAX_VALUE; // the read buffer holds the larger of the request line and the header section
        assertThrows(IllegalArgumentException.class, () -> new HttpServer.Limits(max, max, max, max, Duration.ZERO,
                Duration.ZERO));
        assertEquals(max, new HttpServer.Limits(8192, HttpServer.Limits.MAX_LINE, max, max, Duration.ZERO,
                Duration.ZERO).maxBody());
        assertEquals(0, d.withMaxBody(0).maxBody());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
                    + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            InputStream in = s.getInputStream();
            assertEquals("200 hello\n", response(in));
            assertEquals("200 abcde", response(in));
            assertEquals("404 not found\n", response(in));
            assertEquals("200 ok", response(in));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void chunkedBodiesAreDecodedOnAKeptAliveConnection() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n7;ext=1\r\n, world\r\nB\r\n 0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals("200 hello, world 0123456789", response(in));
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
            assertEquals("200 ok", response(in)); // the connection stayed usable: the body was read exactly
        }
    }

    /** RFC 9110 5.6.1: empty list elements are ignored, also where two fields are combined and one is empty. */
    @Test
    void chunkedAmongEmptyListElementsIsChunked() throws IOException {
        for (String te : new String[] {"chunked,", ", chunked", " ,chunked, ,", "chunked\r\nTransfer-Encoding:"}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
                assertEquals("200 abc", response(s.getInputStream()), te);
            }
        }
    }

    @Test
    void badChunkedFramingIsRefused() throws IOException {
        String[][] cases = {
            {"Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", "400"},                // not hex
            {"Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "400"},                // chunk longer than said
            {"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "400"}, // smuggling shape
            {"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "501"},
            {"Transfer-Encoding: , gzip,\r\n\r\n0\r\n\r\n", "501"},
            {"Transfer-Encoding: chunked\r\n\r\n3E8\r\n" + "a".repeat(1000) + "\r\n1\r\nb\r\n0\r\n\r\n", "413"},
        };
        for (String[] c : cases) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "POST /echo HTTP/1.1\r\nHost: x\r\n" + c[0]);
                InputStream in = s.getInputStream();
                assertEquals(c[1], response(in).substring(0, 3), c[0]);
            }
        }
    }

    @Test
    void malformedRequestsGet400AndAClosedConnection() throws IOException {
        for (String bad : new String[] {"NONSENSE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
                "GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n",
                "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX-In: a\rb\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nX-In: a\0b\r\n\r\n"}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, bad);
                String r = response(s.getInputStream());
                assertEquals("400", r.substring(0, 3), bad + " -> " + r);
                assertEquals(-1, s.getInputStream().read());
            }
        }
    }

    @Test
    void oversizeRequestsGet413Or431() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
            assertEquals("413", response(s.getInputStream()).substring(0, 3));
        }
        try (Socket s = new Socket("127.0.0.1", port)) { // more than a long holds: still a size, and too large
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n");
            String r = response(s.getInputStream());
            assertEquals("413", r.substring(0, 3));
            assertTrue(r.contains("20-digit number of bytes"), "says what was asked, not a long's largest value: " + r);
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertEquals("431", response(s.getInputStream()).substring(0, 3));
        }
    }

    @Test
    void aHandlerThatReturnsNoResponseGets500AndAClosedConnection() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET /null HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("500 internal error\n", response(s.getInputStream()));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void aHandlerThatThrowsAnErrorGets500AndAClosedConnection() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET /error HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("500 internal error\n", response(s.getInputStream()));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void aResponseWithANullBodyHasNoContent() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET /nobody HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("200 ", response(s.getInputStream()));
            assertEquals("200 hello\n", response(s.getInputStream()));
        }
    }

    /** RFC 9112 9.6: a close option wins, also over an HTTP/1.0 client's keep-alive in the same field. */
    @Test
    void anHttp10ClientWhoseOptionsIncludeCloseIsClosed() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            InputStream in = s.getInputStream();
            send(s, "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n");
            assertEquals("close", connectionOfHello(in));
            assertEquals(-1, in.read());
        }
    }

    /** Reads a response to {@code GET /} (200, hello); returns its Connection field. */
    private static String connectionOfHello(InputStream in) throws IOException {
        assertEquals("HTTP/1.1 200 OK", line(in));
        String connection = null;
        for (String h; !(h = line(in)).isEmpty(); ) {
            if (h.regionMatches(true, 0, "Connection:", 0, 11)) connection = h.substring(11).trim();
        }
        assertEquals("hello\n", new String(in.readNBytes(6), StandardCharsets.US_ASCII));
        return connection;
    }

    @Test
    void anHttp10ClientThatAsksForKeepAliveIsToldItIsKept() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            InputStream in = s.getInputStream();
            for (int i = 0; i < 2; i++) {
                send(s, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                assertEquals("keep-alive", connectionOfHello(in));
            }
        }
    }

    /**
     * A client that goes on sending after a request the server refuses (the body of a 413, more requests behind a
     * 400) and reads only then still gets the answer: the server does not close with unread input, which would
     * reset the connection and could destroy the answer before the client reads it.
     */
    @Test
    void aRefusedRequestsAnswerSurvivesWhatTheClientKeepsSending() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals("413", refusedWhileSending("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"));
            assertEquals("400", refusedWhileSending("GET / HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n"));
        }
    }

    /** Sends {@code head} and then 2 MB more, and only then reads the answer's status. */
    private String refusedWhileSending(String head) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            try {
                send(s, head);
                byte[] chunk = new byte[16384];
                for (int sent = 0; sent < 2_000_000; sent += chunk.length) s.getOutputStream().write(chunk);
            } catch (IOException reset) {
                return "the server reset the connection while the client was sending: " + reset;
            }
            return response(s.getInputStream()).substring(0, 3);
        }
    }

    @Test
    void aRequestThatNeverCompletesGets408() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "); // slowloris: the rest never comes
            assertEquals("408", response(s.getInputStream()).substring(0, 3));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("200 hello\n", response(s.getInputStream()));
            assertEquals(-1, s.getInputStream().read()); // nothing more sent: the idle timeout closes it
        }
    }

    @Test
    void slowBlockingWorkDoesNotHoldUpOtherRequests() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", port); Socket fast = new Socket("127.0.0.1", port)) {
            send(slow, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            for (int i = 0; i < 5; i++) {
                send(fast, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals("200 hello\n", response(fast.getInputStream()));
            }
            slowMayFinish.countDown();
            assertEquals("200 slow\n", response(slow.getInputStream()));
        }
    }

    /**
     * A shutdown closes kept-alive connections that wait for their next request at once, and answers a request in
     * flight with Connection: close, then closes it: it does not wait out its grace period for either.
     */
    @Test
    void shutdownClosesIdleConnectionsAtOnceAndTheRequestInFlightAfterItsResponse() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CompletableFuture<String> gate = new CompletableFuture<>();
        EventLoopGroup server = new EventLoopGroup(1);
        try {
            Listener l = server.serve(ANY_LOOPBACK, new HttpServer(req -> {
                if (!req.path().equals("/wait")) return HttpResponse.text(200, "hello\n");
                inHandler.countDown();
                return HttpResponse.text(200, EventLoop.await(gate));
            }, HttpServer.Limits.DEFAULT.withIdleTimeout(Duration.ofMinutes(5))));
            try (Socket idle = new Socket("127.0.0.1", l.localAddress().getPort());
                 Socket busy = new Socket("127.0.0.1", l.localAddress().getPort())) {
                idle.setSoTimeout(10_000); // far below the grace period and the idle timeout
                busy.setSoTimeout(10_000);
                send(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals("200 hello\n", response(idle.getInputStream()));
                send(busy, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
                inHandler.await();
                CompletableFuture<Void> terminated = server.shutdown(Duration.ofMinutes(5));
                assertEquals(-1, idle.getInputStream().read(), "the idle connection is closed");
                gate.complete("done\n");
                String rest = new String(busy.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(rest.startsWith("HTTP/1.1 200") && rest.contains("\r\nConnection: close\r\n")
                        && rest.endsWith("\r\n\r\ndone\n"), rest); // and then the end of the stream
                terminated.get(10, TimeUnit.SECONDS);
            }
        } finally {
            server.close();
        }
    }

    /**
     * A 204 or 304 ends at its blank line (a handler's content for it is not sent, a 204 says no Content-Length,
     * RFC 9110 8.6, 15.3.5, 15.4.5), and so does the answer to a HEAD: the next response on the connection starts
     * right after it.
     */
    @Test
    void responsesThatCannotHaveContentEndAtTheirHeader() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals("HTTP/1.1 204 No Content", line(in));
            assertEquals(List.of(), headers(in, "content-length"));
            assertEquals("HTTP/1.1 304 Not Modified", line(in));
            headers(in, "content-length");
            assertEquals("HTTP/1.1 200 OK", line(in)); // the HEAD's
            assertEquals(List.of("6"), headers(in, "content-length")); // the length a GET would have had
            assertEquals("200 hello\n", response(in));
        }
    }

    @Test
    void aHandlersContentLengthAndTransferEncodingGiveWayToTheServers() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET /framing HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals("HTTP/1.1 200 OK", line(in));
            List<String> fields = headers(in, null);
            assertEquals(List.of("Content-Length: 3"), fields.stream()
                    .filter(h -> h.regionMatches(true, 0, "Content-Length:", 0, 15)
                            || h.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)).toList(), fields.toString());
            // header() replaces a field of another case: names are case-insensitive
            assertEquals(List.of("content-type: application/json"), fields.stream()
                    .filter(h -> h.regionMatches(true, 0, "Content-Type:", 0, 13)).toList(), fields.toString());
            assertEquals("abc", new String(in.readNBytes(3), StandardCharsets.US_ASCII));
            assertEquals("200 hello\n", response(in));
        }
    }

    /** RFC 9112 9.6: a server that sends Connection: close closes after that response, also when its handler said it. */
    @Test
    void aHandlersConnectionCloseClosesTheConnection() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET /close HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals("HTTP/1.1 200 OK", line(in));
            assertEquals(List.of("close"), headers(in, "connection"));
            assertEquals("bye\n", new String(in.readNBytes(4), StandardCharsets.US_ASCII));
            assertEquals(-1, in.read()); // the request behind it is not answered
        }
    }

    /** A CR or LF in a handler's header would split the response (the rest read as more fields): refused. */
    @Test
    void headerFieldsThatWouldSplitTheResponseAreRefused() {
        HttpResponse r = HttpResponse.text(200, "x\n");
        String[][] bad = {{"X-From", "a\r\nSet-Cookie: injected=1"}, {"X-From", "a\nb"}, {"X-From", "a\0b"},
            {"X-From: a\r\nX-B", "b"}, {"X From", "a"}, {"", "a"}};
        for (String[] h : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.header(h[0], h[1]),
                    h[0] + ": " + h[1]);
            assertTrue(e.getMessage().contains(h[0]), e.getMessage());
        }
        r.header("X-Ok", "a\tb ~!"); // tabs and visible characters are fine
    }

    /** A server without a handler or limits would fail every connection: refused when it is made. */
    @Test
    void aServerWithoutAHandlerOrLimitsIsRefused() {
        HttpHandler h = req -> HttpResponse.text(200, "x");
        assertTrue(assertThrows(NullPointerException.class, () -> new HttpServer(null)).getMessage().contains("handler"));
        assertTrue(assertThrows(NullPointerException.class, () -> new HttpServer(h, null)).getMessage()
                .contains("limits"));
    }

    /** A character with no ISO-8859-1 byte would go out as '?': refused, where Latin-1 text goes out as it is. */
    @Test
    void aHeaderValueWithACharacterBeyondLatin1IsRefused() {
        HttpResponse r = HttpResponse.text(200, "x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.header("X-Price", "5\u20ac"));
        assertTrue(e.getMessage().contains("U+20AC") && e.getMessage().contains("X-Price"), e.getMessage());
        r.header("X-Name", "Jos\u00e9"); // one byte, 0xE9, as RFC 9110 allows (obs-text)
    }

    /** RFC 9112 4: the status code is three digits. */
    @Test
    void aStatusCodeThatIsNotThreeDigitsIsRefused() {
        for (int status : new int[] {42, 99, 1000, -1}) {
            assertThrows(IllegalArgumentException.class, () -> new HttpResponse(status, new byte[0]), "" + status);
        }
        assertEquals(999, new HttpResponse(999, new byte[0]).status());
    }

    /** RFC 9110 15.2: a 1xx is not a final response; a client sent one as the answer would wait for the real one. */
    @Test
    void anInformationalStatusIsRefusedAsAResponse() {
        for (int status : new int[] {100, 101, 103, 199}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HttpResponse.text(status, "x"), "" + status);
            assertTrue(e.getMessage().contains("informational"), e.getMessage());
        }
    }

    /**
     * RFC 9112 3.2: a target is in origin form ({@code /...}), absolute form ({@code http://...}), asterisk form
     * (OPTIONS only) or authority form (CONNECT only); anything else gets 400. Bytes beyond ASCII are taken as the
     * UTF-8 curl sends in a query ({@code ?q=café}), and are refused if they are not UTF-8 or are a control.
     */
    @Test
    void targetsInNoFormTheMethodTakesOrNotUtf8Are400() throws IOException {
        for (String line : new String[] {"GET foo", "GET x.example:80", "GET *", "GET ftp://a/b", "GET /\u00e9",
                "GET /x?\u00c2\u0085y", "CONNECT /x", "OPTIONS **"}) { // (C2 85: NEL, a C1 control, in UTF-8)
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, line + " HTTP/1.1\r\nHost: x\r\n\r\n");
                String r = response(s.getInputStream());
                assertEquals("400", r.substring(0, 3), line + " -> " + r);
            }
        }
        for (String[] c : new String[][] {{"OPTIONS *", "200 * x"}, {"CONNECT a.example:443", "200 a.example:443 x"},
                {"GET /%C3%A9", "404 not found\n"}, {"GET /target?q=caf\u00c3\u00a9", "200 /target?q=caf\u00e9 x"}}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, c[0] + " HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(c[1], response(s.getInputStream()), c[0]);
            }
        }
    }

    /** RFC 9112 3.2: a request with two Host fields or an invalid one gets 400. */
    @Test
    void aRepeatedOrInvalidHostIs400() throws IOException {
        for (String host : new String[] {"Host: a.example\r\nHost: b.example", "Host: a\r\nhost: a", "Host: a b/c@d",
                "Host: user@a.example", "Host: a.example:8o", "Host: [::1", "Host: ::1", "Host: a.example/x"}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET /target HTTP/1.1\r\n" + host + "\r\n\r\n");
                String r = response(s.getInputStream());
                assertEquals("400", r.substring(0, 3), host + " -> " + r);
            }
        }
        for (String host : new String[] {"a.example", "A-1.example:8080", "127.0.0.1:80", "[::1]:8080", "[::1]",
                "xn--bcher-kva.example", "a.example:", ""}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET /target HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                assertEquals("200 /target " + host, response(s.getInputStream()));
            }
        }
    }

    /**
     * RFC 9112 2.2, 3.2 and RFC 9110 5.5, 5.6.3: a bare CR or any other control character in the target, or in a
     * header value (at its ends too: only spaces and tabs are whitespace to trim), gets 400.
     */
    @Test
    void controlCharactersInTheTargetOrAtTheEndsOfAHeaderValueAre400() throws IOException {
        for (String bad : new String[] {"GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n", "GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", "GET /a\u007f HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u000b\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nX-A: \u001fa\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\f\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\r\n\r\n"}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, bad);
                String r = response(s.getInputStream());
                assertEquals("400", r.substring(0, 3), bad + " -> " + r);
            }
        }
        try (Socket s = new Socket("127.0.0.1", port)) { // spaces and tabs around a value are still trimmed
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \t 2 \t\r\n\r\nok");
            assertEquals("200 ok", response(s.getInputStream()));
        }
    }

    /** Limits.maxHeaders counts field lines: a name repeated is as many fields (and as much work) as many names. */
    @Test
    void maxHeadersCountsFieldLinesNotNames() throws IOException {
        for (int lines : new int[] {99, 100}) { // with Host: 100 fields are allowed, 101 are not
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET / HTTP/1.1\r\nHost: x\r\n" + "X-H: a\r\n".repeat(lines) + "\r\n");
                assertEquals(lines < 100 ? "200" : "431", response(s.getInputStream()).substring(0, 3), lines + " X-H");
            }
        }
    }

    /** RFC 9110 2.5: a higher HTTP/1 minor version is served as 1.1; another major version gets 505. */
    @Test
    void aLaterHttp1MinorIsServedAs11AndOtherMajorsGet505() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            for (int i = 0; i < 2; i++) { // kept alive, as HTTP/1.1 is by default
                send(s, "GET / HTTP/1.2\r\nHost: x\r\n\r\n");
                assertEquals("200 hello\n", response(s.getInputStream()));
            }
        }
        for (String[] c : new String[][] {{"HTTP/2.0", "505"}, {"HTTP/0.9", "505"}, {"HTTP/1.10", "400"},
                {"HTTP/1.x", "400"}, {"HTTP/11", "400"}}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET / " + c[0] + "\r\nHost: x\r\n\r\n");
                assertEquals(c[1], response(s.getInputStream()).substring(0, 3), c[0]);
                assertEquals(-1, s.getInputStream().read());
            }
        }
    }

    /** RFC 9110 7.6.1: Connection is a list of case-insensitive options; "X-Disclose" is not "close". */
    @Test
    void connectionIsReadAsAListOfOptions() throws IOException {
        for (String request : new String[] {"GET / HTTP/1.0\r\nConnection: TE, Keep-Alive\r\nTE: trailers\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nConnection: X-Disclose\r\nX-Disclose: 1\r\n\r\n"}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                for (int i = 0; i < 2; i++) {
                    send(s, request);
                    assertEquals("200 hello\n", response(s.getInputStream()), request);
                }
            }
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: te,CLOSE \r\nTE: trailers\r\n\r\n");
            assertEquals("200 hello\n", response(s.getInputStream()));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    /** RFC 9112 3.2.2: an absolute-form target is accepted; its authority, not the Host field, names the host. */
    @Test
    void anAbsoluteFormTargetIsServedByItsPathWithItsAuthorityAsHost() throws IOException {
        String[][] cases = {{"http://a.example:8080/target?q=1", "200 /target?q=1 a.example:8080"},
            {"HTTPS://b.example/target", "200 /target b.example"}, {"http://localhost", "200 hello\n"},
            {"http://localhost?q", "200 hello\n"}, {"http://u@a.example/target", "400"}};
        for (String[] c : cases) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "GET " + c[0] + " HTTP/1.1\r\nHost: other.example\r\n\r\n");
                String r = response(s.getInputStream());
                assertEquals(c[1], c[1].length() == 3 ? r.substring(0, 3) : r, c[0]);
            }
        }
    }

    @Test
    void chunkSizesMayHaveLeadingZerosAndOverflowIsTooLarge() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0000000000000000003\r\nabc\r\n00000000000000000000\r\n\r\n");
            assertEquals("200 abc", response(s.getInputStream()));
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1" + "0".repeat(20) + "\r\n");
            assertEquals("413", response(s.getInputStream()).substring(0, 3));
        }
    }

    /** A bare CR in a chunk-size line, or chunked applied twice or before another coding, is malformed: 400. */
    @Test
    void malformedChunkedFramingIs400() throws IOException {
        for (String c : new String[] {"Transfer-Encoding: chunked\r\n\r\n3\r\r\nabc\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\n3;a=\rb\r\nabc\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n"}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                send(s, "POST /echo HTTP/1.1\r\nHost: x\r\n" + c);
                String r = response(s.getInputStream());
                assertEquals("400", r.substring(0, 3), c + " -> " + r);
            }
        }
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads one response; returns its status code, a space and its body. */
    static String response(InputStream in) throws IOException {
        String status = line(in);
        int length = 0;
        for (String h; !(h = line(in)).isEmpty(); ) {
            if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
        }
        byte[] body = in.readNBytes(length);
        return status.substring(9, 12) + " " + new String(body, StandardCharsets.UTF_8);
    }

    /** Reads the rest of a response's header section; returns the values of {@code name}, or all fields if null. */
    private static List<String> headers(InputStream in, String name) throws IOException {
        List<String> found = new ArrayList<>();
        for (String h; !(h = line(in)).isEmpty(); ) {
            if (name == null) {
                found.add(h);
            } else if (h.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                found.add(h.substring(name.length() + 1).trim());
            }
        }
        return found;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new java.io.EOFException("in a response line: " + b);
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
