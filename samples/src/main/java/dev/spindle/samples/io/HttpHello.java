package dev.spindle.samples.io;

import dev.spindle.samples.AgentCheck;
import dev.spindle.samples.SampleArgs;
import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Listener;
import dev.spindle.io.http.HttpResponse;
import dev.spindle.io.http.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A small HTTP/1.1 server with a coroutine per connection ({@link HttpServer} on an {@link EventLoopGroup}):
 * keep-alive and pipelining, {@code 400} for malformed requests, {@code 413} for bodies over 1 MB, connections
 * idle for 10 s closed. Routes:
 * <ul>
 *   <li>{@code GET /}: {@code hello world};</li>
 *   <li>{@code POST /echo}: the request body back;</li>
 *   <li>{@code GET /slow}: answers after two seconds of {@code Thread.sleep} run as
 *       {@link EventLoop#blocking} work, so other requests, on the same loop too, keep being served.</li>
 * </ul>
 *
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar \
 *     dev.spindle.samples.io.HttpHello [port]
 * curl -i localhost:8080/ ; curl localhost:8080/slow &amp; curl localhost:8080/
 * curl --data-binary @README.md localhost:8080/echo
 * </pre>
 */
public final class HttpHello {
    private HttpHello() {
    }

    public static void main(String[] args) throws Exception {
        AgentCheck.requireAgent(HttpHello.class);
        int port = SampleArgs.intArg(args, 0, "port", 8080);
        HttpServer server = new HttpServer(req -> {
            switch (req.path()) {
                case "/":
                    return HttpResponse.text(200, "hello world\n");
                case "/echo":
                    return new HttpResponse(200, req.body()).header("Content-Type", "application/octet-stream");
                case "/slow":
                    String waited = EventLoop.blocking(() -> {
                        Thread.sleep(2000); // stands for a slow query: it holds a worker, not the loop
                        return "slept 2 s on " + Thread.currentThread().getName();
                    });
                    return HttpResponse.text(200, waited + ", answered on " + Thread.currentThread().getName() + "\n");
                default:
                    return HttpResponse.text(404, "no route for " + req.path() + "\n");
            }
        }, HttpServer.Limits.DEFAULT.withIdleTimeout(Duration.ofSeconds(10)));
        EventLoopGroup group = new EventLoopGroup();
        Listener l = group.serve(new InetSocketAddress(port), server);
        System.out.println("HTTP on http://localhost:" + l.localAddress().getPort() + "/ ; Ctrl-C to stop");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> group.shutdown(Duration.ofSeconds(3)).join()));
    }
}
