package dev.spindle.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The saved frames of one coroutine and the driver that resumes them. {@code dev.spindle.Coroutine} extends it;
 * nothing here is API.
 *
 * <p>Frames are records in two arrays: an int array for primitives (longs and doubles take two words) and an
 * object array for references. A record starts with a header word and a {@link Resumer}. The frames written
 * by one unwind form a <em>segment</em>, innermost frame first, and are resumed in that order. When a resumed
 * frame suspends again, its new segment is stacked on top of what is left of the old one (whose cursor is saved
 * in four words below the new segment), so the innermost frame is always the next one read.
 */
public abstract class Continuation {
    private static final int[] NO_WORDS = {};
    private static final Object[] NO_REFS = {};
    private static final byte NEW = 0, RUNNING = 1, SUSPENDED = 2, DONE = 3;

    int[] words = NO_WORDS;
    Object[] refs = NO_REFS;
    int wordTop, refTop;
    /** Start and read cursor of the top segment. */
    private int segWord, segRef, readWord, readRef;
    /** Number of segments saved below the top one. */
    private int nesting;
    private byte status = NEW;

    protected Continuation() {
    }

    /** The body, run on the first resume. */
    protected abstract void body();

    /** A name for messages. */
    protected abstract String describe();

    protected final int status() {
        return status;
    }

    // ---- the driver ----

    /**
     * Runs until the next suspension (true) or the end of the body (false). An exception that escapes the body
     * is rethrown as is.
     */
    protected final boolean resumeBody() {
        return resumeBody(null);
    }

    /**
     * Like {@link #resumeBody()}, but the suspended frame sees {@code thrown} thrown by the call it is suspended
     * in (a coroutine not started yet is done at once, and {@code thrown} comes out of here).
     */
    protected final boolean resumeBody(Throwable thrown) {
        Carrier k = Carrier.get();
        switch (status) {
            case DONE -> throw new IllegalStateException("cannot resume " + describe() + ": it is done");
            case RUNNING -> throw new IllegalStateException(k.running == this
                    ? "coroutine " + describe() + " cannot resume itself: it is already running (call"
                            + " Coroutine.yield() to give control back to whoever resumed it)"
                    : "cannot resume " + describe() + ": it is already running (on another thread, or it is"
                            + " an outer coroutine of the one calling resume)");
            default -> { }
        }
        if (thrown != null && status == NEW) {
            status = DONE;
            throw Frames.sneaky(thrown);
        }
        Continuation outer = k.running;
        boolean first = status == NEW;
        status = RUNNING;
        k.running = this;
        try {
            return drive(k, first, thrown);
        } finally {
            k.running = outer;
        }
    }

    private boolean drive(Carrier k, boolean first, Throwable toThrow) {
        Throwable thrown = null;
        if (first) {
            try {
                body();
            } catch (Throwable t) {
                thrown = t;
            }
        } else {
            k.tag = Carrier.VOID;
            k.pending = toThrow;
        }
        for (;;) {
            if (k.unwinding) {
                Hooks.endUnwinding(k);
                if (thrown == null) {
                    if (first) trim();
                    status = SUSPENDED;
                    return true;
                }
                abortUnwind(); // an exception escaped while frames were being saved: they are garbage
            }
            if (wordTop == 0) {
                finish(k);
                if (thrown != null) throw Frames.sneaky(thrown);
                return false;
            }
            if (thrown != null) {
                addSuspendedCallers(k, thrown);
                k.pending = thrown;
                thrown = null;
            }
            Resumer next = takeFrame(k);
            try {
                next.resume(k);
            } catch (Throwable t) {
                thrown = t;
            }
        }
    }

    private void finish(Carrier k) {
        status = DONE;
        words = NO_WORDS;
        refs = NO_REFS;
        k.ref = null;
        k.pending = null;
    }

    private Resumer takeFrame(Carrier k) {
        int header = words[readWord];
        Resumer resumer = (Resumer) refs[readRef]; // left in place: see Carrier.beginFrame
        k.entry = header;
        k.readWord = readWord + 1;
        k.readRef = readRef + 1;
        readWord += 1 + Frames.words(header);
        readRef += 1 + Frames.refs(header);
        if (readWord == wordTop) popSegment();
        return resumer;
    }

    private void popSegment() {
        if (nesting > 0) {
            int b = segWord - 4;
            wordTop = b;
            refTop = segRef;
            segWord = words[b];
            segRef = words[b + 1];
            readWord = words[b + 2];
            readRef = words[b + 3];
            nesting--;
        } else {
            wordTop = refTop = segWord = segRef = readWord = readRef = 0;
        }
    }

