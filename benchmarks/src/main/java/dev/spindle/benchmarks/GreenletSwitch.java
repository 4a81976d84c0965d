package dev.spindle.benchmarks;

import dev.spindle.Coroutine;
import dev.spindle.Greenlet;
import dev.spindle.Suspendable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Ping-pong: two computations take turns incrementing a counter (a field). <b>One op = one switch</b>, i.e.
 * control passing from one side to the other; each invocation makes {@value #SWITCHES} of them. The greenlets
 * pass a value at each switch, always the same object, so that nothing is allocated (a new boxed value per
 * switch would add an allocation the other variants do not make).
 *
 * <ul>
 *   <li>{@code greenlet}: two {@link Greenlet}s switching straight to each other ({@code other.switchTo(BALL)}).
 *       The invocation is main → ping, {@value #ROUND_TRIPS} round trips ping → pong → ping, then ping → main.
 *       Inside, each switch is a yield of the switching greenlet's coroutine back to the trampoline that main's
 *       {@code switchTo} runs, and a resume of the target's.</li>
 *   <li>{@code coroutine}: the floor under that: two bare {@link Coroutine}s that each increment the counter
 *       and yield, resumed alternately by a driver loop. One resume (plus the yield that ends it) is one
 *       switch.</li>
 *   <li>{@code loom}: the same driver loop over two {@code jdk.internal.vm.Continuation}s (JDK 21+).</li>
 * </ul>
 *
 * <p>On JDK 17 {@code loom} fails in its setup with a message saying so; exclude it with {@code -e loom}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"})
@State(Scope.Thread)
public class GreenletSwitch {
    static final int ROUND_TRIPS = 500;
    /** Per invocation: main → ping, the round trips, ping → main. */
    static final int SWITCHES = 2 * ROUND_TRIPS + 2;

    private Greenlet ping;
    private Greenlet pong;
    private Coroutine coA;
    private Coroutine coB;
    private Object loomA;
    private Object loomB;
    /** The counter both sides increment, one per switch they make (ping's switch to main aside). */
    long ball;
    /** What the greenlets pass at each switch: a value, as the protocol wants, but the same one every time. */
    private static final Object BALL = "ball";

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        switch (Expected.variant(params)) {
            case "greenlet":
                // Greenlets belong to the thread that creates them: JMH runs a Scope.Thread state's setup on the
                // benchmark thread, and the switches below would fail loudly otherwise.
                Greenlet main = Greenlet.current();
                ping = new Greenlet("ping", first -> {
                    for (;;) {
                        for (int i = 0; i < ROUND_TRIPS; i++) {
                            ball++;
                            pong.switchTo(BALL);
                        }
                        main.switchTo(BALL);
                    }
                });
                pong = new Greenlet("pong", first -> {
                    for (;;) {
                        ball++;
                        ping.switchTo(BALL);
                    }
                });
                greenlet();
                long before = ball;
                greenlet();
                Expected.check("greenlet ping-pong counter", before + 2L * ROUND_TRIPS, ball);
                break;
            case "coroutine":
                coA = new Coroutine("a", this::bounce);
                coB = new Coroutine("b", this::bounce);
                check(this::coroutine);
                break;
            case "loom":
                Loom.require();
                loomA = Loom.create(this::bounceLoom);
                loomB = Loom.create(this::bounceLoom);
                check(this::loom);
                break;
            default:
                throw new IllegalStateException("no setup for " + params.getBenchmark());
        }
    }

    private void check(java.util.function.LongSupplier invocation) {
        long before = invocation.getAsLong();
        long after = invocation.getAsLong();
        Expected.check("ping-pong counter", before + SWITCHES, after);
    }

    @Suspendable
    private void bounce() {
        for (;;) {
            ball++;
            Coroutine.yield();
        }
    }

    private void bounceLoom() {
        for (;;) {
            ball++;
            Loom.yield();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ping = pong = null;
        coA = coB = null;
        loomA = loomB = null;
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public Object greenlet() {
        return ping.switchTo(BALL);
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public long coroutine() {
        Coroutine a = coA, b = coB;
        for (int i = 0; i < SWITCHES; i += 2) {
            a.resume();
            b.resume();
        }
        return ball;
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public long loom() {
        Object a = loomA, b = loomB;
        for (int i = 0; i < SWITCHES; i += 2) {
            Loom.run(a);
            Loom.run(b);
        }
        return ball;
    }
}
