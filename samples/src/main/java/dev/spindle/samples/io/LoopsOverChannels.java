package dev.spindle.samples.io;

import dev.spindle.io.EventLoop;
import dev.spindle.io.EventLoopGroup;
import dev.spindle.samples.AgentCheck;
import dev.spindle.samples.SampleArgs;
import dev.spindle.sched.Channel;
import dev.spindle.sched.ChannelIterator;
import dev.spindle.sched.Mutex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Coroutines of two event loops (two threads) talking over {@code dev.spindle.sched} channels: a producer on the
 * first loop sends jobs into a buffered channel, a worker on each loop squares them and sends the results on, and
 * a collector adds them up. A {@link Mutex} guards a tally that workers of both loops update with a suspension in
 * the middle. Waiting for a channel or the lock suspends only the coroutine; its loop runs the others.
 *
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar \
 *     dev.spindle.samples.io.LoopsOverChannels [jobs]
 * </pre>
 */
public final class LoopsOverChannels {
    private LoopsOverChannels() {
    }

    public static void main(String[] args) {
        AgentCheck.requireAgent(LoopsOverChannels.class);
        int n = SampleArgs.intArg(args, 0, "jobs", 10);
        try (EventLoopGroup group = new EventLoopGroup(2)) {
            EventLoop first = group.loops().get(0), second = group.loops().get(1);
            Channel<Integer> jobs = new Channel<>("jobs", 4);
            Channel<Integer> results = new Channel<>("results");
            Mutex tallyLock = new Mutex("tally");
            int[] perLoop = new int[2];

            first.spawn("producer", () -> {
                for (int i = 1; i <= n; i++) jobs.send(i); // waits while the buffer is full
                jobs.close();
            });
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int id = w;
                EventLoop loop = group.loops().get(w);
                workers.add(loop.spawn("worker " + w, () -> {
                    for (ChannelIterator<Integer> it = jobs.iterator(); it.hasNext(); ) {
                        int job = it.next();
                        System.out.println("worker " + id + " on " + Thread.currentThread().getName() + ": " + job
                                + "^2 = " + job * job);
                        tallyLock.withLock(() -> {
                            int seen = perLoop[id];
                            EventLoop.yieldNow();             // other coroutines run; nobody else gets the lock
                            perLoop[id] = seen + 1;
                        });
                        results.send(job * job);              // a rendezvous with the collector, on another loop
                    }
                }).completion());
            }
            // no more results once both workers are done; close() needs no coroutine and is safe from any thread
            CompletableFuture.allOf(workers.toArray(new CompletableFuture[0])).whenComplete((v, e) -> results.close());

            long sum = second.submit(() -> {
                long s = 0;
                for (ChannelIterator<Integer> it = results.iterator(); it.hasNext(); ) s += it.next();
                return s;
            }).join();
            int done = first.submit(() -> tallyLock.withLock(() -> perLoop[0] + perLoop[1])).join();
            System.out.println("sum of squares of 1.." + n + " = " + sum + " (expected "
                    + (long) n * (n + 1) * (2L * n + 1) / 6 + "), " + done + " jobs tallied: " + perLoop[0]
                    + " by worker 0, " + perLoop[1] + " by worker 1");
        }
    }
}
