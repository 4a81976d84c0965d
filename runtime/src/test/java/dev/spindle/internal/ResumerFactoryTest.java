package dev.spindle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

class ResumerFactoryTest {
    private static Carrier seen;
    private static int calls, seenState, seenWord, seenRef;
    private static int[] seenWords;
    private static Object[] seenRefs;

    /** Stands for a resume copy: private, so only a nestmate can call it. */
    private static void copy(Carrier k, int state, int word, int ref, int[] words, Object[] refs) {
        seen = k;
        seenState = state;
        seenWord = word;
        seenRef = ref;
        seenWords = words;
        seenRefs = refs;
        calls++;
    }

    interface WithCopy {
        private static void copy(Carrier k, int state, int word, int ref, int[] words, Object[] refs) {
            seen = k;
            calls += 10;
        }

        static MethodHandles.Lookup lookup() {
            return MethodHandles.lookup();
        }
    }

    private static Resumer resumerFor(MethodHandles.Lookup lookup, Class<?> owner) throws Throwable {
        return resumerFor(lookup, owner, Frames.header(0, 0, 0));
    }

    private static Resumer resumerFor(MethodHandles.Lookup lookup, Class<?> owner, int header) throws Throwable {
        MethodType copyType = MethodType.methodType(void.class, Carrier.class, int.class, int.class, int.class, int[].class,
                Object[].class);
        CallSite site = ResumerFactory.resumer(lookup, "resume", MethodType.methodType(Resumer.class),
                lookup.findStatic(owner, "copy", copyType), header);
        return (Resumer) site.dynamicInvoker().invoke();
    }

    @Test
    void theResumerIsAHiddenNestmateThatCallsThePrivateCopy() throws Throwable {
        Resumer r = resumerFor(MethodHandles.lookup(), ResumerFactoryTest.class);
        assertSame(ResumerFactoryTest.class, r.getClass().getNestHost());
        assertEquals(true, r.getClass().isHidden());
        Carrier k = Carrier.get();
        calls = 0;
        r.resume(k, 1, 2, 3, null, null);
        int[] words = new int[1];
        Object[] refs = new Object[1];
        r.resume(k, 4, 5, 6, words, refs);
        assertSame(k, seen);
        assertEquals(2, calls);
        assertEquals(4, seenState);
        assertEquals(5, seenWord);
        assertEquals(6, seenRef);
        assertSame(words, seenWords);
        assertSame(refs, seenRefs);
    }

    @Test
    void aCopyInAnInterfaceIsCalledThroughAnInterfaceMethodReference() throws Throwable {
        Resumer r = resumerFor(WithCopy.lookup(), WithCopy.class);
        calls = 0;
        r.resume(Carrier.get(), 0, 0, 0, null, null);
        assertEquals(10, calls);
    }

    @Test
    void eachMethodGetsItsOwnResumerClass() throws Throwable {
        Resumer a = resumerFor(MethodHandles.lookup(), ResumerFactoryTest.class);
        Resumer b = resumerFor(WithCopy.lookup(), WithCopy.class);
        assertNotSame(a.getClass(), b.getClass());
    }

    @Test
    void theResumePointsOfAMethodShareItsClassAndEachResumerKnowsItsRecord() throws Throwable {
        int one = Frames.header(1, 2, 3), two = Frames.header(2, 0, 1);
        Resumer a = resumerFor(MethodHandles.lookup(), ResumerFactoryTest.class, one);
        Resumer b = resumerFor(MethodHandles.lookup(), ResumerFactoryTest.class, two);
        assertSame(a.getClass(), b.getClass());
        assertEquals(one, a.header);
        assertEquals(two, b.header);
        // the method and its copy saving at the same point get the same resumer
        assertSame(a, resumerFor(MethodHandles.lookup(), ResumerFactoryTest.class, one));
    }
}
