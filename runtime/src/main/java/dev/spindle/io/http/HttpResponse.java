package dev.spindle.io.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@link HttpHandler} answers: a status, header fields and a body. The server adds {@code Content-Length},
 * {@code Connection: close} when it closes the connection, and {@code Date} unless the handler set one. A
 * {@code 1xx}, {@code 204} or {@code 304} response has no content (RFC 9110 6.4.1): a body given one is not sent,
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

    public HttpResponse(int status, byte[] body) {
        this.status = status;
        this.body = body;
    }

    /** A {@code text/plain; charset=utf-8} response. */
    public static HttpResponse text(int status, String body) {
        return new HttpResponse(status, body.getBytes(StandardCharsets.UTF_8))
                .header("Content-Type", "text/plain; charset=utf-8");
    }

    /**
     * Adds (or replaces) a header field; {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection}
     * are the server's (see above).
     */
    public HttpResponse header(String name, String value) {
        // a second Content-Length, or one that disagrees with the body sent, would desynchronise the client
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) return this;
        if (name.equalsIgnoreCase("Connection")) {
            close = HttpRequest.hasOption(value, "close"); // RFC 9112 9.6: sent, it obliges the server to close
            return this;
        }
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 201: return "Created";
            case 204: return "No Content";
            case 304: return "Not Modified";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 503: return "Service Unavailable";
            default: return "Status " + status;
        }
    }
}
