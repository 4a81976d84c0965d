package dev.spindle.it.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.io.EventLoop;
import dev.spindle.io.Listener;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process out of file descriptors (EMFILE) fails its accepts; the listener waits and accepts again once some
 * are free, and the loop and its other connections never notice. In a fresh JVM, because the logger's first
 * message itself needs a file (time-zone data) and fails then too, which must not stop the loop either.
 */
class OutOfDescriptorsTest {
    @Test
    @Timeout(90)
    void aListenerOutOfDescriptorsAcceptsAgainOnceSomeAreFreeAndTheLoopGoesOn() throws Exception {
        assumeTrue(IoSupport.openFds() > 0, "needs /proc/self/fd");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + Path.of(System.getProperty("spindle.agent.jar")).toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("loop alive true, old connection echoes true, new connection echoes true"), out);
    }

    /** Runs out of descriptors while a connection waits in the accept backlog, then frees them. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            EventLoop loop = new EventLoop("out-of-fds");
            Listener l = loop.serve(IoSupport.ANY_LOOPBACK, IoSupport.ECHO);
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", l.localAddress().getPort());
            Socket old = new Socket(at.getAddress(), at.getPort());
            old.setSoTimeout(10_000);
            boolean oldEchoes = echoes(old, 1);
            List<InputStream> hog = new ArrayList<>();
            Socket waiting = new Socket();
            try {
                try {
                    for (;;) hog.add(new FileInputStream("/dev/null"));
                } catch (IOException outOfDescriptors) {
                    hog.remove(hog.size() - 1).close(); // one for the client: none left for the server's accept
                }
                waiting.connect(at); // completed by the kernel's backlog; the loop's accept fails
                Thread.sleep(500);
            } finally {
                for (InputStream in : hog) in.close();
            }
            waiting.setSoTimeout(10_000);
            boolean newEchoes = echoes(waiting, 2);
            oldEchoes &= echoes(old, 3);
            System.out.println("loop alive " + loop.thread().isAlive() + ", old connection echoes " + oldEchoes
                    + ", new connection echoes " + newEchoes);
            System.exit(0);
        }

        private static boolean echoes(Socket s, int b) {
            try {
                s.getOutputStream().write(b);
                return s.getInputStream().read() == b;
            } catch (IOException e) {
                System.out.println(e);
                return false;
            }
        }
    }
}
