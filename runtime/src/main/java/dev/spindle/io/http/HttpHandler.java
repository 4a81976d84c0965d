package dev.spindle.io.http;

import dev.spindle.Suspendable;

/**
 * Answers one request, in the connection's coroutine: it may suspend (read other sockets, {@code await} a
 * future, run {@code EventLoop.blocking} work) without holding up other connections. An exception, or an error
 * such as a failed assertion, becomes a {@code 500} and closes the connection.
 *
 * <pre>{@code
 * HttpHandler h = req -> req.path().equals("/") ? HttpResponse.text(200, "hello\n")
 *                                               : HttpResponse.text(404, "not found\n");
 * }</pre>
 */
@FunctionalInterface
public interface HttpHandler {
    @Suspendable
    HttpResponse handle(HttpRequest request) throws Exception;
}
