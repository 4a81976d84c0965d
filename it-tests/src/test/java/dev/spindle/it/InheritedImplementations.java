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

    /** Loaded before its subclass. */
    static class EarlyBase {
        public long step(long x) {
            return sLong(x) + 1;
        }
    }

    static class LateSub extends EarlyBase implements Step {
    }
}
