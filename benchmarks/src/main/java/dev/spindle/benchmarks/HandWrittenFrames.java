package dev.spindle.benchmarks;

import static dev.spindle.benchmarks.ChainShape.GOLDEN;
import static dev.spindle.benchmarks.ChainShape.NAMES;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * {@link DescendAndYield} done by hand, with no agent and none of Spindle's checks: the benchmark chain written
 * the way the agent rewrites it (each frame saves its live values into an {@code int[]} and an {@code Object[]}
 * when the call below it unwinds, and a resume copy restores them), driven by two resume protocols. It measures
 * the floor of the design, what saving and restoring frames through bytecode costs before any bookkeeping:
 *
 * <ul>
 *   <li>{@code frameByFrame}: Spindle's protocol. The driver resumes the saved frames one at a time, innermost
 *       first, each through its resumer; a frame's result goes to the next through a field.</li>
 *   <li>{@code nested}: the alternative. The driver enters the outermost saved frame, whose copy re-enters the
 *       next inner one directly and gets its result as a return value, as Quasar and Kilim do within one
 *       resume (without re-running the method's code before the call).</li>
 *   <li>{@code unwindOnly}: the chain called and unwound, nothing resumed: the calls and the saving alone.</li>
 *   <li>{@code plainCalls}: the chain as plain calls that do not suspend ({@link UnmarkedChain}), as in
 *       {@link DescendAndYield}.</li>
 * </ul>
 *
 * One op is one resume, as in {@link DescendAndYield}: the saved chain returns up, the body calls it again and
 * it unwinds again.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HandWrittenFrames {
    @Param({"1", "16", "64"})
    int depth;

    /** The protocol of this fork's benchmark (each fork runs one benchmark method). */
    static boolean nested;
    static long sink;

    /** A coroutine's saved frames, and the register that carries a finished frame's result. */
    static final class Frames {
        final int[] words = new int[8 * 1024];
        final Object[] refs = new Object[2 * 1024];
        int wordTop, refTop;
        boolean unwinding;
        long result;
    }

    /** Re-enters one saved frame: its result goes to {@code result} ({@code top}) or is returned ({@code inner}). */
    abstract static class Resumer {
        abstract void top(Frames f, int word, int ref);

        abstract long inner(Frames f, int word, int ref);
    }

    private Frames frames;
    private long acc;

    @Setup
    public void setup(BenchmarkParams params) {
        String variant = Expected.variant(params);
        nested = variant.equals("nested");
        bodyDepth = depth;
        frames = new Frames();
        if (variant.equals("frameByFrame") || variant.equals("nested")) {
            body(frames, false, 0, 0);
            frames.unwinding = false;
            long expected = 0;
            for (int k = 0; k < 3; k++) {
                resume();
                expected = Expected.descend(depth, expected);
                Expected.check("hand-written descend(" + depth + ") after resume " + (k + 2), expected, sink);
            }
        }
    }

    @Benchmark
    public long frameByFrame() {
        resume();
        return sink;
    }

    @Benchmark
    public long nested() {
        resume();
        return sink;
    }

    @Benchmark
    public long unwindOnly() {
        Frames f = frames;
        descend(f, depth, acc++, true);
        f.unwinding = false;
        f.wordTop = f.refTop = 0;
        return f.words[0];
    }

    @Benchmark
    public long plainCalls() {
        return acc = UnmarkedChain.descend(depth, acc, false);
    }

    private void resume() {
        Frames f = frames;
        int wordTop = f.wordTop, refTop = f.refTop;
        f.wordTop = f.refTop = 0;
        f.result = 0;
        if (nested) {
            ((Resumer) f.refs[refTop - 1]).top(f, wordTop, refTop);
        } else {
            for (int w = 0, r = 0; r < refTop && !f.unwinding; ) {
                Resumer next = (Resumer) f.refs[r];
                next.top(f, w, r);
                w += next == BODY ? 2 : ((ChainResumer) next).words;
                r += next == BODY ? 1 : 2;
            }
        }
        f.unwinding = false;
    }

    // ---- the chain, as the agent leaves it: the method itself saves its frame when the call below unwinds ----

    static long descend(Frames f, int depth, long acc, boolean suspend) {
        int i = (int) acc + depth;
        long l = acc * GOLDEN;
        String s = NAMES[depth & 3];
        long r;
        if (depth > 1) {
            r = descend(f, depth - 1, acc + 1, suspend);
            if (f.unwinding) {
                save(f, AFTER_CALL, depth, suspend, i, l, s, 0);
                return 0;
            }
        } else {
            if (suspend) {
                f.unwinding = true;
                save(f, AFTER_YIELD, depth, suspend, i, l, s, acc);
                return 0;
            }
            r = acc + 1;
        }
        return r + i + (l >>> 29) + s.length() + (suspend ? 1 : 0) + depth;
    }

    private static final ChainResumer AFTER_CALL = new ChainResumer(5), AFTER_YIELD = new ChainResumer(7);

    /**
     * A record is the frame's words and its string, with its resumer first ({@code frameByFrame}, read innermost
     * first) or last ({@code nested}, read from the outermost, at the top, inwards).
     */
    private static void save(Frames f, ChainResumer at, int depth, boolean suspend, int i, long l, String s,
                             long acc) {
        int w = f.wordTop, r = f.refTop;
        int[] words = f.words;
        Object[] refs = f.refs;
        words[w] = depth;
        words[w + 1] = suspend ? 1 : 0;
        words[w + 2] = i;
        words[w + 3] = (int) (l >>> 32);
        words[w + 4] = (int) l;
        if (at == AFTER_YIELD) {
            words[w + 5] = (int) (acc >>> 32);
            words[w + 6] = (int) acc;
        }
        refs[r + (nested ? 1 : 0)] = at;
        refs[r + (nested ? 0 : 1)] = s;
        f.wordTop = w + at.words;
        f.refTop = r + 2;
    }

    static final class ChainResumer extends Resumer {
        final int words;

        ChainResumer(int words) {
            this.words = words;
        }

        @Override
        void top(Frames f, int word, int ref) {
            f.result = copy(f, this, word, ref);
        }

        @Override
        long inner(Frames f, int word, int ref) {
            return copy(f, this, word, ref);
        }
    }

    /**
     * The resume copy: restores the frame whose record starts at ({@code word}, {@code ref}) after its resumer
     * ({@code frameByFrame}) or ends there ({@code nested}), and goes on after the call it was suspended in.
     */
    static long copy(Frames f, ChainResumer at, int word, int ref) {
        int[] words = f.words;
        Object[] refs = f.refs;
        int w = nested ? word - at.words : word, r = nested ? ref - 2 : ref;
        int depth = words[w];
        boolean suspend = words[w + 1] != 0;
        int i = words[w + 2];
        long l = (long) words[w + 3] << 32 | (words[w + 4] & 0xFFFFFFFFL);
        String s = (String) refs[r + (nested ? 0 : 1)];
        long result;
        if (at == AFTER_CALL) {
            result = calleeResult(f, w, r);
            if (f.unwinding) return 0; // suspended again further in: this frame's record is still valid
        } else {
            long acc = (long) words[w + 5] << 32 | (words[w + 6] & 0xFFFFFFFFL);
            result = acc + 1;
        }
        return result + i + (l >>> 29) + s.length() + (suspend ? 1 : 0) + depth;
    }

    /**
     * The result of the call the frame whose record starts at ({@code w}, {@code r}) was suspended in: {@code nested},
     * the next inner frame's, re-entered now (unless this is the innermost); frame by frame, what the driver holds.
     */
    private static long calleeResult(Frames f, int w, int r) {
        return nested && r > 0 ? ((Resumer) f.refs[r - 1]).inner(f, w, r) : f.result;
    }

    // ---- the coroutine's body, for (;;) { a = descend(depth, a, true); sink = a; }, a frame of its own ----

    private static final Resumer BODY = new Resumer() {
        @Override
        void top(Frames f, int word, int ref) {
            body(f, true, word, ref);
        }

        @Override
        long inner(Frames f, int word, int ref) {
            body(f, true, word, ref);
            return 0;
        }
    };

    private static int bodyDepth;

    private static void body(Frames f, boolean resuming, int word, int ref) {
        long a = 0;
        if (resuming) {
            a = calleeResult(f, nested ? word - 2 : word, nested ? ref - 1 : ref);
            if (f.unwinding) return;
            sink = a;
        }
        for (;;) {
            a = descend(f, bodyDepth, a, true);
            if (f.unwinding) {
                int w = f.wordTop, r = f.refTop;
                f.words[w] = (int) (a >>> 32); // what the real body's frame saves: two words and its resumer
                f.words[w + 1] = (int) a;
                f.refs[r] = BODY;
                f.wordTop = w + 2;
                f.refTop = r + 1;
                return;
            }
            sink = a;
        }
    }
}
