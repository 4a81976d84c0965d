package dev.spindle.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The saved frames of one coroutine and the driver that resumes them. {@code dev.spindle.Coroutine} extends it;
 * nothing here is API.
 *
 * <p>Frames are records in two arrays: an int array for primitives (longs and doubles take two words) and an
 * object array for references. A record starts with its {@link Resumer} (in the object array), which knows the
 * record's size. The frames written by one unwind form a <em>segment</em>, innermost frame first, and are resumed
 * in that order. When a resumed frame suspends again, its new segment is stacked on top of what is left of the
 * old one, whose cursor is saved in a four-word link below the new segment, so the innermost frame is always the
 * next one read; except that frames suspending again where they were resumed from go back in their places.
 *
 * <p>A suspended coroutine keeps as little as it can, because a server may hold a million of them: two ints
 * besides its arrays. While it runs, where its arrays are used up to, where its top segment starts and its read
 * cursor live in the {@link Carrier}, where the code that saves frames finds them at once. When it suspends, the
 * read cursor is the start of the top segment, and that start is 0 or, when the segment has a link below it,
 * kept in the word just after the used ones; the top segment's references start where the segment below ended,
 * which its link keeps.
 */
public abstract class Continuation {
    private static final int[] NO_WORDS = {};
    private static final Object[] NO_REFS = {};
    private static final StackTraceElement[] NO_FRAMES = {};
    private static final int NEW = 0, RUNNING = 1, SUSPENDED = 2, DONE = 3;
    private static final int STATUS_SHIFT = 30;
    /** In {@code statusAndTop}: the top segment has a link below it, so where it starts follows the words used. */
    private static final int LINKED = 1 << 29, TOP = LINKED - 1;
    /**
     * The whole status word while another thread reads the frames of a suspended continuation: RUNNING to every
     * check (its frames must not move), but with a low bit no running continuation has, so that a resume waits for
     * the reader instead of being refused, and {@link #status()} still says SUSPENDED.
     */
    private static final int INSPECTED = RUNNING << STATUS_SHIFT | 1;
    /** A link's words: the segment below's start, its read cursor (word, reference) and its reference top. */
    private static final int LINK = 4;

    int[] words = NO_WORDS;
    Object[] refs = NO_REFS;
    /** The status (two high bits); while suspended also {@link #LINKED} and how many words are used (low bits). */
    private int statusAndTop;
    /** While suspended, how many references are used. */
    private int refTop;

    protected Continuation() {
    }

