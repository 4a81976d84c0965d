package dev.spindle.sched;

/**
 * Raised inside a tasklet by {@link Tasklet#kill()} so that its {@code finally} blocks and try-with-resources
 * run as it unwinds. When it escapes the tasklet's body the scheduler swallows it: the tasklet is simply dead.
 *
 * <p>Stackless's {@code TaskletExit} derives from {@code SystemExit}, not {@code Exception}, so that an
 * {@code except Exception:} does not stop a kill. The Java counterpart of that is {@link Error} (as
 * {@code ThreadDeath} was for {@code Thread.stop}): a {@code catch (Exception e)} lets it through, and a
 * tasklet that catches it anyway (with {@code catch (Throwable t)}) and goes on is not dead.
 */
public final class TaskletExit extends Error {
    private static final long serialVersionUID = 1L;

    TaskletExit(Tasklet tasklet) {
        // No stack trace: it would show where kill() was called, which says nothing about the killed tasklet.
        super("tasklet " + tasklet.name() + " was killed", null, false, false);
    }
}
