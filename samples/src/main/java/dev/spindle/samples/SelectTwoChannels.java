package dev.spindle.samples;

import dev.spindle.Suspendable;
import dev.spindle.sched.Channel;
import dev.spindle.sched.Scheduler;
import dev.spindle.sched.Select;
import java.time.Duration;

/**
 * A {@link Select} over two channels (Go's {@code select}): a "fast" tasklet sends every 100 ms, a "slow" one
 * every 250 ms, and a listener takes whichever value comes first, with a timeout from
 * {@link Scheduler#after}. When no value is ready it first tries a select with a default branch and says it is
 * idle. The scheduler runs on virtual time, so the 1.2 simulated seconds take no wall time and the output is the
 * same on every run.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.SelectTwoChannels
 * </pre>
 */
public final class SelectTwoChannels {
    private SelectTwoChannels() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("SelectTwoChannels");
        run();
    }

    public static void run() {
        Scheduler scheduler = Scheduler.withVirtualTime();
        Channel<String> fast = new Channel<>("fast");
        Channel<String> slow = new Channel<>("slow");
        scheduler.spawn("fast", () -> ticker(fast, "fast", Duration.ofMillis(100), 6));
        scheduler.spawn("slow", () -> ticker(slow, "slow", Duration.ofMillis(250), 2));
        scheduler.spawn("listener", () -> {
            Select.Case<String> fromFast = Select.receive(fast);
            Select.Case<String> fromSlow = Select.receive(slow);
            Select.Case<Duration> timeout = Select.receive(Scheduler.current().after(Duration.ofMillis(1200)));
            for (;;) {
                Select.Selected now = Select.trySelect(fromFast, fromSlow); // with a default branch
                if (now.isDefault()) {
                    System.out.println(at() + " listener: nothing ready, waiting");
                    now = Select.select(fromFast, fromSlow, timeout);
                }
                if (now.is(timeout)) {
                    System.out.println(at() + " listener: timeout, stopping");
                    return;
                }
                if (now.isClosed()) { // a closed channel stays ready: stop listening to it
                    System.out.println(at() + " listener: " + now.selectedCase().channel() + " closed");
                    if (now.is(fromFast)) fromFast = Select.receive(new Channel<>("never"));
                    else fromSlow = Select.receive(new Channel<>("never"));
                    continue;
                }
                System.out.println(at() + " listener: " + now.value());
            }
        });
        scheduler.run();
    }

    @Suspendable
    static void ticker(Channel<String> out, String name, Duration period, int ticks) {
        for (int i = 1; i <= ticks; i++) {
            Scheduler.sleep(period);
            out.send(name + " " + i);
        }
        out.close();
    }

    private static String at() {
        return String.format("%5d ms", Scheduler.current().elapsed().toMillis());
    }
}
