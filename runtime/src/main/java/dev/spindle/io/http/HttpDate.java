package dev.spindle.io.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The value of the {@code Date} header an origin server sends (RFC 9110 §6.6.1), in the fixed format of
 * RFC 9110 §5.6.7, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. Formatted once per second, not once per response:
 * every loop thread shares the last one, as the whole header line in bytes.
 */
final class HttpDate {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private record Formatted(long second, byte[] field) {
    }

    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, null);

    private HttpDate() {
    }

    /** {@code Date: <now>\r\n} in ASCII; the caller must not change the array. */
    static byte[] field() {
        long second = System.currentTimeMillis() / 1000;
        Formatted f = last;
        if (f.second != second) {
            String line = "Date: " + FORMAT.format(Instant.ofEpochSecond(second)) + "\r\n";
            last = f = new Formatted(second, line.getBytes(StandardCharsets.US_ASCII));
        }
        return f.field;
    }
}
