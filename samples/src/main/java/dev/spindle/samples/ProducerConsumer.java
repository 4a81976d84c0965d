package dev.spindle.samples;

import dev.spindle.Suspendable;
import dev.spindle.sched.Channel;
import dev.spindle.sched.ChannelIterator;
import dev.spindle.sched.Scheduler;

/**
 * A producer and a consumer tasklet over a {@link Channel}, the Stackless way: the producer sends each item and
 * waits until the consumer takes it (an unbuffered channel is a rendezvous), then closes the channel; the
 * consumer iterates until the channel is closed and drained. Run it with a capacity to see the producer run
 * ahead by that many items (a Go buffered channel).
 *
 * <p>The waits happen two calls down ({@code produce -> deliver -> send}, {@code consume -> hasNext -> receive}):
 * with Spindle a tasklet can block anywhere in a chain of {@code @Suspendable} methods, which the article's
 * generator-based coroutines could not.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.ProducerConsumer [capacity]
 * </pre>
 */
public final class ProducerConsumer {
    private ProducerConsumer() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent("ProducerConsumer");
        int capacity = SampleArgs.intArg(args, 0, "capacity", 0);
        run(capacity, 5);
    }

    /** Produces {@code items} items through a channel of the given capacity and prints both sides. */
    public static void run(int capacity, int items) {
        Scheduler scheduler = new Scheduler();
        Channel<String> jobs = new Channel<>("jobs", capacity);
        scheduler.spawn("producer", () -> produce(jobs, items));
        scheduler.spawn("consumer", () -> consume(jobs));
        scheduler.run();
    }

    @Suspendable
    static void produce(Channel<String> jobs, int items) {
        for (int i = 1; i <= items; i++) deliver(jobs, "job " + i);
        System.out.println("producer: done, closing");
        jobs.close();
    }

    @Suspendable
    static void deliver(Channel<String> jobs, String job) {
        System.out.println("producer: sending " + job + " (balance " + jobs.balance() + ", buffered "
                + jobs.size() + ")");
        jobs.send(job);
    }

    @Suspendable
    static void consume(Channel<String> jobs) {
        for (ChannelIterator<String> it = jobs.iterator(); it.hasNext(); ) {
            System.out.println("consumer: got " + it.next());
        }
        System.out.println("consumer: end of channel");
    }
}