    private static final VarHandle STATUS;

    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(Continuation.class, "statusAndTop", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Another thread claimed it between the check of its status and the claim. */
    private IllegalStateException raced() {
        return new IllegalStateException("cannot resume " + describe() + ": another thread resumed it at the same"
                + " time (resume a coroutine from one thread at a time, handing it over with a happens-before)");
    }

    /** The body, run on the first resume. */
    protected abstract void body();

    /** A name for messages. */
    protected abstract String describe();

    /** Any thread: a monitor may poll it (an acquiring read, which the JIT cannot hoist out of its loop). */
    protected final int status() {
        int word = (int) STATUS.getAcquire(this);
        return word == INSPECTED ? SUSPENDED : word >>> STATUS_SHIFT;
    }

    private void status(int status) {
        STATUS.setRelease(this, status << STATUS_SHIFT);
    }

    /** Where a segment starting at word {@code s} starts in {@code refs}: where the segment below it ended. */
    private int segRef(int s) {
        return s == 0 ? 0 : words[s - 1];
    }

    /** Where the top segment of this suspended (or new) continuation starts in {@code words}. */
    private int suspendedSegWord(int statusAndTop) {
        return (statusAndTop & LINKED) == 0 ? 0 : words[statusAndTop & TOP];
    }

    /** Suspends: what the carrier held of this continuation goes into its fields (and the link's start). */
    private void park(Carrier k) {
        endInPlace(k);
        int top = k.wordTop, s = k.segWord;
        if (s > 0) {
            if (top == words.length) growWords(k, 1);
            words[top] = s;
        }
        refTop = k.refTop;
        // released: a thread that sees it suspended sees the frames written before (stackTrace, a monitor)
        STATUS.setRelease(this, SUSPENDED << STATUS_SHIFT | (s > 0 ? LINKED : 0) | top);
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
        int claimed = statusAndTop;
        int status = claimed >>> STATUS_SHIFT;
        switch (status) {
            case DONE -> throw new IllegalStateException("cannot resume " + describe() + ": it is done (its body"
                    + " ended or threw). Resume only while isDone() is false, or while resume() has returned true");
            case RUNNING -> {
                if (claimed == INSPECTED) return resumeAfterInspection(thrown);
                throw new IllegalStateException(k.running == this
                    ? "coroutine " + describe() + " cannot resume itself: it is already running (call"
                            + " Coroutine.yield() to give control back to whoever resumed it)"
                    : "cannot resume " + describe() + ": it is already running (on another thread, or it is"
                            + " an outer coroutine of the one calling resume). Resume a coroutine from one thread at"
                            + " a time, handing it over with a happens-before (a queue, an executor), and let an"
                            + " inner coroutine yield to its outer one instead of resuming it");
            }
            default -> { }
        }
        return claimAndDrive(k, claimed, thrown);
    }

    /**
     * Claims the continuation (atomically: two threads resuming it at once must not both run it) and drives it,
     * the carrier lent to it meanwhile. A stack overflow can strike the driver's own bookkeeping, even its
     * handlers, where any call needs stack: the finally block, with field writes only, sees that the continuation
     * does not stay RUNNING for ever then, nor its thread unwinding (which would refuse the next coroutine's
     * first suspension there). A resume while this thread is unwinding another continuation (code that is not
     * instrumented went on after a placeholder) is refused before anything is claimed. (Apart from resumeBody so
     * that each stays small enough to inline.)
     */
    private boolean claimAndDrive(Carrier k, int claimed, Throwable thrown) {
        if (k.unwinding) throw Hooks.resumedWhileUnwinding(k, describe());
        Continuation outer = k.running;
        int outerWord = k.frameWord, outerRef = k.frameRef, outerTop = k.wordTop, outerRefTop = k.refTop,
                outerSeg = k.segWord;
        boolean mine = false;
        try {
            if (!STATUS.compareAndSet(this, claimed, RUNNING << STATUS_SHIFT) && !claimAfterInspection(claimed)) {
                throw raced();
            }
            mine = true;
            boolean first = claimed >>> STATUS_SHIFT == NEW;
            if (thrown != null && first) {
                status(DONE);
                throw Frames.sneaky(thrown);
            }
            int s = suspendedSegWord(claimed);
            k.running = this;
            k.wordTop = claimed & TOP;
            k.refTop = refTop;
            k.segWord = k.frameWord = s;
            k.frameRef = segRef(s);
            return drive(k, first, thrown);
        } finally {
            k.running = outer;
            k.frameWord = outerWord;
            k.frameRef = outerRef;
            k.wordTop = outerTop;
            k.refTop = outerRefTop;
            k.segWord = outerSeg;
            // exactly RUNNING: once suspended, another thread may be reading the frames (INSPECTED). A plain
            // write, not status(DONE): a call may overflow the stack here
            if (mine && statusAndTop == RUNNING << STATUS_SHIFT) statusAndTop = DONE << STATUS_SHIFT;
            // an overflow cut the end of an unwind short, even in its handlers, or struck the count's own update
            if (k.unwinding | k.counted) {
                if (k.unwinding) {
                    k.unwinding = false;
                    if (k == Hooks.solo) Hooks.soloUnwinding = false;
                    k.layout = 0;
                    if (k.onSuspendedOf == this) {
                        k.onSuspended = null;
                        k.onSuspendedOf = null;
                    }
                }
                try {
                    Hooks.uncount(k);
                } catch (StackOverflowError again) {
                    // given up at this thread's next unwind, or as its next coroutine returns
                }
            }
        }
    }

    /** Another thread reads the frames: waits until it has (a few microseconds), then resumes. */
    private boolean resumeAfterInspection(Throwable thrown) {
        while ((int) STATUS.getAcquire(this) == INSPECTED) Thread.onSpinWait();
        return resumeBody(thrown);
    }

    /**
     * Claims it after a failed claim, if what got in between was only another thread reading its frames, which
     * puts the status back as it was.
     */
    private boolean claimAfterInspection(int claimed) {
        for (;;) {
            int now = (int) STATUS.getAcquire(this);
            if (now == INSPECTED) {
                Thread.onSpinWait();
            } else if (now != claimed) {
                return false;
            } else if (STATUS.compareAndSet(this, claimed, RUNNING << STATUS_SHIFT)) {
                return true;
            }
        }
    }

    private boolean drive(Carrier k, boolean first, Throwable toThrow) {
        Throwable thrown = null;
        Resumer thrower = null;
        Resumer returned = null; // the last frame resumed that returned: see addSuspendedCallersTo
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
                if (thrown == null) {
                    Hooks.endUnwinding(k);
                    if (first) trim(k);
                    park(k);
                    Runnable suspended = k.onSuspended;
                    if (suspended != null && k.onSuspendedOf == this) {
                        k.onSuspended = null;
                        k.onSuspendedOf = null;
                        suspended.run();
                    }
                    return true;
                }
                // an exception escaped while frames were being saved: they are garbage, and unless it is the
                // JVM's (out of memory, say), code that is not instrumented threw it on a suspended call's placeholder
                if (thrown instanceof Error) Hooks.abandonUnwind(k); // (describing it needs stack, memory)
                else thrown = Hooks.thrownIntoUnwind(k, thrown, "out of " + describe());
            }
            if (k.refTop == 0) {
                // no callers left, but its trace may show this driver
                if (thrown != null) addSuspendedCallers(k, thrown, thrower, returned, toThrow);
                finish(k);
                if (thrown != null) throw Frames.sneaky(thrown);
                return false;
            }
            if (thrown != null) {
                addSuspendedCallers(k, thrown, thrower, returned, toThrow);
                k.pending = thrown;
                thrown = null;
            }
            int w = k.frameWord, r = k.frameRef;
            Resumer next = (Resumer) refs[r]; // left in place: see Carrier.beginFrame
            int header = next.header;
            int nextRef = r + Frames.recordRefs(header);
            k.frameWord = w + Frames.words(header);
            k.frameRef = nextRef;
            if (nextRef == k.refTop) popSegment(k);
            try {
                next.resume(k, Frames.state(header), w, r + 1, words, refs);
                returned = next;
            } catch (Throwable t) {
                thrown = t;
                thrower = next;
            }
        }
    }

    private void finish(Carrier k) {
        status(DONE);
        words = NO_WORDS;
        refs = NO_REFS;
        k.ref = null;
        k.pending = null;
    }

    private void popSegment(Carrier k) {
        int s = k.segWord;
        if (s > 0) {
            int b = s - LINK;
            k.wordTop = b;
            k.refTop = words[b + 3];
            k.segWord = words[b];
            k.frameWord = words[b + 1];
            k.frameRef = words[b + 2];
        } else {
            k.wordTop = k.refTop = k.frameWord = k.frameRef = 0;
        }
    }

    /**
     * A new unwind begins: its frames form a new segment on top of the unread ones, linked to them, unless they
     * take the places of the frames read since the last suspension ({@link #placeInPlace}).
     */
    final void startUnwind(Carrier k) {
        if (k.frameRef < k.refTop) k.layout = Carrier.LINK_DUE;
        else k.segWord = k.wordTop;
    }

    /** Starts a new segment on top, after a link to the unread frames below it. */
    private void link(Carrier k) {
        int top = k.wordTop;
        if (top + LINK > words.length) growWords(k, LINK);
        words[top] = k.segWord;
        words[top + 1] = k.frameWord;
        words[top + 2] = k.frameRef;
        words[top + 3] = k.refTop;
        k.wordTop = top += LINK;
        k.segWord = top;
    }

    /**
     * Places a record of an unwind that began with frames unread. Frames that suspend again where they were
     * resumed from (a loop that yields, itself or through a helper, while its callers stay suspended: a
     * generator's body, a connection's read loop) save what was read from the top segment, record by record with
     * the same resumers and so the same sizes: each record goes where the one read at its place was, and the
     * segment needs no new link (true then). A record that does not match starts a new segment linked to the
     * unread frames as usual, and the records placed so far move there first.
     */
    final boolean placeInPlace(Carrier k, Resumer resumer, int size) {
        int w, r;
        if (k.layout == Carrier.LINK_DUE) {
            w = k.segWord;
            r = segRef(w);
        } else {
            w = k.runWord;
            r = k.runRef;
        }
        int recordRefs = Frames.recordRefs(size);
        if (r + recordRefs <= k.frameRef && refs[r] == resumer) {
            k.recordWord = w;
            k.recordRef = r;
            k.runWord = w + Frames.words(size);
            k.runRef = r + recordRefs;
            k.layout = Carrier.IN_PLACE;
            return true;
        }
        if (k.layout == Carrier.IN_PLACE) moveOutOfPlace(k);
        else link(k);
        k.layout = 0;
        return false;
    }

    /**
     * The unwind ends: records placed in place that do not replace all that was read move to a new segment (those
     * that do leave the top segment to be read from its start, as a suspended one is).
     */
    private void endInPlace(Carrier k) {
        if (k.layout == Carrier.IN_PLACE && k.runRef != k.frameRef) moveOutOfPlace(k);
        else if (k.layout == Carrier.LINK_DUE) link(k); // (an unwind saves a frame, but the read cursor must be kept)
        k.layout = 0;
    }

    /** The records placed in place move to a new segment on top, linked to the frames not yet read. */
    private void moveOutOfPlace(Carrier k) {
        int w = k.segWord, r = segRef(w), nw = k.runWord - w, nr = k.runRef - r;
        link(k);
        int top = k.wordTop, refTop = k.refTop;
        if (top + nw > words.length) growWords(k, nw);
        if (refTop + nr > refs.length) growRefs(k, nr);
        System.arraycopy(words, w, words, top, nw);
        System.arraycopy(refs, r, refs, refTop, nr);
        Arrays.fill(refs, r, r + nr, null);
        k.wordTop = top + nw;
        k.refTop = refTop + nr;
    }

    /** The unwind in progress was refused or failed: drop the frames it saved, keep the older ones. */
    final void abortUnwind(Carrier k) {
        int layout = k.layout;
        k.layout = 0;
        if (layout == Carrier.LINK_DUE) return; // nothing saved: the top segment is still the unread one
        int from = segRef(k.segWord);
        List<FrameDropped> dropped;
        if (layout == Carrier.IN_PLACE) { // saved where frames were read: those places are dead again
            dropped = droppedIn(from, k.runRef);
            Arrays.fill(refs, from, k.runRef, null);
        } else {
            dropped = droppedIn(from, k.refTop);
            Arrays.fill(refs, from, k.refTop, null);
            k.wordTop = k.segWord;
            k.refTop = from;
            popSegment(k);
        }
        for (FrameDropped d : dropped) d.frameDropped();
    }

    /** The values in references {@code from} to {@code to} that want to know their frame was dropped. */
    private List<FrameDropped> droppedIn(int from, int to) {
        List<FrameDropped> out = null;
        for (int r = from; r < to; r++) {
            if (refs[r] instanceof FrameDropped d) {
                if (out == null) out = new ArrayList<>(1);
                out.add(d);
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * Fits the frame arrays to the frames of the first suspension. The arrays grow by half as frames are saved,
     * so they end with up to a third unused; trimmed once, a coroutine that suspends at the same place again
     * (a connection waiting for its next request, a generator) fits exactly, and one suspended among a million
     * carries no slack.
     */
    private void trim(Carrier k) {
        if (words.length > k.wordTop) words = Arrays.copyOf(words, k.wordTop);
        if (refs.length > k.refTop) refs = Arrays.copyOf(refs, k.refTop);
    }

    void growWords(Carrier k, int more) {
        int need = k.wordTop + more;
        if (need > TOP || need < 0) {
            throw new OutOfMemoryError("the saved frames of " + describe() + " need more than " + TOP + " words:"
                    + " suspend it at a shallower depth of calls, or with fewer live values");
        }
        words = Arrays.copyOf(words, Math.min(TOP + 1, Math.max(need, Math.max(8, words.length + (words.length >> 1)))));
    }

    void growRefs(Carrier k, int more) {
        refs = Arrays.copyOf(refs, Math.max(k.refTop + more, Math.max(8, refs.length + (refs.length >> 1))));
    }

    // ---- the logical stack ----

    /**
     * The frames of a suspended coroutine, innermost first, as stack trace elements (the method and the line of
     * the call it is suspended in).
     */
    protected final StackTraceElement[] suspendedFrames() {
        // claimed while they are read, so that nobody resumes it meanwhile (a monitor may ask from any thread);
        // checking the status before and after instead missed a resume and a suspension with the same status
        int before;
        do {
            before = (int) STATUS.getAcquire(this);
            if (before == INSPECTED) {
                Thread.onSpinWait(); // another thread reads them: its turn first
            } else if (before >>> STATUS_SHIFT != SUSPENDED) {
                return new StackTraceElement[0];
            }
        } while (before == INSPECTED || !STATUS.compareAndSet(this, before, INSPECTED));
        try {
            int s = suspendedSegWord(before);
            return framesFrom(Carrier.get(), segRef(s), refTop, s);
        } finally {
            statusAndTop = before; // a plain write: a call (setRelease) may overflow a deep reader's stack here
        }
    }

    /**
     * The frames that would be resumed from reference {@code r} on, in the segment that starts at word {@code s}
     * and ends at reference {@code end}, and then in the segments below it.
     */
    private StackTraceElement[] framesFrom(Carrier k, int r, int end, int s) {
        List<StackTraceElement> out = new ArrayList<>();
        for (int segments = 0; ; segments++) {
            if (segments > words.length) throw new IllegalStateException("frames read while they moved");
            while (r < end) {
                Resumer resumer = (Resumer) refs[r];
                StackTraceElement e = describeFrame(k, resumer);
                if (e != null) out.add(e);
                r += Frames.recordRefs(resumer.header);
            }
            if (s == 0) break;
            int b = s - LINK;
            s = words[b];
            r = words[b + 2];
            end = words[b + 3];
        }
        return out.toArray(new StackTraceElement[0]);
    }

    /** The frame saved last by the unwind in progress (the outermost of its segment so far), or null. */
    final StackTraceElement lastSavedFrame(Carrier k) {
        if (k.layout == Carrier.LINK_DUE) return null;
        if (k.layout == Carrier.IN_PLACE) return describeFrame(k, (Resumer) refs[k.recordRef]);
        Resumer last = null;
        for (int r = segRef(k.segWord); r < k.refTop; r += Frames.recordRefs(last.header)) last = (Resumer) refs[r];
        return last == null ? null : describeFrame(k, last);
    }

    /**
     * The method and line of a frame saved with {@code resumer}, asked of its resume copy once and then kept in the
     * resumer (there is one per resume point), since stack traces ask for the same frames again and again.
     */
    private static StackTraceElement describeFrame(Carrier k, Resumer resumer) {
        StackTraceElement known = resumer.described;
        if (known != null) return known;
        // a resumer is a nestmate of the method's class: the same loader and module
        StackTraceElement e = Frames.located(askCopy(k, resumer), resumer.getClass());
        resumer.described = e; // immutable: a race makes two equal ones
        return e;
    }

    private static StackTraceElement askCopy(Carrier k, Resumer resumer) {
        boolean wasDescribing = k.describing;
        int savedHeader = k.describedHeader;
        k.describing = true;
        k.describedHeader = resumer.header;
        k.described = null;
        try {
            resumer.resume(k, Frames.DESCRIBE, 0, 0, null, null);
            return k.described;
        } finally {
            k.describing = wasDescribing;
            k.describedHeader = savedHeader;
            k.described = null;
        }
    }

    /**
     * An exception left a resumed frame (the thrower) while its callers are still saved: show them in its stack
     * trace, where a thread's trace would have them, so it reads like the call chain that was suspended.
     *
     * <p>Its trace was taken where it was made: the frames then on the stack down to this driver, whose callers
     * were saved. Made in the first run, below the body, it shows them all. Made in a resumed frame or in one that
     * frame called, it needs that frame's callers as they were then: the thrower's callers now, less the first
     * few if the thrower is a caller of the frame that made it (an exception that a {@code finally} block or a
     * resource's {@code close()} kept across a suspension), which the trace shows already. The thrower is found
     * in the trace by its method and by its callers' lines, nearest the driver first. (So in a recursion an
     * exception kept across a suspension by a frame that calls itself shows the calls between the frame resumed
     * when it was made and the one that keeps it twice.) An exception made elsewhere keeps its trace, such as one
     * thrown into the coroutine by {@code resumeThrowing} ({@code injected}).
     */
    private void addSuspendedCallers(Carrier k, Throwable t, Resumer thrower, Resumer returned, Throwable injected) {
        if (t != injected) {
            addSuspendedCallers(k, t, () -> thrower == null ? null : describeFrame(k, thrower),
                    () -> returned == null ? null : describeFrame(k, returned));
        }
    }

    /**
     * {@link #addSuspendedCallers(Carrier, Throwable, Resumer, Resumer, Throwable)}, given what tells the resumed
     * frame and the frame resumed last that returned (null where that is not known); to {@code t}'s causes and
     * suppressed exceptions too, which were made in the same frames but never thrown.
     */
    private void addSuspendedCallers(Carrier k, Throwable t, Supplier<StackTraceElement> resumed,
                                     Supplier<StackTraceElement> returned) {
        WeakReference<Throwable> last = k.traced;
        WeakReference<Continuation> by = k.tracedBy;
        if (last != null && last.get() == t && by.get() == this) return; // on its way up through resumed frames
        k.traced = new WeakReference<>(t);
        k.tracedBy = new WeakReference<>(this);
        StackTraceElement[] self = new StackTraceElement[1];
        Supplier<StackTraceElement> once = () -> self[0] != null ? self[0] : (self[0] = resumed.get());
        Set<Throwable> done = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> todo = new ArrayList<>(List.of(t));
        while (!todo.isEmpty()) {
            Throwable next = todo.remove(todo.size() - 1);
            if (!done.add(next)) continue;
            addSuspendedCallersTo(k, next, once, returned);
            if (next.getCause() != null) todo.add(next.getCause());
            todo.addAll(List.of(next.getSuppressed()));
        }
    }

    private void addSuspendedCallersTo(Carrier k, Throwable t, Supplier<StackTraceElement> resumed,
                                       Supplier<StackTraceElement> returned) {
        StackTraceElement[] trace = t.getStackTrace();
        int driver = driverFrame(trace);
        if (driver <= 0) return; // already shows the chain: it came through here before
        StackTraceElement made = trace[driver - 1];
        if (made.getClassName().equals(getClass().getName()) && made.getMethodName().equals("body")) {
            addCallers(t, trace, driver, NO_FRAMES);
            return;
        }
        StackTraceElement self = resumed.get();
        if (self == null) return;
        StackTraceElement[] callers = framesFrom(k, k.frameRef, k.refTop, k.segWord);
        // nearest the driver first: most exceptions are made after the latest resume, by the resumed frame or
        // below it, which then is the frame next to the driver's in the trace, whatever recursion calls it
        for (int at = driver - 1; at >= 0; at--) {
            if (!sameMethod(trace[at], self)) continue;
            int shown = driver - 1 - at;
            if (shown > callers.length) continue;
            boolean same = true;
            for (int i = 0; i < shown && same; i++) {
                same = sameMethod(trace[at + 1 + i], callers[i])
                        && trace[at + 1 + i].getLineNumber() == callers[i].getLineNumber();
            }
            if (same) {
                addCallers(t, trace, driver, Arrays.copyOfRange(callers, shown, callers.length));
                return;
            }
        }
        // made by the frame resumed last that returned, this one's callee (it returned the exception for this frame
        // to throw or wrap), so the callers it was made under were this frame, stopped at that call, and the frames
        // still saved. Only then: the driver in the trace may be another's (a coroutine this frame drives)
        StackTraceElement maker = returned == null ? null : returned.get();
        if (maker != null && !sameMethod(made, self) && sameMethod(made, maker)) {
            StackTraceElement[] withSelf = new StackTraceElement[callers.length + 1];
            withSelf[0] = self;
            System.arraycopy(callers, 0, withSelf, 1, callers.length);
            addCallers(t, trace, driver, withSelf);
        }
    }

    /**
     * A handler of a frame that runs in this coroutine caught {@code t}: if {@code t} was thrown after a resume and
     * has not left the frame the driver resumed (the handler is in that frame or in one it called since), its
     * trace lacks that frame's saved callers, which {@link #addSuspendedCallers} adds as if it had left it.
     */
    final void completeCaughtTrace(Carrier k, Throwable t) {
        addSuspendedCallers(k, t, Continuation::resumedFrame, null);
    }

    /** On this thread's stack now: the frame that the innermost driver calls, or null if there is none. */
    private static StackTraceElement resumedFrame() {
        return StackWalker.getInstance().walk(frames -> {
            StackWalker.StackFrame above = null;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                if (isDriver(f.getClassName(), f.getMethodName())) {
                    return above == null ? null : above.toStackTraceElement();
                }
                above = f;
            }
            return null;
        });
    }

    /** Gives {@code t} its {@code trace} with {@code callers} in place of the driver's frame at {@code driver}. */
    private static void addCallers(Throwable t, StackTraceElement[] trace, int driver, StackTraceElement[] callers) {
        StackTraceElement[] patched = new StackTraceElement[trace.length - 1 + callers.length];
        System.arraycopy(trace, 0, patched, 0, driver);
        System.arraycopy(callers, 0, patched, driver, callers.length);
        System.arraycopy(trace, driver + 1, patched, driver + callers.length, trace.length - driver - 1);
        for (int i = 0; i < patched.length; i++) patched[i] = Frames.natural(patched[i]);
        t.setStackTrace(patched);
    }

    /** Where the trace shows the driver of a coroutine (the innermost one that has not added its callers), or -1. */
    private static int driverFrame(StackTraceElement[] trace) {
        for (int i = 0; i < trace.length; i++) {
            if (isDriver(trace[i].getClassName(), trace[i].getMethodName())) return i;
        }
        return -1;
    }

    private static boolean isDriver(String className, String methodName) {
        return className.equals(Continuation.class.getName()) && methodName.equals("drive");
    }

    private static boolean sameMethod(StackTraceElement a, StackTraceElement b) {
        return a.getClassName().equals(b.getClassName())
                && Frames.natural(a).getMethodName().equals(Frames.natural(b).getMethodName());
    }
}
