package dev.spindle.it.process;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;

/** A child JVM's program: a coroutine yielding three calls deep; prints what it computed and how often it yielded. */
public final class ChainProgram {
    private ChainProgram() {
    }

    @Suspendable
    static int outer(int x) {
        int a = x * 2;
        return middle(a) + a;
    }

    @Suspendable
    static int middle(int x) {
        long b = x + 1L;
        return (int) (inner(x) + b);
    }

    @Suspendable
    static int inner(int x) {
        Coroutine.yield();
        return x + 100;
    }

    /** With the argument {@code yield-first}, the program's first use of Spindle is a bare Coroutine.yield(). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("yield-first")) Coroutine.yield();
        int[] sum = new int[1];
        Coroutine c = new Coroutine(() -> {
            for (int i = 0; i < 3; i++) sum[0] += outer(i);
        });
        int suspensions = 0;
        while (c.resume()) suspensions++;
        int expected = 0;
        for (int i = 0; i < 3; i++) expected += 2 * i + (2 * i + 100) + (2 * i + 1);
        System.out.println("result=" + sum[0] + " expected=" + expected + " suspensions=" + suspensions);
    }
}
