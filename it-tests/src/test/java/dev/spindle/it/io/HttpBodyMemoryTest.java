package dev.spindle.it.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Listener;
import dev.spindle.io.http.HttpResponse;
import dev.spindle.io.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request whose header announces a large body holds memory only for the bytes that arrived: 300 connections
 * that each announce a 1 MB body and send none of it must not fill a 64 MB heap (they filled it when the body's
 * whole array was allocated up front). In a fresh JVM, for the small heap.
 */
class HttpBodyMemoryTest {
    @Test
    @Timeout(90)
    void bodiesAnnouncedButNotSentDoNotFillTheHeap() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-javaagent:" + Path.of(System.getProperty("spindle.agent.jar")).toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertFalse(out.contains("OutOfMemoryError"), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("waiting 300, a later GET 200 hello, a body of 2500001 bytes echoed true"), out);
    }

    /** Opens the connections, each waiting for its {@code 100 Continue}: the server is then reading its body. */
    public static final class Child {
        private static final int ANNOUNCED = 1 << 20;

        public static void main(String[] args) throws Exception {
            EventLoopGroup group = new EventLoopGroup(1);
            Listener l = group.serve(IoSupport.ANY_LOOPBACK, new HttpServer(
                    req -> req.body().length == 0 ? HttpResponse.text(200, "hello") : new HttpResponse(200, req.body()),
                    HttpServer.Limits.DEFAULT.withMaxBody(3_000_000)));
            int port = l.localAddress().getPort();
            List<Socket> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    waiting.add(s);
                    s.setSoTimeout(20_000);
                    send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + ANNOUNCED
                            + "\r\n\r\n");
                    String cont = line(s.getInputStream());
                    if (!cont.equals("HTTP/1.1 100 Continue")) throw new IllegalStateException(cont);
                    line(s.getInputStream());
                }
                String get;
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(20_000);
                    send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    get = HttpTest.response(s.getInputStream());
                }
                byte[] body = new byte[2_500_001];
                for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31 + (i >> 16));
                boolean echoed;
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(20_000);
                    send(s, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n");
                    OutputStream o = s.getOutputStream();
                    for (int at = 0; at < body.length; at += 7_000) o.write(body, at, Math.min(7_000, body.length - at));
                    InputStream in = s.getInputStream();
                    int length = -1;
                    for (String h; !(h = line(in)).isEmpty(); ) {
                        if (h.startsWith("Content-Length: ")) length = Integer.parseInt(h.substring(16));
                    }
                    echoed = length == body.length && Arrays.equals(body, in.readNBytes(length));
                }
                System.out.println("waiting " + waiting.size() + ", a later GET " + get.replace("\n", "")
                        + ", a body of " + body.length + " bytes echoed " + echoed);
            } finally {
                for (Socket s : waiting) s.close();
                group.close();
            }
            System.exit(0);
        }

        private static void send(Socket s, String text) throws IOException {
            s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) throw new java.io.EOFException("in a line: " + b);
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }
    }
}
