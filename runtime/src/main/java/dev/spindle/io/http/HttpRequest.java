package dev.spindle.io.http;

import java.util.Map;

/**
 * A parsed HTTP/1.x request: method, target, version, headers (names lower-cased) and the whole body.
 *
 * @param target  the request target: a path and query ({@code /a?b}), {@code *} or an authority ({@code CONNECT});
 *                an absolute-form target ({@code http://host/a?b}) comes reduced to its path and query, its
 *                authority replacing the {@code Host} field (RFC 9112 3.2.2)
 * @param version {@code HTTP/1.0} or {@code HTTP/1.1}, which a later 1.x minor version is served as (RFC 9110 2.5)
 * @param headers the header fields by lower-case name; repeated fields joined with {@code ", "}
 */
public record HttpRequest(String method, String target, String version, Map<String, String> headers, byte[] body) {
    /** The header's value, or null; {@code name} in any case. */
    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** The target without its query string. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /**
     * True if the connection stays open after this request, by the rules of its HTTP version and the options of
     * its {@code Connection} field (a list: {@code Keep-Alive, TE} asks for keep-alive, {@code X-Disclose} is not
     * {@code close}, and {@code close} among the options wins, also in HTTP/1.0's {@code keep-alive, close}).
     */
    public boolean keepAlive() {
        String c = header("connection");
        if ("HTTP/1.0".equals(version)) return c != null && hasOption(c, "keep-alive") && !hasOption(c, "close");
        return c == null || !hasOption(c, "close");
    }

    /** True if {@code option} is an element of the comma-separated {@code list} (RFC 9110 5.6.1), in any case. */
    static boolean hasOption(String list, String option) {
        int n = list.length();
        for (int i = 0; i <= n; ) {
            int comma = list.indexOf(',', i);
            int end = comma < 0 ? n : comma;
            int from = i;
            while (from < end && (list.charAt(from) == ' ' || list.charAt(from) == '\t')) from++;
            int to = end;
            while (to > from && (list.charAt(to - 1) == ' ' || list.charAt(to - 1) == '\t')) to--;
            if (to - from == option.length() && list.regionMatches(true, from, option, 0, to - from)) return true;
            i = end + 1;
        }
        return false;
    }
}
