package dev.spindle.it.io;

import static dev.spindle.it.io.IoSupport.ANY_LOOPBACK;
import static dev.spindle.it.io.IoSupport.ECHO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.io.Listener;
import dev.spindle.io.TcpSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Opens 5,000 connections at once, all held open together, and closes them, three times: afterwards the
 * process has the descriptors and the loops have the coroutines they had before. (10,000 sockets at the peak:
 * well under the 20,000 open files the test machines allow.)
 */
@Timeout(value = 45, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeakTest {
    static final int CONNECTIONS = 5000;

    @Test
    void thousandsOfConnectionsLeakNoDescriptorsAndNoCoroutines() throws Exception {
        assumeTrue(IoSupport.openFds() > 0, "needs /proc/self/fd");
        try (EventLoopGroup servers = new EventLoopGroup(2); EventLoop clients = new EventLoop("leak-clients")) {
            Listener l = servers.serve(ANY_LOOPBACK, ECHO);
            round(clients, l, 10); // warm up: classes, worker threads, selector internals
            int serverTasks = 1; // the acceptor
            IoSupport.eventually(() -> servers.liveTasks() == serverTasks); // the warm-up's connections ended
            loopsPassedSelect(servers, clients);
            int fds = IoSupport.openFds();
            for (int r = 0; r < 3; r++) {
                round(clients, l, CONNECTIONS);
                IoSupport.eventually(() -> servers.liveTasks() == serverTasks && clients.liveTasks() == 0,
                        () -> IoSupport.dump(servers.loops()) + clients.dump().join());
                loopsPassedSelect(servers, clients);
                // a leak keeps the count above the start until the test's timeout fails it; a second reading
                // could count a descriptor the JVM opened meanwhile for something else (it did, once in CI)
                IoSupport.eventually(() -> IoSupport.openFds() <= fds, () -> IoSupport.openFds() + " fds, was " + fds);
            }
            assertEquals(10 + 3 * CONNECTIONS, l.accepted());
        }
    }

    /**
     * A closed channel's descriptor is released by its selector's next select: have each loop go round once
     * (execute wakes it; the action runs after the select that processed the closes).
     */
    private static void loopsPassedSelect(EventLoopGroup servers, EventLoop clients) {
        for (EventLoop loop : servers.loops()) {
            for (int i = 0; i < 2; i++) loop.submit(() -> null).join();
        }
        for (int i = 0; i < 2; i++) clients.submit(() -> null).join();
    }

    /** Connects {@code n} clients, waits until all are connected and echoed once, then closes them all. */
    private static void round(EventLoop clients, Listener l, int n) {
        CompletableFuture<Integer> done = clients.submit(() -> {
            List<dev.spindle.io.Task> tasks = new ArrayList<>();
            List<TcpSocket> sockets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                tasks.add(EventLoop.current().spawn("client " + i, () -> {
                    try {
                        TcpSocket s = TcpSocket.connect(l.localAddress());
                        sockets.add(s);
                        byte[] msg = IoSupport.pattern(16, id);
                        s.writeAll(ByteBuffer.wrap(msg));
                        ByteBuffer back = ByteBuffer.allocate(16);
                        s.readFully(back);
                        if (!java.util.Arrays.equals(msg, back.array())) throw new AssertionError("payload " + id);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
            }
            for (dev.spindle.io.Task t : tasks) EventLoop.await(t.completion()); // all open at once here
            for (TcpSocket s : sockets) s.close();
            return sockets.size();
        });
        assertEquals(n, done.join());
    }
}
