package dev.spindle.benchmarks.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A thread per connection, blocking sockets: platform threads, or virtual threads (JDK 21+). */
final class ThreadServer {
    private ThreadServer() {
    }

    static void start(InetSocketAddress addr, boolean http, boolean virtual) throws Exception {
        ExecutorService pool = virtual
                ? (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null)
                : Executors.newCachedThreadPool();
        ServerSocket server = new ServerSocket();
        server.bind(addr, 65535);
        Thread acceptor = new Thread(() -> {
            try {
                for (;;) {
                    Socket s = server.accept();
                    pool.execute(() -> serve(s, http));
                }
            } catch (IOException e) {
                e.printStackTrace();
            }
        }, "acceptor");
        acceptor.start();
    }

    private static void serve(Socket s, boolean http) {
        try (s) {
            s.setTcpNoDelay(true);
            if (http) {
                http(s.getInputStream(), s.getOutputStream());
            } else {
                byte[] buf = new byte[64];
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private static void http(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1024];
        HttpRequestScanner scanner = new HttpRequestScanner();
        int start = 0;
        int end = 0;
        for (;;) {
            int len = scanner.scan(buf, start, end);
            if (len > 0) {
                out.write(Http1.RESPONSE);
                if (scanner.close) return;
                start += len;
                continue;
            }
            if (len < 0 || end - start == buf.length) { // malformed, or a request larger than the buffer
                out.write(Http1.BAD_REQUEST);
                return;
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) return;
            end += n;
        }
    }
}
