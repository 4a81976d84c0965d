package dev.spindle.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerHeapTest {
    /** Timers of a few durations (queued) and of many (in the heap), some cancelled, come out in deadline order. */
    @Test
    void firesInDeadlineOrderWhateverIsCancelled() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            TimerHeap h = new TimerHeap();
            List<Timer> live = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                int kind = r.nextInt(4);
                long nanos = kind == 0 ? 1_000_000L * (1 + r.nextInt(1000)) : 1_000_000_000L * (kind * 10);
                Timer t = r.nextBoolean() ? h.addAfter(nanos, () -> { }) : h.add(EventLoop.deadline(nanos), () -> { });
                live.add(t);
                if (r.nextInt(3) == 0) {
                    Timer gone = live.remove(r.nextInt(live.size()));
                    h.remove(gone);
                    h.remove(gone); // twice: nothing more happens
                }
                assertEquals(live.size(), h.size());
            }
            live.sort(Comparator.comparingLong((Timer t) -> t.deadline).thenComparingLong(t -> t.seq));
            for (Timer expected : live) {
                Timer next = h.peek();
                assertEquals(expected, next);
                h.remove(next);
            }
            assertNull(h.peek());
            assertEquals(0, h.size());
        }
    }
}
