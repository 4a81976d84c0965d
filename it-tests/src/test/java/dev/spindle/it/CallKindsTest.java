package dev.spindle.it;

import static dev.spindle.it.Co.pause;
import static dev.spindle.it.Co.sInt;
import static dev.spindle.it.Co.sRef;
import static dev.spindle.it.Co.sameWithAndWithoutSuspension;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.Suspendable;
import dev.spindle.SuspendableCallable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every way of calling a suspendable method: the callee suspends, and the caller must resume correctly. Methods
 * that override or implement a {@code @Suspendable} method are suspendable without the annotation.
 */
class CallKindsTest {
    // ---- virtual, super ----

    static class Base {
        @Suspendable
        int value(int x) {
            pause();
            return x + 1;
        }
    }

    static class Derived extends Base {
        @Override
        int value(int x) { // suspendable: it overrides Base.value
            int fromSuper = super.value(sInt(x));
            pause();
            return fromSuper * 10;
        }
    }

    /** {@code Derived.super.value(x)} from an inner class: javac calls it through a synthetic accessor. */
    final class SuperFromInner extends Derived {
        @Override
        int value(int x) {
            return -1; // never called: the inner class asks for the supertype's
        }

        final class Inner {
            @Suspendable
            int viaOuterSuper(int x) {
                return SuperFromInner.super.value(x) + sInt(1);
            }
        }
    }

    /**
     * {@code class Sub extends Base implements Step, Fn<Integer, Long>}, Base a plain class that knows nothing of
     * either interface: Base's methods are Sub's implementations, so they are suspendable, as the agent learns when
     * it transforms Sub (the JVM loads Base right after).
     */
    @Test
    void anInterfaceMethodImplementedByAMethodInheritedFromAPlainSuperclass() {
        InheritedImplementations.Step step = new InheritedImplementations.Sub();
        InheritedImplementations.Fn<Integer, Long> fn = new InheritedImplementations.Sub();
        assertEquals("6 11", sameWithAndWithoutSuspension(() -> step.step(5) + " " + fn.apply(5)));
    }

    /** The same two levels up: javac's bridge in the subclass and its super call name the empty class between. */
    @Test
    void anInheritedImplementationTwoLevelsUpThroughTheBridgeAndASuperCall() {
        InheritedImplementations.MidSub sub = new InheritedImplementations.MidSub();
        InheritedImplementations.Step step = sub;
        InheritedImplementations.Fn<Integer, Long> fn = sub;
        assertEquals("2 8 40", sameWithAndWithoutSuspension(() -> step.step(1) + " " + fn.apply(4) + " "
                + sub.viaSuper(3)));
    }

