package dev.spindle.io.http;

import dev.spindle.Suspendable;
import dev.spindle.io.SocketInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reads HTTP/1.x requests off a connection, with limits that keep a hostile peer from growing memory. */
final class RequestParser {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final SocketInput in;
    private final HttpServer.Limits limits;

    RequestParser(SocketInput in, HttpServer.Limits limits) {
        this.in = in;
        this.limits = limits;
    }

    /** The next request, or null if the peer closed cleanly between requests. */
    @Suspendable
    HttpRequest next() throws IOException, HttpError {
        String line;
        do { // RFC 9112 2.2: ignore empty lines before a request line
            line = readLine(limits.maxRequestLine(), 414);
            if (line == null) return null;
        } while (line.isEmpty());
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !isToken(parts[0]) || parts[1].isEmpty()
                || !parts[2].startsWith("HTTP/1.")) {
            throw new HttpError(400, "malformed request line");
        }
        if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) throw new HttpError(400, "bad version");
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        for (;;) {
            String h = readLine(limits.maxHeaderBytes(), 431);
            if (h == null) throw new java.io.EOFException("connection closed inside the header");
            if (h.isEmpty()) break;
            total += h.length();
            if (total > limits.maxHeaderBytes() || headers.size() >= limits.maxHeaders()) {
                throw new HttpError(431, "header section too large");
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h.substring(0, colon))) throw new HttpError(400, "malformed header field");
            String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        if (parts[2].equals("HTTP/1.1") && !headers.containsKey("host")) throw new HttpError(400, "no Host header");
        if (headers.containsKey("transfer-encoding")) throw new HttpError(501, "Transfer-Encoding not supported");
        byte[] body = readBody(headers.get("content-length"),
                parts[2].equals("HTTP/1.1") && "100-continue".equalsIgnoreCase(headers.get("expect")));
        return new HttpRequest(parts[0], parts[1], parts[2], headers, body);
    }

    @Suspendable
    private byte[] readBody(String contentLength, boolean expectContinue) throws IOException, HttpError {
        if (contentLength == null) return new byte[0];
        long n;
        try {
            if (contentLength.isEmpty() || !contentLength.chars().allMatch(Character::isDigit)) throw new NumberFormatException();
            n = Long.parseLong(contentLength);
        } catch (NumberFormatException e) {
            throw new HttpError(400, "bad Content-Length");
        }
        if (n > limits.maxBody()) throw new HttpError(413, "body of " + n + " bytes over the limit");
        if (expectContinue && n > 0 && in.buffered() == 0) { // curl waits a second for this before big uploads
            in.socket().writeAll(ByteBuffer.wrap(CONTINUE));
        }
        return in.readBytes((int) n);
    }

    @Suspendable
    private String readLine(int limit, int status) throws IOException, HttpError {
        try {
            return in.readLine(limit);
        } catch (SocketInput.LineTooLongException e) {
            throw new HttpError(status, e.getMessage());
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) return false;
        }
        return !s.isEmpty();
    }
}
