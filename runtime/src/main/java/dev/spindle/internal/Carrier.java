package dev.spindle.internal;

import java.lang.ref.WeakReference;

/**
 * What one thread needs while it runs coroutines: the coroutine it is running, whether that coroutine is
 * unwinding, the read cursor of its saved frames, how much of its frame arrays they use, and the register that
 * carries a finished frame's result (or exception) to the frame that called it. One per thread, reused by every
 * coroutine the thread runs; the frames themselves live in the {@link Continuation}, which takes back what it
 * needs of the rest when it suspends, so a coroutine can move between threads.
 *
 * <p>Not API: the methods are public only because generated code in other packages calls them.
 */
public final class Carrier {
    private static final ThreadLocal<Carrier> CARRIERS = ThreadLocal.withInitial(Carrier::new);

    static final byte VOID = 'V', INT = 'I', LONG = 'J', FLOAT = 'F', DOUBLE = 'D', REF = 'L',
            BOOLEAN = 'Z', BYTE = 'B', CHAR = 'C', SHORT = 'S';

    /** A carrier of no thread, never unwinding: what {@link Hooks} compares with before any thread suspends. */
    static final Carrier NOBODY = new Carrier(null);

    final Thread thread;
    Continuation running;
    boolean unwinding;
    /** Counted among the threads other than the solo one that are unwinding (see {@link Hooks}). */
    boolean counted;

    /** Where the next saved frame of the running continuation starts (its read cursor). */
    int frameWord, frameRef;
    /** How much of the running continuation's arrays its saved frames use, and where its top segment starts. */
    int wordTop, refTop, segWord;
    /** Where the record being saved starts, for its saver. */
    int recordWord, recordRef;
    /**
     * What the unwind in progress still owes the layout: {@link #LINK_DUE} until its first record is placed (when
     * it began with saved frames unread), {@link #IN_PLACE} while its records go where the frames read last were
     * (up to {@link #runWord} and {@link #runRef} so far), else 0.
     */
    byte layout;
    static final byte LINK_DUE = 1, IN_PLACE = 2;
    int runWord, runRef;
    // while describing, the frame being described
    int describedHeader;
    boolean describing;
    StackTraceElement described;

    /**
     * The exception whose stack trace a driver on this thread completed last, and that driver's continuation
     * (weakly: neither is kept for that). One that goes up a recursion of thousands of resumed frames, suspending
     * in their finally blocks, passes the driver or a handler at each of them, and would otherwise have its trace,
     * thousands of elements long by then, copied and searched each time. Another continuation's driver (an outer
     * coroutine's, which the exception reaches next, or which throws it again) still adds its own saved callers.
     */
    WeakReference<Throwable> traced;
    WeakReference<Continuation> tracedBy;

    /** What a coroutine asked to run once its suspension has happened ({@link Hooks#whenSuspended}), and which. */
    Runnable onSuspended;
    Continuation onSuspendedOf;

    // the result of the frame that finished last
    byte tag = VOID;
    long prim;
    Object ref;
    Throwable pending;

    private Carrier() {
        this(Thread.currentThread());
    }

    private Carrier(Thread thread) {
        this.thread = thread;
    }

    /** The carrier found last; a racy cache, valid only when its thread is the caller's. */
    private static Carrier last;

    static Carrier get() {
        Carrier k = last;
        if (k == null || k.thread != Thread.currentThread()) {
            last = k = CARRIERS.get();
        }
        return k;
    }

    // ---- saving a frame (the callee has returned while this thread is unwinding) ----

    /** This carrier if its thread is unwinding, else null: a resume copy's test, which has its carrier at hand. */
    public Carrier ifUnwinding() {
        return unwinding ? this : null;
    }

