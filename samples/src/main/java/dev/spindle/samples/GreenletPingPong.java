package dev.spindle.samples;

import dev.spindle.Greenlet;
import dev.spindle.GreenletExit;
import dev.spindle.Suspendable;

/**
 * Two greenlets, ping and pong, hit a ball back and forth by switching straight to each other, the way the
 * article's greenlets (and Stackless) transfer control: no scheduler in between, and each side's loop keeps its
 * local state across the switches.
 *
 * <ul>
 *   <li>The switch is in {@link #hit}, a helper the bodies call: a greenlet switches from any depth of
 *       {@code @Suspendable} calls, as a Python greenlet does from any depth of calls.</li>
 *   <li>A trace hook ({@link Greenlet#setTrace}) prints each transfer of control.</li>
 *   <li>When ping's body returns, its result goes to its parent, the main greenlet (this thread's
 *       {@code main}), whose {@code switchTo} returns it. Pong, still waiting for the ball, is then
 *       killed: {@link Greenlet#kill()} raises a {@link GreenletExit} at its pending switch, its
 *       {@code finally} block runs, and the exit comes back to main as a value.</li>
 * </ul>
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.GreenletPingPong [rallies]
 * </pre>
 */
public final class GreenletPingPong {
    private static Greenlet ping;
    private static Greenlet pong;

    private GreenletPingPong() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("GreenletPingPong");
        int rallies = SampleArgs.intArg(args, 0, "rallies", 3);

        ping = new Greenlet("ping", ball -> {
            int hits = (Integer) ball;
            for (int i = 0; i < rallies; i++) hits = hit("ping", pong, hits);
            return "ping stops after " + count(hits);                  // to the parent: main
        });
        pong = new Greenlet("pong", ball -> {
            int hits = (Integer) ball;
            try {
                for (;;) hits = hit("pong", ping, hits);
            } finally {
                System.out.println("pong: killed while waiting, after " + count(hits));
            }
        });

        Greenlet.setTrace((event, origin, target) ->
                System.out.println("    [" + event + " " + origin.name() + " -> " + target.name() + "]"));
        Object result = ping.switchTo(0);                               // runs until a greenlet switches to main
        System.out.println("main: " + result);

        Object exit = pong.kill();
        System.out.println("main: pong.kill() returned " + exit.getClass().getSimpleName()
                + "; pong dead: " + pong.isDead());
        Greenlet.setTrace(null);
    }

    private static String count(int hits) {
        return hits + (hits == 1 ? " hit" : " hits");
    }

    /** Hits the ball over to {@code other} and waits until it comes back, with the count of hits so far. */
    @Suspendable
    static int hit(String who, Greenlet other, int hits) {
        System.out.println(who + ": hit " + (hits + 1));
        return other.switchTo(hits + 1);
    }
}
