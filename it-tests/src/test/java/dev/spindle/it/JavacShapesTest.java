package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static dev.spindle.it.Co.sBool;
import static dev.spindle.it.Co.sDouble;
import static dev.spindle.it.Co.sInt;
import static dev.spindle.it.Co.sLong;
import static dev.spindle.it.Co.sRef;
import static dev.spindle.it.Co.sameWithAndWithoutSuspension;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bytecode shapes javac emits for newer or rarer constructs, each with suspension points where the shape is
 * live: varargs arrays being filled, {@code dup2_x2} of chained wide assignments, objects created in both arms of
 * a conditional, pattern bindings, switch expressions with block arms, resources whose {@code close} suspends
 * while an exception is pending, and captured wide values in lambdas.
 */
class JavacShapesTest {

    @Suspendable
    private static String joined(Object... parts) {
        pause();
        return Arrays.toString(parts);
    }

    @Test
    void varargsArrayFilledAcrossSuspensions() {
        String s = sameWithAndWithoutSuspension(() -> joined(1, sRef("a"), sLong(2L), joined(sInt(3), null), sDouble(.5)));
        assertEquals("[1, a, 2, [3, null], 0.5]", s);
    }

    @Test
    void chainedWideAssignmentsIntoArraysAndFields() {
        String s = sameWithAndWithoutSuspension(() -> {
            long[] ls = new long[3];
            double[] ds = new double[2];
            Holder h = new Holder();
            int i = 1;
            ls[i] = h.wide = sLong(7L) * sInt(3);            // dup2_x1 of a long into a field, then an array
            ls[i + 1] = ls[0] = sLong(-1L) + ls[i];          // dup2_x2: a long stored twice into arrays
            ds[sInt(0)] = h.dbl = ds[1] = sDouble(2.5) - sInt(1);
            ds[1] += sDouble(0.25) * ls[sInt(2)];
            return Arrays.toString(ls) + Arrays.toString(ds) + h.wide + "/" + h.dbl;
        });
        assertEquals("[20, 21, 20][1.5, 6.5]21/1.5", s);
    }

    private static final class Holder {
        long wide;
        double dbl;
    }

    /** A suspendable interface whose method a constructor reference implements. */
    interface CrateMaker {
        @Suspendable
        Crate make(int size);
    }

    private static final class Crate {
        final int size;

        Crate(int size) {
            this.size = size;
        }
    }

    /**
     * {@code Crate::new} for a suspendable interface once made the agent take {@code Crate}'s constructor for a
     * suspendable method, so that {@code new Crate(f())} in the same class failed verification.
     */
    @Test
    void aConstructorReferenceOfASuspendableInterfaceLeavesTheConstructorPlain() {
        CrateMaker maker = Crate::new;
        String s = sameWithAndWithoutSuspension(() -> new Crate(sInt(3)).size + "/" + maker.make(sInt(4)).size);
        assertEquals("3/4", s);
    }

    private record Pair(Object left, Object right) {
    }

    private record Box(long value) {
    }

