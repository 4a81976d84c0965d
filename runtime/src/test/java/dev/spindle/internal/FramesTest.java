package dev.spindle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class FramesTest {
    @Test
    void headerKeepsStateAndSizesApart() {
        int[][] cases = {{0, 0, 0}, {1, 2, 3}, {Frames.MAX_STATES - 1, Frames.MAX_SLOTS, Frames.MAX_SLOTS}, {77, 0, 1023}};
        for (int[] c : cases) {
            int h = Frames.header(c[0], c[1], c[2]);
            assertEquals(c[0], Frames.state(h));
            assertEquals(c[1], Frames.words(h));
            assertEquals(c[2], Frames.refs(h));
        }
    }

    @Test
    void primitiveResultsAreBoxedByTheirKind() {
        assertEquals(Integer.valueOf(-5), Frames.box(Carrier.INT, -5));
        assertEquals(Long.valueOf(1L << 40), Frames.box(Carrier.LONG, 1L << 40));
        assertEquals(Boolean.TRUE, Frames.box(Carrier.BOOLEAN, 1));
        assertEquals(Character.valueOf('x'), Frames.box(Carrier.CHAR, 'x'));
        assertEquals(Double.valueOf(2.5), Frames.box(Carrier.DOUBLE, Double.doubleToRawLongBits(2.5)));
        assertEquals(Float.valueOf(1.5f), Frames.box(Carrier.FLOAT, Float.floatToRawIntBits(1.5f)));
    }

    @Test
    void boxedResultsAreUnboxedToInts() {
        assertEquals(7, Frames.unboxInt(7));
        assertEquals(1, Frames.unboxInt(true));
        assertEquals('q', Frames.unboxInt('q'));
        assertEquals(3, Frames.unboxInt((short) 3));
    }

    @Test
    void resumeCopyNamesAreShownAsTheMethodsOwn() {
        StackTraceElement copy = new StackTraceElement("a.B", "run" + Frames.COPY_SUFFIX + "2", "B.java", 12);
        StackTraceElement natural = Frames.natural(copy);
        assertEquals("run", natural.getMethodName());
        assertEquals(12, natural.getLineNumber());
        StackTraceElement plain = new StackTraceElement("a.B", "run", "B.java", 12);
        assertSame(plain, Frames.natural(plain));
    }
}
