package dev.spindle.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class RunQueueTest {
    @Test
    void firstInFirstOutAcrossBurstsLargeAndSmall() {
        RunQueue<Integer> q = new RunQueue<>();
        int next = 0;
        for (int burst : new int[] {3, RunQueue.KEEP * 10, 1, RunQueue.KEEP + 1, 0, 50}) {
            for (int i = 0; i < burst; i++) q.add(next + i);
            assertEquals(burst, q.size());
            for (int i = 0; i < burst; i++) assertEquals(next + i, q.poll());
            assertTrue(q.isEmpty());
            assertNull(q.poll());
            next += burst;
        }
    }

    /** The point of the class: what a burst of 10,000 accepted connections left behind is not kept. */
    @Test
    void aDrainedLargeBurstLeavesNoLargeArrayBehindAndSmallOnesKeepTheirs() throws Exception {
        RunQueue<Integer> q = new RunQueue<>();
        Object small = deque(q);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) q.add(i);
            while (q.poll() != null) { }
        }
        assertSame(small, deque(q));
        for (int i = 0; i < 10_000; i++) q.add(i);
        for (int i = 0; i < 9_999; i++) q.poll();
        Object large = deque(q);
        assertEquals(1, q.size());
        q.poll();
        assertNotSame(large, deque(q));
    }

    private static Object deque(RunQueue<?> q) throws ReflectiveOperationException {
        Field f = RunQueue.class.getDeclaredField("tasks");
        f.setAccessible(true);
        return f.get(q);
    }
}
