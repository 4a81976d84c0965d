package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static dev.spindle.it.Co.sInt;
import static dev.spindle.it.Co.sLong;
import static dev.spindle.it.Co.sRef;
import static dev.spindle.it.Co.sameWithAndWithoutSuspension;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Switches, loops and deep recursion with suspension points inside. */
class ControlFlowTest {
    enum Color { RED, GREEN, BLUE, BLACK }

    @Test
    void tableSwitch() {
        String r = sameWithAndWithoutSuspension(() -> {
            StringBuilder sb = new StringBuilder();
            for (int k = -1; k <= 5; k++) {
                switch (sInt(k)) {
                    case 0 -> sb.append("zero").append(sInt(k));
                    case 1 -> {
                        pause();
                        sb.append("one");
                    }
                    case 2, 3 -> sb.append(sRef("two-three"));
                    case 4 -> {
                        // falls to the next statement after a suspension inside the case
                        long w = sLong(4L << 33);
                        sb.append(w >>> 33);
                    }
                    default -> sb.append("default").append(k);
                }
                sb.append(',');
            }
            return sb.toString();
        });
        assertEquals("default-1,zero0,one,two-three,two-three,4,default5,", r);
    }

    @Test
    void lookupSwitchWithFallThrough() {
        String r = sameWithAndWithoutSuspension(() -> {
            StringBuilder sb = new StringBuilder();
            for (int k : new int[] {-100_000, 7, 1000, 123_456_789, 8}) {
                switch (k) {
                    case -100_000:
                        sb.append(sRef("neg"));
                        // fall through
                    case 1000:
                        sb.append(sInt(1000));
                        break;
                    case 123_456_789:
                        pause();
                        sb.append("big");
                        break;
                    case 7:
                        sb.append(sInt(7));
                        // fall through
                    default:
                        sb.append("d");
                }
                sb.append('|');
            }
            return sb.toString();
        });
        assertEquals("neg1000|7d|1000|big|d|", r);
    }

    @Test
    void stringSwitchIncludingHashCollisions() {
        // "Aa" and "BB" have the same hashCode: the switch compares with equals after a suspension
        assertEquals("Aa".hashCode(), "BB".hashCode());
        String r = sameWithAndWithoutSuspension(() -> {
            StringBuilder sb = new StringBuilder();
            for (String s : List.of("Aa", "BB", "alpha", "beta", "other")) {
                switch (sRef(s)) {
                    case "Aa" -> sb.append(sInt(1));
                    case "BB" -> sb.append(sInt(2));
                    case "alpha" -> {
                        pause();
                        sb.append("A");
                    }
                    case "beta" -> sb.append(sRef("B"));
                    default -> sb.append("?").append(sRef(s).length());
                }
            }
            return sb.toString();
        });
        assertEquals("12AB?5", r);
    }

    @Test
    void switchExpressionsOverEnumsAndInts() {
        String r = sameWithAndWithoutSuspension(() -> {
            StringBuilder sb = new StringBuilder();
            for (Color c : Color.values()) {
                int base = 100;
                // a value on the stack (base) below the switch expression that suspends
                int v = base + switch (sRef(c)) {
                    case RED -> sInt(1);
                    case GREEN -> {
                        pause();
                        yield 2;
                    }
                    case BLUE -> {
                        int t = sInt(3);
                        yield t * sInt(10);
                    }
                    default -> -sRef(c).ordinal();
                };
                String name = switch (v % 3) {
                    case 0 -> sRef("zero");
                    case 1 -> "one";
                    default -> sRef("two");
                };
                sb.append(c).append('=').append(v).append(name).append(' ');
            }
            return sb.toString();
        });
        assertEquals("RED=101two GREEN=102zero BLUE=130one BLACK=97one ", r);
    }

    @Test
    void loopsWithLabeledBreakAndContinue() {
        String r = sameWithAndWithoutSuspension(() -> {
            List<String> out = new ArrayList<>();
            outer:
            for (int i = 0; i < sInt(5); i++) {
                int j = 0;
                while (true) {
                    j += sInt(1);
                    if (j > i) {
                        continue outer;
                    }
                    if (i * j == 6) {
                        break outer;
                    }
                    out.add(i + "" + j);
                }
            }
            int n = 0;
            do {
                n = sInt(n + 3);
            } while (n < sInt(10));
            out.add("n" + n);
            return out.toString();
        });
        assertEquals("[11, 21, 22, 31, n12]", r);
    }

    @Test
    void forEachOverListWithSuspensionAndStringConcatenation() {
        List<String> words = List.of("a", "bb", "ccc");
        String r = sameWithAndWithoutSuspension(() -> {
            String acc = "";
            int k = 0;
            for (String w : words) {
                acc = acc + w + sInt(k++) + sRef(w.toUpperCase()) + ";";
            }
            for (char ch : sRef("xy").toCharArray()) {
                acc += ch + "" + sInt(ch);
            }
            return acc;
        });
        assertEquals("a0A;bb1BB;ccc2CCC;x" + (int) 'x' + "y" + (int) 'y', r);
    }

    // ---- recursion 2000 deep ----

    static final int DEPTH = 2000;

    /** Sum of 1..n, suspending only at the bottom. */
    @Suspendable
    private static long sumSuspendingAtBottom(int n) {
        if (n == 0) {
            pause();
            return 0;
        }
        return n + sumSuspendingAtBottom(n - 1);
    }

    /** Sum of 1..n, suspending on the way down and on the way up at every level. */
    @Suspendable
    private static long sumSuspendingAtEveryLevel(int n) {
        if (n == 0) {
            return 0;
        }
        pause();
        long r = n + sumSuspendingAtEveryLevel(n - 1);
        pause();
        return r;
    }

    @Test
    void deepRecursionSuspendingAtTheBottom() {
        long r = sameWithAndWithoutSuspension(() -> sumSuspendingAtBottom(DEPTH));
        assertEquals((long) DEPTH * (DEPTH + 1) / 2, r);

        Coroutine c = new Coroutine(() -> sumSuspendingAtBottom(DEPTH));
        assertTrue(c.resume());
        long frames = Arrays.stream(c.stackTrace()).filter(e -> e.getMethodName().equals("sumSuspendingAtBottom"))
                .count();
        assertEquals(DEPTH + 1, frames, "every level of the recursion is a suspended frame");
        assertEquals(0, Co.drive(c));
    }

    @Test
    void deepRecursionSuspendingAtEveryLevel() {
        long r = sameWithAndWithoutSuspension(() -> sumSuspendingAtEveryLevel(DEPTH));
        assertEquals((long) DEPTH * (DEPTH + 1) / 2, r);
    }

    @Suspendable
    private static int fib(int n) {
        pause();
        return n < 2 ? sInt(n) : fib(n - 1) + fib(n - 2);
    }

    @Test
    void treeRecursion() {
        int r = sameWithAndWithoutSuspension(() -> fib(15));
        int a = 0;
        int b = 1;
        for (int k = 0; k < 15; k++) {
            int t = a + b;
            a = b;
            b = t;
        }
        assertEquals(a, r);
    }
}
