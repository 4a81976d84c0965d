package dev.spindle.it.process;

import dev.spindle.Coroutine;
import dev.spindle.Spindle;
import dev.spindle.Suspendable;

/**
 * A child JVM's program: {@link Early} (and this class, with its coroutine body) are loaded before
 * {@code Spindle.install()}, {@link Late} after. A suspension through {@code Early.middle}, or through the body
 * lambda of this class, must be refused, not run on with a placeholder result.
 */
public final class LoadedBeforeInstallProgram {
    private LoadedBeforeInstallProgram() {
    }

    static final class Early {
        static void touch() {
        }

        @Suspendable
        static int middle(int x) {
            int local = x * 10;
            return Late.bottom(x) + local;
        }

        @Suspendable
        static void pauseHere() {
            Coroutine.yield();
        }
    }

    static final class Late {
        @Suspendable
        static int top(int x) {
            return Early.middle(x) + 1;
        }

        @Suspendable
        static int bottom(int x) {
            Coroutine.yield();
            return x;
        }

        @Suspendable
        static void pauseInEarly() {
            Early.pauseHere();
        }

        /** Runs top(2) in a coroutine: 23 if nothing suspends, else refused. */
        static String throughEarly() {
            int[] r = new int[1];
            return drive(new Coroutine(() -> r[0] = top(2)), r);
        }
    }

    static String drive(Coroutine c, int[] r) {
        try {
            while (c.resume()) {
                // go on
            }
            return "result " + r[0];
        } catch (IllegalStateException e) {
            return "refused: " + e.getMessage();
        }
    }

    public static void main(String[] args) {
        Early.touch(); // Late is loaded only after install()
        Spindle.install();
        System.out.println("through Early.middle: " + Late.throughEarly());
        int[] r = new int[1];
        System.out.println("body in the early class: " + drive(new Coroutine(() -> r[0] = Late.bottom(7) * 2), r));
        System.out.println("yield in the early class: " + drive(new Coroutine(() -> Late.pauseInEarly()), r));
    }
}
