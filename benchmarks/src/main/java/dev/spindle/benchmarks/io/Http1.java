package dev.spindle.benchmarks.io;

import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 that the hand-written servers and the load client need, on bytes, allocation-free: where a message's
 * header section ends, a header field's value, and the fixed request and response of the "hello world" test.
 */
final class Http1 {
    static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final String CONTENT_TYPE = "text/plain; charset=utf-8";
    /** What the hand-written servers answer; Spindle's HttpServer writes these same bytes. */
    static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: " + CONTENT_TYPE + "\r\nContent-Length: "
            + BODY.length + "\r\n\r\n" + new String(BODY, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
    static final byte[] BAD_REQUEST = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private Http1() {
    }

    /** The index just past the blank line that ends the header section in {@code b[from, to)}, or -1. */
    static int headerEnd(byte[] b, int from, int to) {
        for (int i = from + 3; i < to; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') return i + 1;
        }
        return -1;
    }

    /** The index of the first CR LF at or after {@code from}, or -1. */
    static int lineEnd(byte[] b, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') return i;
        }
        return -1;
    }

    /**
     * The value of header field {@code name} (lower case) in the header lines of {@code b[from, end)} as
     * {@code [start, stop)} packed in a long ({@code start << 32 | stop}), or -1 when absent.
     */
    static long field(byte[] b, int from, int end, String name) {
        int n = name.length();
        for (int line = from; line < end; ) {
            int eol = lineEnd(b, line, end);
            if (eol < 0) eol = end;
            if (eol - line > n && b[line + n] == ':' && matches(b, line, name)) {
                int s = line + n + 1;
                int e = eol;
                while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
                while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
                return (long) s << 32 | e;
            }
            line = eol + 2;
        }
        return -1;
    }

    /** The Content-Length in the header lines of {@code b[from, end)}: 0 when absent, -1 when malformed. */
    static int contentLength(byte[] b, int from, int end) {
        long f = field(b, from, end, "content-length");
        if (f < 0) return 0;
        int s = (int) (f >>> 32);
        int e = (int) f;
        if (s == e || e - s > 9) return -1;
        int v = 0;
        for (int i = s; i < e; i++) {
            if (b[i] < '0' || b[i] > '9') return -1;
            v = v * 10 + b[i] - '0';
        }
        return v;
    }

    /** True if field {@code name} has exactly the value {@code value}, ignoring case. */
    static boolean fieldIs(byte[] b, int from, int end, String name, String value) {
        long f = field(b, from, end, name);
        if (f < 0) return false;
        int s = (int) (f >>> 32);
        return (int) f - s == value.length() && matches(b, s, value);
    }

    /** True if {@code b} at {@code at} holds {@code lower}, ignoring ASCII case. */
    static boolean matches(byte[] b, int at, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int c = b[at + i];
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != lower.charAt(i)) return false;
        }
        return true;
    }

    static boolean startsWith(byte[] b, int at, int to, byte[] prefix) {
        if (to - at < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[at + i] != prefix[i]) return false;
        return true;
    }
}
