package dev.spindle;

/**
 * What {@link Generator#close()} throws at the yield a generator is suspended in, so that the body unwinds and
 * its {@code finally} blocks and try-with-resources run.
 *
 * <p>An {@link Error}, like {@link ThreadDeath} and like Python's {@code GeneratorExit} (a
 * {@code BaseException}), so that the body's {@code catch (Exception e)} does not swallow it. Package-private:
 * code that must react to a close puts it in a {@code finally} block. No stack trace: it never escapes
 * {@code close()}, and a close should cost no more than the unwinding.
 */
final class GeneratorExit extends Error {
    private static final long serialVersionUID = 1L;

    GeneratorExit() {
        // no stack trace, but suppression: a resource that fails to close as the exit unwinds the body adds its
        // exception here, and close() throws it (as Python raises what a context manager raised on exit)
        super("generator closed", null, true, false);
    }
}
