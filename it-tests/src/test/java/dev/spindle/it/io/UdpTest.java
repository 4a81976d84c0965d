package dev.spindle.it.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.UdpSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Datagrams between two coroutines of one loop; a receive that times out. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UdpTest {
    @Test
    void datagramsGoBackAndForth() throws Exception {
        try (EventLoop loop = new EventLoop("udp")) {
            UdpSocket server = UdpSocket.bind(loop, new InetSocketAddress("127.0.0.1", 0));
            loop.spawn("udp echo", () -> {
                ByteBuffer buf = ByteBuffer.allocate(1500);
                try {
                    for (;;) {
                        buf.clear();
                        SocketAddress from = server.receive(buf);
                        buf.flip();
                        server.send(buf, from);
                    }
                } catch (IOException closed) {
                    // the end of the test
                }
            });
            String reply = loop.submit(() -> {
                try {
                    UdpSocket client = UdpSocket.bind(EventLoop.current(), new InetSocketAddress("127.0.0.1", 0));
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < 5; i++) {
                        client.send(ByteBuffer.wrap(("ping" + i).getBytes(StandardCharsets.US_ASCII)),
                                server.localAddress());
                        ByteBuffer in = ByteBuffer.allocate(100);
                        client.receive(in);
                        b.append(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).append(' ');
                    }
                    client.close();
                    return b.toString().trim();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).join();
            assertEquals("ping0 ping1 ping2 ping3 ping4", reply);
            server.close();
        }
    }

    /** close() from outside the loop returns with the address free to bind again, however busy the loop is. */
    @Test
    void anAddressIsFreeAgainOnceCloseReturns() throws Exception {
        try (EventLoop loop = new EventLoop("udp-rebind")) {
            for (int i = 0; i < 3; i++) {
                UdpSocket a = UdpSocket.bind(loop, new InetSocketAddress("127.0.0.1", 0));
                InetSocketAddress at = a.localAddress();
                java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
                loop.execute(() -> {
                    busy.countDown();
                    long end = System.nanoTime() + 100_000_000L;
                    while (System.nanoTime() - end < 0) Thread.onSpinWait();
                });
                busy.await();
                a.close();
                UdpSocket.bind(loop, at).close();
            }
        }
    }

    @Test
    void aReceiveTimesOut() {
        try (EventLoop loop = new EventLoop("udp-timeout")) {
            Throwable e = assertThrows(java.util.concurrent.CompletionException.class, () -> loop.submit(() -> {
                try (UdpSocket s = UdpSocket.bind(EventLoop.current(), new InetSocketAddress("127.0.0.1", 0))) {
                    s.setReceiveTimeout(Duration.ofMillis(20));
                    return s.receive(ByteBuffer.allocate(10));
                } catch (IOException e1) {
                    throw new UncheckedIOException(e1);
                }
            }).join()).getCause();
            assertEquals(SocketTimeoutException.class, e.getCause().getClass());
            assertTrue(e.getCause().getMessage().matches("receive on /127\\.0\\.0\\.1:\\d+ timed out"),
                    e.getCause().getMessage());
        }
    }
    /** As a socket's own checks: a host that did not resolve is an UnknownHostException, a negative timeout refused. */
    @Test
    void anUnresolvedTargetAndANegativeTimeoutAreClearErrors() {
        try (EventLoop loop = new EventLoop("udp-misuse")) {
            String outcome = loop.submit(() -> {
                try (UdpSocket s = UdpSocket.bind(EventLoop.current(), new InetSocketAddress("127.0.0.1", 0))) {
                    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                            () -> s.setReceiveTimeout(Duration.ofMillis(-1)));
                    assertTrue(negative.getMessage().contains("setReceiveTimeout"), negative.getMessage());
                    assertThrows(IllegalArgumentException.class, () -> s.setSendTimeout(Duration.ofSeconds(-5)));
                    s.send(ByteBuffer.wrap(new byte[1]), InetSocketAddress.createUnresolved("no.such.host.invalid", 9));
                    return "sent";
                } catch (java.net.UnknownHostException e) {
                    return "unknown " + e.getMessage();
                } catch (IOException e) {
                    return e.toString();
                }
            }).join();
            assertEquals("unknown no.such.host.invalid", outcome);
        }
    }
}
