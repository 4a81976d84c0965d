package dev.spindle.sched;

final class Throwables {
    private Throwables() {
    }

    /** Throws {@code t} as it is, checked or not (the caller writes {@code throw Throwables.sneaky(t)}). */
    static RuntimeException sneaky(Throwable t) {
        throw Throwables.<RuntimeException>raise(t);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T raise(Throwable t) throws T {
        throw (T) t;
    }
}