    /**
     * Makes room for a frame record and writes its resumer, which knows the resume point and how many values
     * follow; the saving frame then writes the values itself, from {@link #saveWord()} and {@link #saveRef()}.
     * {@code size} is the resumer's header without its resume point: a constant of the saver (which serves
     * every resume point of its method that keeps the same values), so the JIT folds the sizes.
     */
    public void beginFrame(Resumer resumer, int size) {
        if (layout != 0 && running.placeInPlace(this, resumer, size)) return;
        Continuation c = running;
        int r = refTop, w = wordTop, words = Frames.words(size), recordRefs = Frames.recordRefs(size);
        if (w + words > c.words.length) c.growWords(this, words);
        if (r + recordRefs > c.refs.length) c.growRefs(this, recordRefs);
        Object[] refs = c.refs;
        // a frame saved again at the same place has the same resumer: skip the store and its GC barrier
        if (refs[r] != resumer) refs[r] = resumer;
        recordWord = w;
        recordRef = r;
        wordTop = w + words;
        refTop = r + recordRefs;
    }

    /** The method that saved the latest frame of the unwind in progress, as "Class.method", for messages. */
    String lastSaved() {
        StackTraceElement e = running.lastSavedFrame(this);
        return e == null ? "(unknown)" : e.getClassName() + "." + e.getMethodName();
    }

    /** Where the words of the record being saved start (after {@link #beginFrame}). */
    public int saveWord() {
        return recordWord;
    }

    /** Where the references of the record being saved start, after its resumer (after {@link #beginFrame}). */
    public int saveRef() {
        return recordRef + 1;
    }

    /** The running continuation's word array (read after {@link #beginFrame}, which may replace it). */
    public int[] words() {
        return running.words;
    }

    /** The running continuation's reference array (read after {@link #beginFrame}, which may replace it). */
    public Object[] refs() {
        return running.refs;
    }

    // ---- describing a frame (called from a resume copy) ----

    /**
     * Called by a resume copy entered with a state it does not have: asked to describe itself (the driver gave
     * it {@link Frames#DESCRIBE}) instead of running: {@code lines} holds the line number of
     * each resume point as one char.
     */
    public void describe(String owner, String method, String file, String lines) {
        if (!describing) throw Hooks.corrupt(owner.replace('/', '.') + "." + method);
        int s = Frames.state(describedHeader);
        int line = s < lines.length() ? lines.charAt(s) : -1;
        described = new StackTraceElement(owner.replace('/', '.'), method, file, line == 0 ? -1 : line);
    }

    // ---- the result of the call that suspended, as the resumed frame sees it ----

    public void landV() {
        throwPending();
    }

    public int landI() {
        throwPending();
        return switch (tag) {
            case LONG -> (int) prim;
            case REF -> Frames.unboxInt(ref);
            case VOID -> 0;
            default -> (int) prim;
        };
    }

    public long landJ() {
        throwPending();
        return switch (tag) {
            case FLOAT -> (long) Float.intBitsToFloat((int) prim);
            case DOUBLE -> (long) Double.longBitsToDouble(prim);
            case REF -> ((Number) ref).longValue();
            default -> prim;
        };
    }

    public float landF() {
        throwPending();
        return switch (tag) {
            case FLOAT -> Float.intBitsToFloat((int) prim);
            case DOUBLE -> (float) Double.longBitsToDouble(prim);
            case REF -> ((Number) ref).floatValue();
            default -> (float) prim;
        };
    }

    public double landD() {
        throwPending();
        return switch (tag) {
            case FLOAT -> Float.intBitsToFloat((int) prim);
            case DOUBLE -> Double.longBitsToDouble(prim);
            case REF -> ((Number) ref).doubleValue();
            default -> (double) prim;
        };
    }

    public Object landR() {
        throwPending();
        if (tag == REF) {
            Object v = ref;
            ref = null;
            return v;
        }
        return Frames.box(tag, prim);
    }

    private void throwPending() {
        Throwable t = pending;
        if (t != null) {
            pending = null;
            throw Frames.sneaky(t);
        }
    }

    // ---- a resume copy finished: its result goes to the frame that called it ----

    public void returnV() {
        tag = VOID;
    }

    public void returnI(int v, char kind) {
        tag = (byte) kind;
        prim = v;
    }

    public void returnJ(long v) {
        tag = LONG;
        prim = v;
    }

    public void returnF(float v) {
        tag = FLOAT;
        prim = Float.floatToRawIntBits(v);
    }

    public void returnD(double v) {
        tag = DOUBLE;
        prim = Double.doubleToRawLongBits(v);
    }

    public void returnR(Object v) {
        tag = REF;
        ref = v;
    }
}
