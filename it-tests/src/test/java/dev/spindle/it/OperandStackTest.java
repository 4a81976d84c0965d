package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static dev.spindle.it.Co.sBool;
import static dev.spindle.it.Co.sByte;
import static dev.spindle.it.Co.sChar;
import static dev.spindle.it.Co.sDouble;
import static dev.spindle.it.Co.sFloat;
import static dev.spindle.it.Co.sInt;
import static dev.spindle.it.Co.sLong;
import static dev.spindle.it.Co.sRef;
import static dev.spindle.it.Co.sShort;
import static dev.spindle.it.Co.sameWithAndWithoutSuspension;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.Suspendable;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Values on the operand stack and in locals must survive a suspension in a call that sits above them. */
class OperandStackTest {
    private int field = 40;

    @Test
    void arithmeticWithIntsBelowTheCall() {
        int a = 3;
        int b = 5;
        int r = sameWithAndWithoutSuspension(() -> a + b * sInt(7));
        assertEquals(a + b * 7, r);
        int q = sameWithAndWithoutSuspension(() -> (a - sInt(11)) * (b + sInt(2)) / sInt(-3) % sInt(5));
        assertEquals((a - 11) * (b + 2) / -3 % 5, q);
    }

    @Test
    void wideArithmeticBelowTheCall() {
        long big = 1L << 40;
        double x = 2.75;
        long l = sameWithAndWithoutSuspension(() -> big * sLong(3L) - sLong(Long.MAX_VALUE / 7) + sInt(1));
        assertEquals(big * 3L - Long.MAX_VALUE / 7 + 1, l);
        double d = sameWithAndWithoutSuspension(() -> x * sDouble(1e300) - sFloat(1.5f) / sDouble(-0.25));
        assertEquals(x * 1e300 - 1.5f / -0.25, d);
    }

    @Test
    void stringConcatenationWithInvokedynamic() {
        String prefix = "p";
        String s = sameWithAndWithoutSuspension(() -> "x" + sRef("a") + sInt(1) + prefix + sLong(-2L) + sChar('q')
                + sBool(true) + sDouble(0.5) + sFloat(-0.0f) + sByte((byte) -7) + sShort((short) 300) + "y"
                + sRef(null) + sRef(List.of(1, 2)));
        assertEquals("x" + "a" + 1 + prefix + -2L + 'q' + true + 0.5 + -0.0f + (byte) -7 + (short) 300 + "y"
                + null + List.of(1, 2), s);
        String two = sameWithAndWithoutSuspension(() -> "x" + f() + g());
        assertEquals("x" + 1 + "g", two);
    }

    @Suspendable
    private static int f() {
        pause();
        return 1;
    }

    @Suspendable
    private static String g() {
        pause();
        return "g";
    }

    @Test
    void compoundAssignmentToArrayElements() {
        String result = sameWithAndWithoutSuspension(() -> {
            int[] arr = {10, 20, 30};
            int i = 1;
            arr[i] += sInt(5);
            arr[sInt(2)] *= arr[sInt(0)] - sInt(3);
            arr[0] <<= sInt(2);
            arr[sInt(0)]++;
            return Arrays.toString(arr);
        });
        int[] expected = {10, 20, 30};
        expected[1] += 5;
        expected[2] *= expected[0] - 3;
        expected[0] <<= 2;
        expected[0]++;
        assertEquals(Arrays.toString(expected), result);
    }

    @Test
    void compoundAssignmentToWideAndSmallArrayElements() {
        String r = sameWithAndWithoutSuspension(() -> {
            long[] ls = {1L << 33, 5};
            double[] ds = {0.5, 1.5};
            byte[] bs = {120, -3};
            char[] cs = {'a', 'z'};
            boolean[] zs = {false, true};
            short[] ss = {-1, 1};
            float[] fs = {2f, 3f};
            ls[sInt(0)] += sLong(7L);
            ds[1] /= sDouble(3.0);
            bs[0] += sByte((byte) 10); // wraps around
            cs[sInt(1)] -= sChar('\u0001');
            zs[sInt(0)] = sBool(true);
            ss[1] *= sShort((short) -20000);
            fs[0] -= sFloat(0.125f);
            return Arrays.toString(ls) + Arrays.toString(ds) + Arrays.toString(bs) + Arrays.toString(cs)
                    + Arrays.toString(zs) + Arrays.toString(ss) + Arrays.toString(fs);
        });
        long[] ls = {1L << 33, 5};
        double[] ds = {0.5, 1.5};
        byte[] bs = {120, -3};
        char[] cs = {'a', 'z'};
        boolean[] zs = {false, true};
        short[] ss = {-1, 1};
        float[] fs = {2f, 3f};
        ls[0] += 7L;
        ds[1] /= 3.0;
        bs[0] += (byte) 10;
        cs[1] -= '\u0001';
        zs[0] = true;
        ss[1] *= (short) -20000;
        fs[0] -= 0.125f;
        assertEquals(Arrays.toString(ls) + Arrays.toString(ds) + Arrays.toString(bs) + Arrays.toString(cs)
                + Arrays.toString(zs) + Arrays.toString(ss) + Arrays.toString(fs), r);
    }

