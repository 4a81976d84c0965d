package dev.spindle.io.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@link HttpHandler} answers: a status, header fields and a body. The server adds {@code Content-Length},
 * {@code Connection: close} when it closes the connection, and {@code Date} unless the handler set one. A
 * {@code 204} or {@code 304} response has no content (RFC 9110 6.4.1): a body given one is not sent,
 * and neither is a {@code Content-Length}; the answer to a {@code HEAD} has the {@code Content-Length} of the body,
 * which is not sent either. The framing is the server's: a {@code Content-Length} or {@code Transfer-Encoding} a
 * handler sets is not sent, and neither is its {@code Connection}, but a {@code close} among its options makes the
 * server close the connection after the response (and say so).
 *
 * <pre>{@code
 * return HttpResponse.text(200, "hello\n").header("Cache-Control", "no-store");
 * }</pre>
 */
public final class HttpResponse {
    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    final byte[] body;
    /** The handler set {@code Connection: close}. */
    boolean close;

    /**
     * @param body the content; null for none
     * @throws IllegalArgumentException if {@code status} is not three digits (RFC 9112 4), or is informational
     *                                  ({@code 1xx}): a handler's answer is the final response, which a client
     *                                  would wait for after a {@code 1xx} (the server sends {@code 100 Continue}
     *                                  itself)
     */
    public HttpResponse(int status, byte[] body) {
        if (status < 100 || status > 999) throw new IllegalArgumentException("status not three digits: " + status);
        if (status < 200) {
            throw new IllegalArgumentException("status " + status + " is informational, and a handler's response is"
                    + " final (RFC 9110 15.2): answer with a status of 200 or more");
        }
        this.status = status;
        this.body = body == null ? RequestParser.NO_BODY : body;
    }

    /** A {@code text/plain; charset=utf-8} response. */
    public static HttpResponse text(int status, String body) {
        HttpResponse r = new HttpResponse(status, body.getBytes(StandardCharsets.UTF_8));
        r.headers.put("Content-Type", "text/plain; charset=utf-8"); // valid: spares the hot path header()'s checks
        return r;
    }

    /**
     * Adds (or replaces) a header field; {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection}
     * are the server's (see above).
     *
     * <p>The value goes out in ISO-8859-1, a byte per character, as HTTP/1.1 field values do; characters
     * U+0080 to U+00FF are sent as the bytes RFC 9110 calls obs-text.
     *
     * @throws IllegalArgumentException if {@code name} is not a token, or {@code value} has a C0 control character
     *                                  other than a tab or DEL (a CR or LF would split the response: RFC 9110
     *                                  5.5), or a character above U+00FF, which has no byte to go out as
     *                                  (percent-encode it, or use RFC 8187's {@code UTF-8''} form)
     */
    public HttpResponse header(String name, String value) {
        if (!RequestParser.isToken(name, 0, name.length())) {
            throw new IllegalArgumentException("invalid header field name: \"" + name + "\"");
        }
        if (!RequestParser.isFieldValue(value)) {
            throw new IllegalArgumentException("control character in the value of header field " + name);
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0xff) {
                throw new IllegalArgumentException("character U+" + String.format("%04X", (int) value.charAt(i))
                        + " in the value of header field " + name + " has no ISO-8859-1 byte: percent-encode it,"
                        + " or use RFC 8187's UTF-8'' form");
            }
        }
        // a second Content-Length, or one that disagrees with the body sent, would desynchronise the client
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) return this;
        if (name.equalsIgnoreCase("Connection")) {
            close = HttpRequest.hasOption(value, "close"); // RFC 9112 9.6: sent, it obliges the server to close
            return this;
        }
        headers.keySet().removeIf(n -> n.equalsIgnoreCase(name)); // field names are case-insensitive (RFC 9110 5.1)
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    static String reason(int status) {
        switch (status) { // RFC 9110 15
            case 100: return "Continue";
            case 101: return "Switching Protocols";
            case 200: return "OK";
            case 201: return "Created";
            case 202: return "Accepted";
            case 204: return "No Content";
            case 206: return "Partial Content";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 304: return "Not Modified";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 406: return "Not Acceptable";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 411: return "Length Required";
            case 412: return "Precondition Failed";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 415: return "Unsupported Media Type";
            case 416: return "Range Not Satisfiable";
            case 417: return "Expectation Failed";
            case 422: return "Unprocessable Content";
            case 426: return "Upgrade Required";
            case 428: return "Precondition Required";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return "Status " + status;
        }
    }
}