    /**
     * A caller rewritten before the subclass was loaded took the inherited method for a plain one: a suspension
     * through its call is refused, with the advice to mark the method, which no load order can then spoil.
     */
    @Test
    void aCallerRewrittenBeforeTheSubclassWasLoadedIsToldToMarkTheMethod() throws Exception {
        Class.forName(InheritedImplementations.class.getName() + "$EarlyCaller", true, getClass().getClassLoader());
        InheritedImplementations.Step step = new InheritedImplementations.CallerSub();
        assertEquals(40, InheritedImplementations.EarlyCaller.viaBase(step, 3)); // outside a coroutine: plain
        Coroutine c = new Coroutine(() -> InheritedImplementations.EarlyCaller.viaBase(step, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Co.drive(c));
        String base = InheritedImplementations.class.getName() + "$CallerBase.step";
        assertTrue(e.getMessage().contains("it did not know yet that " + base + " may suspend"), e.getMessage());
        assertTrue(e.getMessage().contains("Mark " + base + " @Suspendable"), e.getMessage());
    }

    /**
     * The same, with the superclass loaded before the subclass: its method was rewritten as a plain one, and a
     * suspension in it is refused, with the advice to mark it.
     */
    @Test
    void anInheritedImplementationWhoseClassWasLoadedFirstRefusesToSuspend() {
        assertEquals(4, new InheritedImplementations.EarlyBase().step(3)); // outside a coroutine: plain
        InheritedImplementations.Step step = new InheritedImplementations.LateSub();
        Coroutine c = new Coroutine(() -> step.step(3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Co.drive(c));
        assertTrue(e.getMessage().contains("InheritedImplementations$EarlyBase.step is not @Suspendable"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Mark dev.spindle.it.InheritedImplementations$EarlyBase.step @Suspendable"),
                e.getMessage());
    }

    @Test
    void outerSuperCallFromAnInnerClassThroughJavacsAccessor() {
        SuperFromInner.Inner inner = new SuperFromInner().new Inner();
        assertEquals(51, sameWithAndWithoutSuspension(() -> inner.viaOuterSuper(4)));
    }

    @Test
    void virtualAndSuperCalls() {
        Base[] objects = {new Base(), new Derived()};
        String r = sameWithAndWithoutSuspension(() -> {
            StringBuilder sb = new StringBuilder();
            for (Base b : objects) {
                sb.append(b.value(4)).append(' ');
            }
            return sb.toString();
        });
        assertEquals("5 50 ", r);
    }

    // ---- interface, default, static interface, private interface methods ----

    interface Greeter {
        @Suspendable
        String name();

        @Suspendable
        default String greet() {
            pause();
            return "hello " + name() + decorate();
        }

        @Suspendable
        private String decorate() {
            return sRef("!");
        }

        @Suspendable
        static String greetTwice(Greeter g) {
            return g.greet() + " / " + sRef(g.greet());
        }
    }

    static final class Fixed implements Greeter {
        @Override
        public String name() { // suspendable: it implements Greeter.name
            pause();
            return "fixed";
        }
    }

    static final class Loud implements Greeter {
        @Override
        public String name() {
            return "loud";
        }

        @Override
        public String greet() { // overrides the default method
            return Greeter.super.greet().toUpperCase() + sInt(1);
        }
    }

    @Test
    void interfaceDefaultPrivateAndStaticInterfaceCalls() {
        String r = sameWithAndWithoutSuspension(() -> Greeter.greetTwice(new Fixed()) + " | "
                + Greeter.greetTwice(new Loud()));
        assertEquals("hello fixed! / hello fixed! | HELLO LOUD!1 / HELLO LOUD!1", r);
    }

    // ---- private, static, nestmates ----

    private int secret = 3;

    @Suspendable
    private int privateTimes(int x) {
        pause();
        return x * secret;
    }

    @Suspendable
    private static int privateStatic(int x) {
        return sInt(x) - 1;
    }

    /** An inner class calling private members of its outer class (a nestmate call, no accessor). */
    final class Inner {
        @Suspendable
        int useOuter(int x) {
            return privateTimes(x) + privateStatic(sInt(x)) + new Nested().useOuter(x);
        }
    }

    static final class Nested {
        @Suspendable
        private int useOuter(int x) {
            return privateStatic(x * 100);
        }
    }

    @Test
    void privateStaticAndNestmateCalls() {
        int r = sameWithAndWithoutSuspension(() -> new Inner().useOuter(5) + privateTimes(sInt(2)));
        assertEquals(5 * 3 + (5 - 1) + (500 - 1) + 2 * 3, r);
    }

    // ---- bridge methods ----

    interface Fn<T, R> {
        @Suspendable
        R apply(T t);
    }

    /** Implements apply(String) returning Integer; javac adds the bridge apply(Object) returning Object. */
    static final class Length implements Fn<String, Integer> {
        @Override
        public Integer apply(String s) {
            pause();
            return s.length();
        }
    }

    @Suspendable
    private static <T, R> R applyGeneric(Fn<T, R> fn, T t) {
        return fn.apply(t); // goes through the bridge
    }

    @Test
    void bridgeMethods() {
        Length length = new Length();
        String r = sameWithAndWithoutSuspension(() -> applyGeneric(length, "abc") + "," + length.apply(sRef("hello"))
                + "," + applyGeneric(length, sRef("")));
        assertEquals("3,5,0", r);
    }

    // ---- lambdas and method references ----

    @Suspendable
    static int staticTwice(int x) {
        pause();
        return 2 * x;
    }

    private final String tag = "t";

    @Suspendable
    String instanceTag(Integer k) {
        pause();
        return tag + k;
    }

    @Suspendable
    int instanceLength() {
        pause();
        return tag.length() + 10;
    }

    @Suspendable
    private static int answer() {
        return sInt(42); // int, boxed to Integer by SuspendableCallable<Integer>
    }

    @Test
    void lambdasAndMethodReferences() {
        int captured = 7;
        Fn<Integer, Integer> lambda = x -> staticTwice(x) + captured + sInt(1);
        Fn<Integer, Integer> staticRef = CallKindsTest::staticTwice; // unboxes the argument, boxes the result
        Fn<Integer, String> boundRef = this::instanceTag;
        Fn<CallKindsTest, Integer> unboundRef = CallKindsTest::instanceLength;
        SuspendableCallable<Integer> boxedResult = CallKindsTest::answer;
        SuspendableCallable<String> nested = () -> lambda.apply(1) + ":" + sRef(boundRef).apply(2);
        String r = sameWithAndWithoutSuspension(() -> lambda.apply(3) + " " + staticRef.apply(sInt(4)) + " "
                + boundRef.apply(5) + " " + unboundRef.apply(this) + " " + boxedResult.call() + " " + nested.call());
        assertEquals((2 * 3 + 7 + 1) + " " + 8 + " t5 11 42 " + (2 + 7 + 1) + ":t2", r);
        int unboxed = sameWithAndWithoutSuspension(() -> boxedResult.call() + 1);
        assertEquals(43, unboxed);
    }

    // a method reference whose lambda proxy unboxes (or unboxes and widens) what the method returns

    interface IntFn {
        @Suspendable
        int apply(int x);
    }

    interface LongSource {
        @Suspendable
        long get();
    }

    interface Test1 {
        @Suspendable
        boolean test(String s);
    }

    static final class Holder<T> {
        private final T value;

        Holder(T value) {
            this.value = value;
        }

        @Suspendable
        T get() {
            pause();
            return value;
        }
    }

    static class Tally {
        @Suspendable
        Integer total(Integer x) {
            pause();
            return x + 100;
        }
    }

    static final class SubTally extends Tally {
    }

    @Suspendable
    static Integer boxedTwice(Integer x) {
        pause();
        return 2 * x;
    }

    @Suspendable
    static Character letter(Integer i) {
        return sRef((char) ('a' + i));
    }

    @Suspendable
    static Integer count() {
        return sRef(40);
    }

    @Suspendable
    static Boolean isLong(String s) {
        return sRef(s.length() > 3);
    }

    // not annotated: suspendable only because a suspendable interface refers to it
    private static Integer unmarked(Integer x) {
        pause();
        return x + 1;
    }

    @Test
    void methodReferencesWhoseProxyUnboxesTheResult() {
        Holder<Integer> holder = new Holder<>(5);
        IntFn wrapper = CallKindsTest::boxedTwice;
        IntFn fromHolder = ignored -> holder.get();
        LongSource widened = CallKindsTest::count;
        LongSource viaGeneric = holder::get; // erased to Object: the proxy casts, unboxes and widens
        IntFn charToInt = CallKindsTest::letter;
        Test1 bool = CallKindsTest::isLong;
        IntFn plain = CallKindsTest::unmarked;
        IntFn bound = new SubTally()::total; // the bound receiver's type is the subclass, the method the parent's
        String r = sameWithAndWithoutSuspension(() -> wrapper.apply(sInt(3)) + "," + fromHolder.apply(0) + ","
                + (widened.get() + 2) + "," + viaGeneric.get() + "," + charToInt.apply(2) + "," + bool.test("long")
                + "," + plain.apply(9) + "," + bound.apply(1));
        assertEquals("6,5,42,5," + (int) 'c' + ",true,10,101", r);
    }

    @Test
    void anonymousAndLocalClasses() {
        String prefix = "anon";
        Fn<String, String> anonymous = new Fn<>() {
            @Override
            public String apply(String s) {
                pause();
                return prefix + s + helper();
            }

            @Suspendable
            private String helper() {
                return sRef("!");
            }
        };
        class Local implements Fn<String, String> {
            @Override
            public String apply(String s) {
                return "local" + anonymous.apply(sRef(s));
            }
        }
        String r = sameWithAndWithoutSuspension(() -> new Local().apply("x") + anonymous.apply("y"));
        assertEquals("localanonx!anony!", r);
    }

    // ---- records and sealed interfaces ----

    sealed interface Expr permits Num, Add, Mul {
        @Suspendable
        long eval();
    }

    record Num(long v) implements Expr {
        @Override
        public long eval() {
            pause();
            return v;
        }
    }

    record Add(Expr l, Expr r) implements Expr {
        @Override
        public long eval() {
            return l.eval() + r.eval();
        }
    }

    record Mul(Expr l, Expr r) implements Expr {
        @Override
        public long eval() {
            long left = l.eval();
            pause();
            return left * r.eval();
        }
    }

    @Test
    void recordsImplementingASealedSuspendableInterface() {
        Expr e = new Add(new Mul(new Num(6), new Add(new Num(-2), new Num(9))), new Num(100));
        long r = sameWithAndWithoutSuspension(e::eval);
        assertEquals(6 * (-2 + 9) + 100, r);
        List<Long> all = sameWithAndWithoutSuspension(() -> {
            List<Long> out = new ArrayList<>();
            for (Expr x : List.<Expr>of(new Num(1), e, new Mul(e, e))) {
                out.add(x.eval());
            }
            return out;
        });
        assertEquals(List.of(1L, 142L, 142L * 142L), all);
    }

    // ---- covariant return types ----

    static class Animal {
        @Suspendable
        Object sound() {
            pause();
            return "...";
        }
    }

    static final class Dog extends Animal {
        @Override
        String sound() { // covariant: javac adds the bridge Object sound() that calls this one
            return "woof" + sRef("!");
        }
    }

    @Test
    void covariantReturnBridge() {
        Animal dog = new Dog();
        String r = sameWithAndWithoutSuspension(() -> dog.sound() + " " + new Dog().sound().length() + " "
                + new Animal().sound());
        assertEquals("woof! 5 ...", r);
    }

    // ---- method references to methods that are not annotated ----

    /** Not annotated: suspendable only as the targets of method references of suspendable interfaces. */
    static final class RefTargets {
        final int base;

        RefTargets(int base) {
            this.base = base;
        }

        static int plainStatic(int x) {
            Co.pauseAlways();
            return x * 3;
        }

        String plainInstance(String s) {
            Co.pauseAlways();
            return s + base;
        }
    }

    @Test
    void methodReferencesToUnannotatedMethodsOfAnotherClass() {
        Fn<Integer, Integer> staticRef = RefTargets::plainStatic;
        Fn<String, String> boundRef = new RefTargets(9)::plainInstance;
        Co.Run<String> run = Co.inCoroutine(() -> staticRef.apply(sInt(5)) + boundRef.apply("b"));
        assertEquals("15b9", run.value());
        assertEquals(3, run.suspensions());
    }

    @Test
    void methodReferenceToYieldAsTheBody() {
        Coroutine c = new Coroutine(Coroutine::yield);
        assertEquals(1, Co.drive(c));
    }
}