    @Test
    void argumentsOfMixedSizesBelowTheCall() {
        String r = sameWithAndWithoutSuspension(() -> h(1, 2L, f(), "s"));
        assertEquals(h(1, 2L, 1, "s"), r);
    }

    private static String h(int a, long b, int c, String d) {
        return a + "/" + b + "/" + c + "/" + d;
    }

    /** Every kind of value as an argument, each one produced by a suspending call while the earlier ones wait. */
    @Test
    void everyPrimitiveTypeReferenceArrayAndNull() {
        Object ref = new StringBuilder("ref");
        int[] arr = {4, 5, 6};
        List<Object> r = sameWithAndWithoutSuspension(() -> all(sInt(Integer.MIN_VALUE), sLong(Long.MIN_VALUE + 1),
                sDouble(Double.NaN), sFloat(Float.MIN_VALUE), sShort(Short.MIN_VALUE), sByte(Byte.MIN_VALUE),
                sChar('\uFFFF'), sBool(true), sRef(ref), sRef(arr), sRef(null), sDouble(-0.0)));
        assertEquals(all(Integer.MIN_VALUE, Long.MIN_VALUE + 1, Double.NaN, Float.MIN_VALUE, Short.MIN_VALUE,
                Byte.MIN_VALUE, '\uFFFF', true, ref, arr, null, -0.0), r);
    }

    /** The same, but with the constant values on the stack below one suspending call. */
    @Test
    void everyTypeAsConstantsBelowOneCall() {
        Object ref = "ref";
        long[] arr = {9L};
        List<Object> r = sameWithAndWithoutSuspension(() -> all(Integer.MAX_VALUE, Long.MAX_VALUE, Math.PI,
                -Float.MAX_VALUE, Short.MAX_VALUE, Byte.MAX_VALUE, 'c', false, ref, arr, null, sDouble(Math.E)));
        assertEquals(all(Integer.MAX_VALUE, Long.MAX_VALUE, Math.PI, -Float.MAX_VALUE, Short.MAX_VALUE,
                Byte.MAX_VALUE, 'c', false, ref, arr, null, Math.E), r);
    }

    private static List<Object> all(int i, long l, double d, float f, short s, byte b, char c, boolean z, Object o,
            Object arr, Object nul, double last) {
        return Arrays.asList(i, l, d, f, s, b, c, z, o, arr, nul, last);
    }

    @Test
    void valuesReturnedBySuspendedCallsKeepTheirType() {
        List<Object> r = sameWithAndWithoutSuspension(() -> Arrays.asList(sByte((byte) -1), sShort((short) -1),
                sChar((char) -1), sBool(false), sInt(-1), sLong(-1L), sFloat(-1f), sDouble(-1d)));
        assertEquals(Arrays.asList((byte) -1, (short) -1, (char) -1, false, -1, -1L, -1f, -1d), r);
        // widening of what came back, after the resume
        long widened = sameWithAndWithoutSuspension(() -> sChar('\uFFFF') + sByte((byte) -128) + sInt(1) * 1L);
        assertEquals('\uFFFF' + (byte) -128 + 1L, widened);
    }

    @Test
    void nullAndThisOnTheStack() {
        String r = sameWithAndWithoutSuspension(() -> pair(null, sInt(3)) + pair(sRef(null), 4) + instance(null));
        assertEquals(pair(null, 3) + pair(null, 4) + "null40" + 7, r);
    }

    @Suspendable
    private String instance(Object nothing) {
        String s = null; // a local known only to be null across the suspension
        pause();
        return String.valueOf(nothing) + this.field + sInt(7) + (s == null ? "" : s);
    }

    private static String pair(Object o, int k) {
        return "(" + o + "," + k + ")";
    }