    /** A new unwind begins: its frames form a new segment on top of the unread ones. */
    final void startUnwind() {
        if (readWord < wordTop) {
            if (wordTop + 4 > words.length) growWords(4);
            words[wordTop] = segWord;
            words[wordTop + 1] = segRef;
            words[wordTop + 2] = readWord;
            words[wordTop + 3] = readRef;
            wordTop += 4;
            nesting++;
        }
        segWord = readWord = wordTop;
        segRef = readRef = refTop;
    }

    /** The unwind in progress was refused or failed: drop the frames it saved, keep the older ones. */
    final void abortUnwind() {
        Arrays.fill(refs, segRef, refTop, null);
        wordTop = readWord = segWord;
        refTop = readRef = segRef;
        popSegment();
    }

    /**
     * Fits the frame arrays to the frames of the first suspension. The arrays grow by half as frames are saved,
     * so they end with up to a third unused; trimmed once, a coroutine that suspends at the same place again
     * (a connection waiting for its next request, a generator) fits exactly, and one suspended among a million
     * carries no slack.
     */
    private void trim() {
        if (words.length > wordTop) words = Arrays.copyOf(words, wordTop);
        if (refs.length > refTop) refs = Arrays.copyOf(refs, refTop);
    }

    void growWords(int more) {
        words = Arrays.copyOf(words, Math.max(wordTop + more, Math.max(8, words.length + (words.length >> 1))));
    }

    void growRefs(int more) {
        refs = Arrays.copyOf(refs, Math.max(refTop + more, Math.max(8, refs.length + (refs.length >> 1))));
    }

    // ---- the logical stack ----

    /**
     * The frames this coroutine would resume, innermost first, as stack trace elements (the method and the line
     * of the call it is suspended in).
     */
    protected final StackTraceElement[] suspendedFrames() {
        Carrier k = Carrier.get();
        List<StackTraceElement> out = new ArrayList<>();
        int w = readWord, r = readRef, end = wordTop, sw = segWord, n = nesting;
        for (;;) {
            while (w < end) {
                int h = words[w];
                StackTraceElement e = describeFrame(k, w, r);
                if (e != null) out.add(e);
                w += 1 + Frames.words(h);
                r += 1 + Frames.refs(h);
            }
            if (n == 0) break;
            int b = sw - 4;
            end = b;
            sw = words[b];
            w = words[b + 2];
            r = words[b + 3];
            n--;
        }
        return out.toArray(new StackTraceElement[0]);
    }

    /** The frame saved last by the unwind in progress (the outermost of its segment so far), or null. */
    final StackTraceElement lastSavedFrame(Carrier k) {
        int w = segWord, r = segRef, lastW = -1, lastR = -1;
        while (w < wordTop) {
            lastW = w;
            lastR = r;
            int h = words[w];
            w += 1 + Frames.words(h);
            r += 1 + Frames.refs(h);
        }
        return lastW < 0 ? null : describeFrame(k, lastW, lastR);
    }

    /** The method and line of the frame saved at the given place, asked of its resume copy. */
    final StackTraceElement describeFrame(Carrier k, int word, int ref) {
        boolean wasDescribing = k.describing;
        int savedEntry = k.entry, savedHeader = k.describedHeader;
        k.describing = true;
        k.describedHeader = words[word];
        k.entry = Frames.DESCRIBE;
        k.described = null;
        try {
            ((Resumer) refs[ref]).resume(k);
            return k.described;
        } finally {
            k.describing = wasDescribing;
            k.entry = savedEntry;
            k.describedHeader = savedHeader;
            k.described = null;
        }
    }

    /**
     * An exception left a resumed frame while its callers are still saved: show them in its stack trace, where a
     * thread's trace would have them, so it reads like the call chain that was suspended.
     */
    private void addSuspendedCallers(Carrier k, Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        int driver = -1;
        for (int i = 0; i < trace.length; i++) {
            if (trace[i].getClassName().equals(Continuation.class.getName())
                    && trace[i].getMethodName().equals("drive")) {
                driver = i;
                break;
            }
        }
        if (driver < 0) return; // already shows the chain: it came through here before
        StackTraceElement[] callers = suspendedFrames();
        StackTraceElement[] patched = new StackTraceElement[trace.length - 1 + callers.length];
        System.arraycopy(trace, 0, patched, 0, driver);
        System.arraycopy(callers, 0, patched, driver, callers.length);
        System.arraycopy(trace, driver + 1, patched, driver + callers.length, trace.length - driver - 1);
        for (int i = 0; i < patched.length; i++) patched[i] = Frames.natural(patched[i]);
        t.setStackTrace(patched);
    }
}
