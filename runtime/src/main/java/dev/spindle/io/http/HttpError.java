package dev.spindle.io.http;

/** A request the server refuses with {@link #status}, then closes the connection (it cannot resync). */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