    @Test
    void arraysCreatedAndIndexedAcrossCalls() {
        String r = sameWithAndWithoutSuspension(() -> {
            int[][] grid = new int[sInt(2)][sInt(3)];
            grid[sInt(1)][sInt(2)] = sInt(9);
            String[] names = new String[] {sRef("a"), "b", sRef("c")};
            Object[][] jag = {{sInt(1)}, {}, {sRef("x"), null}};
            return Arrays.deepToString(grid) + Arrays.toString(names) + Arrays.deepToString(jag) + grid[1].length;
        });
        int[][] grid = new int[2][3];
        grid[1][2] = 9;
        assertEquals(Arrays.deepToString(grid) + "[a, b, c]" + Arrays.deepToString(new Object[][] {{1}, {}, {"x", null}})
                + 3, r);
    }

    @Test
    void longAndDoubleLocalsBeforeAndAfterYields() {
        List<Object> r = sameWithAndWithoutSuspension(OperandStackTest::wideLocals);
        assertEquals(Arrays.asList(-5_000_000_000L, 3.0e-200, 7, -15_000_000_000L + 7, 3.0e-200 * 0.5f, 'k', 0.25f,
                (short) 12, 99L, 1.0 / 3), r);
    }

    /** Wide and narrow locals interleaved, some slots reused with another type after a suspension. */
    @Suspendable
    private static List<Object> wideLocals() {
        long l1 = -5_000_000_000L;
        int i1 = 7;
        double d1 = 3.0e-200;
        pause();
        long l2 = l1 * sInt(3) + i1;
        float f1 = 0.5f;
        pause();
        double d2 = d1 * f1;
        char c1 = 'k';
        Object scratch;
        {
            long t = sLong(99L);
            pause();
            scratch = t;
        }
        {
            float u = 0.25f; // reuses the slots of t
            short v = 12;
            pause();
            double w = sDouble(1.0) / 3;
            pause();
            return Arrays.asList(l1, d1, i1, l2, d2, c1, u, v, scratch, w);
        }
    }

    @Test
    void conditionalsAndComparisonsOnResults() {
        String r = sameWithAndWithoutSuspension(() -> {
            boolean a = sBool(true) && sBool(false) || !sBool(false);
            int pick = sBool(a) ? sInt(1) : sInt(2);
            boolean cmp = sLong(5L) > sLong(3L) & sDouble(Double.NaN) < sDouble(1.0) | sFloat(1f) == sFloat(1f);
            long mixed = sBool(cmp) ? sInt(3) : sLong(4L);
            return a + " " + pick + " " + cmp + " " + mixed;
        });
        boolean a = true && false || !false;
        int pick = a ? 1 : 2;
        boolean cmp = 5L > 3L & Double.NaN < 1.0 | 1f == 1f;
        long mixed = cmp ? 3 : 4L;
        assertEquals(a + " " + pick + " " + cmp + " " + mixed, r);
    }

    @Test
    void fieldCompoundAssignmentAndInstanceReceiver() {
        int r = sameWithAndWithoutSuspension(() -> {
            OperandStackTest o = new OperandStackTest();
            o.field += sInt(2);
            o.field -= o.sizeOf(sRef("abcdef")) * sInt(3);
            return o.field * sInt(10) + this.sizeOf(sRef("abcd"));
        });
        int expected = new OperandStackTest().field;
        expected += 2;
        expected -= 6 * 3;
        assertEquals(expected * 10 + 4, r);
    }

    @Suspendable
    private int sizeOf(String s) {
        pause();
        return s.length();
    }

    @Test
    void parametersOfEveryTypeSurviveSuspensions() {
        Object ref = List.of("r");
        String r = sameWithAndWithoutSuspension(() -> this.params(Long.MIN_VALUE, -1, Double.MAX_VALUE, -3.5f, ref,
                true, '\u00e9', (byte) 0x80, (short) -2));
        assertEquals(field + "|" + Long.MIN_VALUE + "|" + -1 + "|" + Double.MAX_VALUE + "|" + -3.5f + "|" + ref
                + "|" + true + "|" + '\u00e9' + "|" + (byte) 0x80 + "|" + (short) -2, r);
    }

    @Suspendable
    private String params(long l, int i, double d, float f, Object o, boolean z, char c, byte b, short s) {
        pause();
        String first = field + "|" + l + "|" + i;
        pause();
        return first + "|" + sDouble(d) + "|" + f + "|" + sRef(o) + "|" + z + "|" + c + "|" + sByte(b) + "|" + s;
    }
}
