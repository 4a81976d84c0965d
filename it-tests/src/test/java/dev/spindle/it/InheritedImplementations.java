package dev.spindle.it;

import static dev.spindle.it.Co.sInt;
import static dev.spindle.it.Co.sLong;

import dev.spindle.Suspendable;

/**
 * Classes that implement a suspendable interface method with a method inherited from a superclass that knows
 * nothing of the interface, for {@link CallKindsTest}. Not nested in the test class, whose member classes JUnit
 * loads when it looks for nested tests: each superclass here must be loaded by its subclass, or first, as each
 * test says.
 */
final class InheritedImplementations {
    private InheritedImplementations() {
    }

    interface Step {
        @Suspendable
        long step(long x);
    }

    interface Fn<T, R> {
        @Suspendable
        R apply(T t);
    }

    static class Base {
        public long step(long x) { // Sub's Step.step
            return sLong(x) + 1;
        }

        public Long apply(Integer t) { // Sub's Fn.apply, through the bridge javac writes in Sub
            return sLong(t) * 2 + sInt(1);
        }
    }

    static class Sub extends Base implements Step, Fn<Integer, Long> {
    }

    /** Two levels up: javac's bridge in MidSub and its super call name Mid, which declares nothing. */
    static class MidBase {
        public long step(long x) {
            return sLong(x) + 1;
        }

        public Long apply(Integer t) {
            return sLong(t) * 2;
        }
    }

    abstract static class Mid extends MidBase {
    }

    static class MidSub extends Mid implements Step, Fn<Integer, Long> {
        @Suspendable
        long viaSuper(long x) {
            return super.step(x) * 10;
        }
    }

    static class CallerBase {
        public long step(long x) {
            return sLong(x) + 1;
        }
    }

    static class CallerSub extends CallerBase implements Step {
    }

    /** Rewritten before CallerSub is loaded, when CallerBase.step was not known to be suspendable. */
    static final class EarlyCaller {
        private EarlyCaller() {
        }

        @Suspendable
        static long viaBase(Object o, long x) {
            return ((CallerBase) o).step(x) * 10;
        }
    }

    /** Loaded before its subclass. */
    static class EarlyBase {
        public long step(long x) {
            return sLong(x) + 1;
        }
    }

    static class LateSub extends EarlyBase implements Step {
    }
}
