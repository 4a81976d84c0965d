package dev.spindle.benchmarks.io;

import java.nio.charset.StandardCharsets;

/**
 * The minimal HTTP/1.1 request parser of the hand-written servers (selector loop, platform and virtual threads):
 * it reads the request line and every header line up to the blank line, checks the request line's shape, honours
 * {@code Content-Length} (the body is consumed) and {@code Connection: close}. Not a full parser (no chunked
 * bodies, no obsolete line folding), but it does the work each request needs, so the comparison is fair.
 */
final class HttpRequestScanner {
    static final int INCOMPLETE = 0;
    static final int MALFORMED = -1;
    private static final byte[] HTTP1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);

    /** Set by {@link #scan}: the request asked to close the connection after its response. */
    boolean close;

    /**
     * Looks for one whole request at the start of {@code b[from, to)}.
     *
     * @return its length in bytes, {@link #INCOMPLETE} if more must be read, or {@link #MALFORMED}
     */
    int scan(byte[] b, int from, int to) {
        int end = Http1.headerEnd(b, from, to);
        if (end < 0) return INCOMPLETE;
        int eol = Http1.lineEnd(b, from, end);
        int sp1 = indexOf(b, from, eol, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(b, sp1 + 1, eol, (byte) ' ');
        if (sp1 <= from || sp2 <= sp1 + 1 || eol - (sp2 + 1) != 8 || !Http1.startsWith(b, sp2 + 1, eol, HTTP1)) {
            return MALFORMED;
        }
        boolean http10 = b[eol - 1] == '0';
        int headers = eol + 2;
        int length = Http1.contentLength(b, headers, end - 2);
        if (length < 0) return MALFORMED;
        if (to - end < length) return INCOMPLETE;
        close = http10 ? !Http1.fieldIs(b, headers, end - 2, "connection", "keep-alive")
                : Http1.fieldIs(b, headers, end - 2, "connection", "close");
        return end + length - from;
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }
}
