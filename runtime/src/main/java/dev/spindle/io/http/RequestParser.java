package dev.spindle.io.http;

import dev.spindle.Suspendable;
import dev.spindle.io.SocketInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reads HTTP/1.x requests off a connection, with limits that keep a hostile peer from growing memory. */
final class RequestParser {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** How much of a body is read before the array for it grows (doubling), as a body's bytes arrive. */
    private static final int BODY_STEP = 64 * 1024;
    /** A chunk-size line, with room for extensions. */
    private static final int CHUNK_LINE = 1024;
    /** Shared by every request without a body: it has nothing to change. */
    static final byte[] NO_BODY = {};
    /** The characters that may appear in a token (RFC 9110 5.6.2): a method or a field name. */
    private static final boolean[] TOKEN = new boolean[128];
    /** The characters of a host name (RFC 3986 3.2.2 reg-name: unreserved, sub-delims, percent-encoding). */
    private static final boolean[] HOST = new boolean[128];

    static {
        for (char c = '!'; c < 127; c++) TOKEN[c] = "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        for (char c = '!'; c < 127; c++) HOST[c] = Character.isLetterOrDigit(c) || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
    }

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
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 <= sp1 + 1 || line.indexOf(' ', sp2 + 1) >= 0 || !isToken(line, 0, sp1)
                || !isVersion(line, sp2 + 1)) {
            throw new HttpError(400, "malformed request line");
        }
        if (line.charAt(sp2 + 6) != '1') throw new HttpError(505, line.substring(sp2 + 1) + " not supported");
        boolean ascii = true;
        for (int i = sp1 + 1; i < sp2; i++) { // RFC 9112 2.2, 3.2: a bare CR, a NUL... could end or split it downstream
            char c = line.charAt(i);
            if (c < 0x20 || c == 0x7f) throw new HttpError(400, "control character in the request target");
            ascii &= c < 0x80;
        }
        // RFC 9110 2.5: a later minor version is served as the highest one implemented
        String version = line.charAt(sp2 + 8) == '0' ? "HTTP/1.0" : "HTTP/1.1";
        String target = line.substring(sp1 + 1, sp2);
        String[] parts = {line.substring(0, sp1), ascii ? target : utf8(target), version};
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        int fields = 0; // lines, not names: a repeated name costs as much as a new one
        for (;;) {
            String h = readLine(limits.maxHeaderBytes(), 431);
            if (h == null) throw new java.io.EOFException("connection closed inside the header");
            if (h.isEmpty()) break;
            total += h.length();
            if (total > limits.maxHeaderBytes() || ++fields > limits.maxHeaders()) {
                throw new HttpError(431, "header section too large");
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h, 0, colon)) throw new HttpError(400, "malformed header field");
            String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
            // RFC 9112 3.2: two Hosts are refused, not joined into a list no one can tell the target from
            if (name.equals("host") && headers.containsKey("host")) throw new HttpError(400, "more than one Host header");
            int from = colon + 1;
            int to = h.length();
            // RFC 9110 5.6.3: only SP and HTAB are whitespace; other controls are left for the check below
            while (from < to && (h.charAt(from) == ' ' || h.charAt(from) == '\t')) from++;
            while (to > from && (h.charAt(to - 1) == ' ' || h.charAt(to - 1) == '\t')) to--;
            String value = h.substring(from, to);
            if (!isFieldValue(value)) throw new HttpError(400, "control character in header field " + name);
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        String host = headers.get("host");
        if (parts[2].equals("HTTP/1.1") && host == null) throw new HttpError(400, "no Host header");
        if (host != null && !isHost(host, 0, host.length())) throw new HttpError(400, "invalid Host header");
        if (parts[1].charAt(0) != '/' || parts[0].equals("CONNECT")) parts[1] = originForm(parts[0], parts[1], headers);
        boolean expectContinue = parts[2].equals("HTTP/1.1") && "100-continue".equalsIgnoreCase(headers.get("expect"));
        String codings = headers.get("transfer-encoding");
        byte[] body = codings == null ? readBody(headers.get("content-length"), expectContinue)
                : readChunked(codings, parts[2], headers.containsKey("content-length"), expectContinue);
        return new HttpRequest(parts[0], parts[1], parts[2], headers, body);
    }

    /**
     * A body in chunks (RFC 9112 7.1), the only transfer coding accepted. A request with both a
     * {@code Transfer-Encoding} and a {@code Content-Length}, or a transfer coding in HTTP/1.0, has ambiguous
     * framing (the classic request-smuggling shape): refused with 400 rather than guessed at (RFC 9112 6.1, 6.3).
     */
    @Suspendable
    private byte[] readChunked(String codings, String version, boolean contentLength, boolean expectContinue)
            throws IOException, HttpError {
        if (contentLength || !version.equals("HTTP/1.1")) throw new HttpError(400, "ambiguous message framing");
        if (!codings.equalsIgnoreCase("chunked")) checkCodings(codings);
        if (expectContinue && in.buffered() == 0) in.socket().writeAll(ByteBuffer.wrap(CONTINUE));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (;;) {
            String line = readLine(CHUNK_LINE, 400);
            if (line == null) throw new java.io.EOFException("connection closed inside a chunked body");
            long size = chunkSize(line);
            if (size == 0) break;
            if (size > limits.maxBody() - body.size()) throw new HttpError(413, "chunked body over the limit");
            body.write(readExactly((int) size));
            String crlf = readLine(2, 400);
            if (crlf == null || !crlf.isEmpty()) throw new HttpError(400, "chunk not followed by CRLF");
        }
        int trailers = 0;
        for (;;) { // trailer fields: read and ignored
            String t = readLine(limits.maxHeaderBytes(), 431);
            if (t == null) throw new java.io.EOFException("connection closed inside a chunked body's trailer");
            if (t.isEmpty()) break;
            trailers += t.length();
            if (trailers > limits.maxHeaderBytes()) throw new HttpError(431, "trailer section too large");
        }
        return body.toByteArray();
    }

    /**
     * RFC 9112 7.1: the codings of a request with a body in chunks, other than plain {@code chunked}: returns if
     * they are {@code chunked} with empty list elements (two fields, one of them empty, say). Chunked
     * applied twice, or before another coding, leaves the body's end unknown (6.1, 6.3): 400. Chunked last after
     * other codings, or no chunked, is a coding this server does not decode: 501.
     */
    private static void checkCodings(String codings) throws HttpError {
        int chunked = 0, all = 0;
        boolean last = false;
        for (String coding : codings.split(",")) {
            coding = coding.trim();
            if (coding.isEmpty()) continue; // RFC 9110 5.6.1: empty list elements are ignored
            all++;
            last = coding.equalsIgnoreCase("chunked");
            if (last) chunked++;
        }
        if (chunked > 1 || chunked == 1 && !last) throw new HttpError(400, "chunked not applied once and last");
        if (all == 1 && chunked == 1) return; // chunked alone, among empty elements ("chunked,")
        throw new HttpError(501, "transfer coding " + codings + " not supported");
    }

    /**
     * RFC 9112 7.1: {@code 1*HEXDIG} (leading zeros allowed), then extensions (ignored) after optional spaces or
     * tabs; a bare CR or another control character in the line is malformed. A size beyond a long is kept at
     * {@code Long.MAX_VALUE}: over any limit, like a Content-Length too long for a long.
     */
    private static long chunkSize(String line) throws HttpError {
        long size = 0;
        int i = 0;
        for (; i < line.length() && HexFormat.isHexDigit(line.charAt(i)); i++) {
            size = size > Long.MAX_VALUE >> 4 ? Long.MAX_VALUE : size << 4 | HexFormat.fromHexDigit(line.charAt(i));
        }
        if (i == 0) throw new HttpError(400, "bad chunk size");
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
        if (i < line.length() && line.charAt(i) != ';') throw new HttpError(400, "bad chunk size");
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) throw new HttpError(400, "control character in a chunk extension");
        }
        return size;
    }

    @Suspendable
    private byte[] readBody(String contentLength, boolean expectContinue) throws IOException, HttpError {
        if (contentLength == null) return NO_BODY;
        long n;
        if (contentLength.isEmpty() || !contentLength.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HttpError(400, "bad Content-Length");
        }
        try {
            n = Long.parseLong(contentLength);
        } catch (NumberFormatException tooLarge) { // digits only: more than a long holds
            throw tooLarge(contentLength.length() + "-digit number of");
        }
        if (n > limits.maxBody()) throw tooLarge(Long.toString(n));
        if (expectContinue && n > 0 && in.buffered() == 0) { // curl waits a second for this before big uploads
            in.socket().writeAll(ByteBuffer.wrap(CONTINUE));
        }
        return readExactly((int) n);
    }

    /**
     * Reads {@code n} bytes into an array that grows as they arrive, so that a peer that announces a large body
     * and sends nothing of it holds a step of memory, not the whole limit (a few hundred such connections would
     * fill the heap).
     */
    @Suspendable
    private byte[] readExactly(int n) throws IOException {
        if (n <= BODY_STEP) return in.readBytes(n);
        byte[] b = new byte[BODY_STEP];
        for (int have = 0;;) {
            in.readFully(ByteBuffer.wrap(b, have, b.length - have));
            if (b.length == n) return b;
            have = b.length;
            b = java.util.Arrays.copyOf(b, (int) Math.min(n, 2L * b.length));
        }
    }

    private HttpError tooLarge(String bytes) {
        return new HttpError(413, "body of " + bytes + " bytes over the limit of " + limits.maxBody());
    }

    @Suspendable
    private String readLine(int limit, int status) throws IOException, HttpError {
        try {
            return in.readLine(limit);
        } catch (SocketInput.LineTooLongException e) {
            throw new HttpError(status, e.getMessage());
        }
    }

    /** RFC 9110 5.5: visible characters, spaces and tabs (a bare CR or a NUL could split or end it downstream). */
    static boolean isFieldValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) return false;
        }
        return true;
    }

    /**
     * RFC 9112 3.2: a target that does not start with {@code /}, or a CONNECT's. The absolute form {@code http://host/path?query}
     * becomes the origin form a handler routes on ({@code /path?query}), its authority replacing the Host field.
     * The asterisk form ({@code OPTIONS *}) and the authority form ({@code CONNECT host:port}) are left as they
     * are; anything else, another method's {@code *} or authority, or another scheme's URI, is refused with 400.
     */
    private static String originForm(String method, String target, Map<String, String> headers) throws HttpError {
        if (target.equals("*") && method.equals("OPTIONS")) return target;
        if (method.equals("CONNECT")) { // RFC 9112 3.2.3: host and port
            if (target.lastIndexOf(':') > target.lastIndexOf(']') && isHost(target, 0, target.length())) return target;
            throw new HttpError(400, "CONNECT takes host:port, not " + target);
        }
        int from = target.regionMatches(true, 0, "http://", 0, 7) ? 7
                : target.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (from < 0) throw new HttpError(400, "request target " + target + " in no form " + method + " takes");
        int end = from;
        while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') end++;
        // RFC 9110 4.2.1, 4.2.4: an http(s) URI has a host and no userinfo
        if (end == from || !isHost(target, from, end)) throw new HttpError(400, "invalid authority in the request target");
        headers.put("host", target.substring(from, end));
        if (end == target.length()) return "/";
        return target.charAt(end) == '/' ? target.substring(end) : "/" + target.substring(end);
    }

    /**
     * A target with bytes beyond ASCII, read as Latin-1, as the UTF-8 its client meant: RFC 3986 wants them
     * percent-encoded, but curl sends a query's as they are ({@code ?q=café}). Bytes that are not UTF-8: 400; so
     * are the C1 controls (U+0080 to U+009F, NEL among them), control characters as much as the C0 ones.
     */
    private static String utf8(String target) throws HttpError {
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(target.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new HttpError(400, "request target neither ASCII nor UTF-8");
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c >= 0x80 && c <= 0x9f) throw new HttpError(400, "control character in the request target");
        }
        return decoded;
    }

    /** RFC 9112 2.3: {@code HTTP/DIGIT.DIGIT} from {@code at} to the end. */
    private static boolean isVersion(String s, int at) {
        return s.length() == at + 8 && s.startsWith("HTTP/", at) && isDigit(s.charAt(at + 5))
                && s.charAt(at + 6) == '.' && isDigit(s.charAt(at + 7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * RFC 9110 7.2: {@code uri-host [":" port]}, the host a name, an IPv4 address or a bracketed IP literal, or
     * nothing (a target without an authority).
     */
    static boolean isHost(String s, int from, int to) {
        int i = from;
        if (i < to && s.charAt(i) == '[') {
            int close = s.indexOf(']', i);
            if (close < 0 || close >= to || close == i + 1) return false;
            for (i++; i < close; i++) {
                char c = s.charAt(i);
                if (c >= 128 || !HOST[c] && c != ':') return false;
            }
            i++;
        } else {
            while (i < to && s.charAt(i) < 128 && HOST[s.charAt(i)]) i++;
        }
        if (i < to && s.charAt(i) == ':') {
            do i++; while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9');
        }
        return i == to;
    }

    static boolean isToken(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !TOKEN[c]) return false;
        }
        return to > from;
    }
}
