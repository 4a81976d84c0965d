package dev.spindle.internal;

/**
 * The layout of a resumer's header and the value conversions a result may need on its way from a resumed
 * frame to its caller (a lambda's proxy, which is skipped on resume, may have boxed or unboxed it).
 *
 * <p>A header packs the resume point (12 bits), the number of int words (10 bits) and the number of
 * references (10 bits) a frame saved at that point keeps besides its resumer.
 */
public final class Frames {
    /** Resume points per method: 0 to 4094; 4095 means "describe yourself". */
    public static final int MAX_STATES = (1 << 12) - 1;
    /** The header a resume copy is entered with to describe itself: a state no copy has. */
    static final int DESCRIBE = 0xFFF;
    public static final int MAX_SLOTS = (1 << 10) - 1;

    private Frames() {
    }

    public static int header(int state, int words, int refs) {
        return state | words << 12 | refs << 22;
    }

    static int state(int header) {
        return header & 0xFFF;
    }

    static int words(int header) {
        return (header >>> 12) & 0x3FF;
    }

    static int refs(int header) {
        return header >>> 22;
    }

    /** The references a record takes in all: its resumer and the references saved after it. */
    static int recordRefs(int header) {
        return 1 + refs(header);
    }

    // ---- values in a frame record (called by instrumented code) ----

    /** A long as two words, high first. */
    public static void putLong(int[] words, int at, long v) {
        words[at] = (int) (v >>> 32);
        words[at + 1] = (int) v;
    }

    public static long getLong(int[] words, int at) {
        return (long) words[at] << 32 | (words[at + 1] & 0xFFFFFFFFL);
    }

    /** The reference at {@code at}, cleared: a restored record is dead, and what it held is the GC's again. */
    public static Object take(Object[] refs, int at) {
        Object v = refs[at];
        refs[at] = null;
        return v;
    }

    static int unboxInt(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof Character c) return c;
        return ((Number) v).intValue();
    }

    static Object box(byte tag, long prim) {
        return switch (tag) {
            case Carrier.INT -> (int) prim;
            case Carrier.LONG -> prim;
            case Carrier.FLOAT -> Float.intBitsToFloat((int) prim);
            case Carrier.DOUBLE -> Double.longBitsToDouble(prim);
            case Carrier.BOOLEAN -> prim != 0;
            case Carrier.BYTE -> (byte) prim;
            case Carrier.CHAR -> (char) prim;
            case Carrier.SHORT -> (short) prim;
            default -> null;
        };
    }

    /** Marks the name of a resume copy that had to differ from its method's name (overloads, bridges). */
    public static final String COPY_SUFFIX = "$spindle$";

    /** The element as a thread would show it: a resume copy under its method's own name. */
    static StackTraceElement natural(StackTraceElement e) {
        String m = e.getMethodName(), natural = naturalName(m);
        if (natural == m) return e;
        return element(e.getClassLoaderName(), e.getModuleName(), e.getModuleVersion(), e.getClassName(),
                natural, e.getFileName(), e.getLineNumber());
    }

    /** The name of the method as written, of a resume copy's or a wrapped method's name. */
    static String naturalName(String method) {
        int i = method.indexOf(COPY_SUFFIX);
        return i < 0 ? method : method.substring(0, i);
    }

    /** {@code e}, a saved frame of a method of {@code owner}'s class, with its loader and module as a thread's. */
    static StackTraceElement located(StackTraceElement e, Class<?> owner) {
        if (e == null) return null;
        ClassLoader loader = owner.getClassLoader();
        Module module = owner.getModule();
        String version = module.getDescriptor() == null ? null : module.getDescriptor().rawVersion().orElse(null);
        return element(loader == null ? null : loader.getName(), module.getName(), version, e.getClassName(),
                e.getMethodName(), e.getFileName(), e.getLineNumber());
    }

    /**
     * A frame as the JVM writes one: the JVM leaves out the names of its own class loaders when it prints a
     * frame ("app", "platform"), which a frame made here would print ("app//Main.run(Main.java:3)").
     */
    private static StackTraceElement element(String loader, String module, String version, String className,
                                             String method, String file, int line) {
        boolean builtIn = "app".equals(loader) || "platform".equals(loader);
        return new StackTraceElement(builtIn ? null : loader, module, version, className, method, file, line);
    }

    /** Rethrows any throwable unchanged, checked or not. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