    @Test
    void objectsCreatedInBothArmsOfAConditional() {
        String s = sameWithAndWithoutSuspension(() -> {
            List<Object> out = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                Object o = sBool(k % 2 == 0)
                        ? new Pair(sInt(k), new Box(sLong(k * 10L)))
                        : new Box(sInt(k) + (k > 2 ? sLong(100L) : new Box(sLong(5L)).value()));
                out.add(o);
            }
            return out.toString();
        });
        assertEquals("[Pair[left=0, right=Box[value=0]], Box[value=6], Pair[left=2, right=Box[value=20]],"
                + " Box[value=103]]", s);
    }

    @Test
    void patternBindingsLiveAcrossSuspensions() {
        String s = sameWithAndWithoutSuspension(() -> {
            StringBuilder b = new StringBuilder();
            Object[] things = {"text", 42, 3.5, new Box(9L), null};
            for (Object o : things) {
                if (o instanceof String str && sInt(str.length()) > 2) {
                    b.append(sRef(str)).append(str.length());
                } else if (o instanceof Integer n) {
                    b.append(n + sInt(1));
                } else if (o instanceof Box box) {
                    b.append(sLong(box.value()) * 2);
                } else if (!(o instanceof Double d)) {
                    b.append(sRef("none"));
                } else {
                    b.append(d * sDouble(2.0));
                }
                b.append(',');
            }
            return b.toString();
        });
        assertEquals("text4,43,7.0,18,none,", s);
    }

    private enum Op { ADD, MUL, NEG }

    @Test
    void switchExpressionsWithBlockArmsAndSuspendingSelectors() {
        long result = sameWithAndWithoutSuspension(() -> {
            long total = 1;
            for (Op op : Op.values()) {
                for (String key : new String[] {"one", "two", "zzz"}) {
                    total = total * 3 + switch (sRef(op)) {
                        case ADD -> sLong(total) + switch (sRef(key)) {
                            case "one" -> 1;
                            case "two" -> {
                                long t = sLong(2L);
                                yield t * sInt(2);
                            }
                            default -> 0;
                        };
                        case MUL -> {
                            int k = sInt(key.length());
                            yield k * sLong(total % 7);
                        }
                        case NEG -> -sInt(key.hashCode() % 5);
                    };
                }
            }
            return total;
        });
        assertEquals(expectedSwitchTotal(), result);
    }

    private static long expectedSwitchTotal() {
        long total = 1;
        for (Op op : Op.values()) {
            for (String key : new String[] {"one", "two", "zzz"}) {
                long add = switch (op) {
                    case ADD -> total + switch (key) {
                        case "one" -> 1;
                        case "two" -> 4;
                        default -> 0;
                    };
                    case MUL -> key.length() * (total % 7);
                    case NEG -> -(key.hashCode() % 5);
                };
                total = total * 3 + add;
            }
        }
        return total;
    }

    /**
     * A {@code try} in a switch expression's arm makes javac spill the values beneath the switch on the operand
     * stack into locals first (a handler starts with an empty stack): an {@code int} and a string concatenation's
     * parts here. (With a {@code long} or {@code double} beneath it, javac 17 and 25 both crash.)
     */
    @Test
    void aTryInASwitchExpressionArmWithValuesBeneathItOnTheStack() {
        String s = sameWithAndWithoutSuspension(() -> {
            StringBuilder b = new StringBuilder();
            for (int x = 0; x < 4; x++) {
                int n = sInt(x) * 3 + switch (sInt(x)) {
                    case 1 -> {
                        try {
                            yield sInt(10) / (x - 1);
                        } catch (ArithmeticException e) {
                            yield sInt(20);
                        } finally {
                            b.append(sRef("f"));
                        }
                    }
                    case 2 -> {
                        try {
                            pause();
                            yield sInt(30);
                        } finally {
                            b.append('g');
                        }
                    }
                    default -> sInt(x);
                };
                String t = sRef("x" + x) + "," + switch (x) {
                    case 3 -> {
                        try {
                            yield "t" + sInt(3);
                        } catch (RuntimeException e) {
                            yield "c";
                        }
                    }
                    default -> sRef("d");
                };
                b.append(n).append(t).append(';');
            }
            return b.toString();
        });
        assertEquals("0x0,d;f23x1,d;g36x2,d;12x3,t3;", s);
    }

    /** A resource whose close suspends: a try-with-resources on this type calls a suspendable close. */
    interface SuspendableResource extends AutoCloseable {
        @Suspendable
        @Override
        void close();
    }

    @Test
    void resourceClosesSuspendWhileAnExceptionIsPendingAndAddSuppressed() {
        String s = sameWithAndWithoutSuspension(() -> {
            List<String> log = new ArrayList<>();
            try (SuspendableResource outer = () -> log.add("outer " + sInt(1));
                 SuspendableResource inner = () -> {
                     log.add("inner " + sLong(2L));
                     throw new IllegalArgumentException("close " + sInt(3));
                 }) {
                log.add("body " + sRef("x"));
                throw new IllegalStateException("body " + sDouble(1.5));
            } catch (IllegalStateException e) {
                log.add(sRef(e.getMessage()) + " suppressed " + e.getSuppressed()[0].getMessage());
            }
            return log.toString();
        });
        assertEquals("[body x, inner 2, outer 1, body 1.5 suppressed close 3]", s);
    }

    @Test
    void suspensionsInACatchHandlerBeforeRethrowing() {
        String s = sameWithAndWithoutSuspension(() -> {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < 3; k++) {
                try {
                    rethrowAfterPausing(k);
                    b.append("ok").append(k);
                } catch (RuntimeException e) {
                    b.append(sRef(e.getMessage())).append(e.getCause() == null ? "" : "<" + e.getCause().getMessage());
                }
                b.append(';');
            }
            return b.toString();
        });
        assertEquals("ok0;wrapped 1<inner 1;wrapped 2<inner 2;", s);
    }

    @Suspendable
    private static void rethrowAfterPausing(int k) {
        long wide = k * 1000L;
        try {
            if (sInt(k) > 0) throw new IllegalStateException("inner " + k);
        } catch (IllegalStateException e) {
            double d = sDouble(k);
            throw new RuntimeException("wrapped " + (sLong(wide) / 1000 + (long) d - k), e);
        }
    }

    @Test
    void lambdasCapturingWideValuesSuspendInside() {
        long big = 1L << 50;
        double half = 0.5;
        SuspendableCallable<String> inner = () -> big + sLong(1L) + "/" + (half * sDouble(3.0)) + "/" + sInt(7);
        String s = sameWithAndWithoutSuspension(() -> {
            String first = inner.call();
            SuspendableCallable<Long> nested = () -> sLong(big >> 10) + first.length();
            return first + "|" + nested.call() + "|" + inner.call().length();
        });
        long expectedNested = (big >> 10) + ((big + 1) + "/1.5/7").length();
        assertEquals((big + 1) + "/1.5/7|" + expectedNested + "|" + ((big + 1) + "/1.5/7").length(), s);
    }

    /** Constants with bodies: each is an anonymous subclass of the enum overriding its suspendable method. */
    private enum Step {
        DOUBLE {
            @Override
            long apply(long x) {
                return sLong(x) * 2;
            }
        },
        ADD_TEN {
            @Override
            long apply(long x) {
                long y = sLong(x);
                return y + sInt(10);
            }
        };

        @Suspendable
        abstract long apply(long x);
    }

    /** A generic abstract class whose suspendable method an inner class implements through a bridge. */
    private abstract static class Stage<T> {
        @Suspendable
        abstract T run(T in);

        @Suspendable
        T twice(T in) {
            return run(run(in));
        }
    }

    @Test
    void enumConstantBodiesLocalRecordsAndGenericBridges() {
        String s = sameWithAndWithoutSuspension(() -> {
            record Acc(long total, String log) {
                @Suspendable
                Acc plus(Step step) {
                    long next = step.apply(total);
                    return new Acc(next, log + step.name().charAt(0) + sLong(next));
                }
            }
            Acc acc = new Acc(1, "");
            for (Step step : Step.values()) acc = acc.plus(step);
            acc = acc.plus(sRef(Step.DOUBLE));
            Stage<String> bang = new Stage<>() {
                @Override
                String run(String in) {
                    return sRef(in) + "!";
                }
            };
            return acc + " " + bang.twice(acc.log());
        });
        assertEquals("Acc[total=24, log=D2A12D24] D2A12D24!!", s);
    }

    @Test
    void doWhileAndAssertWithSuspendingConditions() {
        int n = sameWithAndWithoutSuspension(() -> {
            int count = 0;
            long acc = 0;
            do {
                assert sInt(count) >= 0 : "never";
                acc += sLong(count);
                count++;
            } while (sBool(count < 5) && acc < sLong(100L));
            return count * 1000 + (int) acc;
        });
        assertEquals(5010, n);
    }

    interface Named {
        String name();
    }

    record Cat(String name) implements Named {
    }

    record Dog(String name) implements Named {
    }

    private static final Cat[] CATS = {new Cat("tom")};
    private static final Dog[] DOGS = {new Dog("rex"), new Dog("fido")};

    private static String names(Named[] all) {
        StringBuilder b = new StringBuilder();
        for (Named n : all) b.append(n.name());
        return b.toString();
    }

    /** javac merges {@code Cat[]} and {@code Dog[]} as {@code Object[]}, and passes it where {@code Named[]} goes. */
    @Suspendable
    private static Named[] pick(boolean cats) {
        pause();
        return cats ? CATS : DOGS;
    }

    @Suspendable
    private static String interfaceArrays(boolean cats) {
        Named[] chosen;
        if (cats) chosen = CATS;
        else chosen = DOGS;
        Named[] either = cats ? DOGS : CATS;
        return names(pick(cats)) + sInt(1) + names(chosen) + names(either);
    }

    /** {@code int[][]} and {@code long[][]} merge as {@code Object[]}: javac clones it as a {@code Serializable[]}. */
    @Suspendable
    private static int arraysOfPrimitiveArrays(boolean ints) {
        var rows = ints ? new int[2][3] : new long[4][5];
        int k = sInt(1);
        Object[] copy = rows.clone();
        return copy.length * 10 + rows.length + k;
    }

    @Test
    void arraysOfInterfacesAndOfArraysMergedFromDifferentElementTypes() {
        String s = sameWithAndWithoutSuspension(() -> interfaceArrays(true) + interfaceArrays(false)
                + arraysOfPrimitiveArrays(true) + "/" + arraysOfPrimitiveArrays(false));
        assertEquals("tom1tomrexfidorexfido1rexfidotom23/45", s);
    }
}
