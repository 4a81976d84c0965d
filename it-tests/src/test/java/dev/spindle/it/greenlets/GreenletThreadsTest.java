package dev.spindle.it.greenlets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Greenlet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A greenlet belongs to the thread that created it; every thread has its own main greenlet. */
class GreenletThreadsTest {
    private ExecutorService other;

    @BeforeEach
    void start() {
        other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
    }

    @AfterEach
    void stop() {
        other.shutdown();
    }

    private <T> T onOtherThread(java.util.concurrent.Callable<T> task) throws Exception {
        try {
            return other.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        }
    }

    @Test
    void switchingToAGreenletOfAnotherThreadIsAClearError() throws Exception {
        Greenlet theirs = onOtherThread(() -> new Greenlet("theirs", arg -> "ran"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> theirs.switchTo(null));
        assertTrue(e.getMessage().contains("other-thread") && e.getMessage().contains("switchTo()")
                && e.getMessage().contains("theirs"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> theirs.throwInto(new RuntimeException()));
        assertTrue(e.getMessage().contains("throwInto()"), e.getMessage());
        e = assertThrows(IllegalStateException.class, theirs::kill);
        assertTrue(e.getMessage().contains("kill()"), e.getMessage());
        assertFalse(theirs.isStarted());
        assertEquals("ran", onOtherThread(() -> theirs.switchTo(null)), "its own thread can run it");
    }

    @Test
    void switchingToAnotherThreadsMainGreenletIsRefusedToo() throws Exception {
        Greenlet theirMain = onOtherThread(Greenlet::mainGreenlet);
        assertNotSame(Greenlet.mainGreenlet(), theirMain);
        Greenlet mine = new Greenlet(arg -> theirMain.switchTo("hi"));
        assertThrows(IllegalStateException.class, () -> mine.switchTo(null));
    }

    @Test
    void aParentOfAnotherThreadIsRefused() throws Exception {
        Greenlet theirs = onOtherThread(() -> new Greenlet("theirs", arg -> null));
        Greenlet mine = new Greenlet("mine", arg -> null);
        assertThrows(IllegalArgumentException.class, () -> mine.setParent(theirs));
        assertThrows(IllegalArgumentException.class, () -> new Greenlet("x", arg -> null, theirs));
        Greenlet unnamed = new Greenlet(arg -> null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> unnamed.setParent(theirs));
        assertTrue(e.getMessage().contains(Integer.toHexString(System.identityHashCode(unnamed))), e.getMessage());
    }

    @Test
    void greenletsOfTwoThreadsRunIndependently() throws Exception {
        Future<Long> there = other.submit(() -> pingPong(50_000));
        long here = pingPong(50_000);
        assertEquals(here, (long) there.get());
    }

    private long pingPong(int rounds) {
        Greenlet[] pair = new Greenlet[2];
        pair[0] = new Greenlet(arg -> {
            long n = 0;
            for (int i = 0; i < rounds; i++) n = pair[1].<Long>switchTo(n + 1);
            return n;
        });
        pair[1] = new Greenlet(arg -> {
            long n = (Long) arg;
            for (;;) n = pair[0].<Long>switchTo(n * 3 % 1_000_003);
        });
        return pair[0].switchTo(null);
    }
}
