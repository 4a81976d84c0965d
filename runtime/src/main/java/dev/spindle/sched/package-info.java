/**
 * Tasklets, a round-robin scheduler, channels, select, cooperative locks, timers, and a tester of
 * interleavings: Stackless Python's model of concurrency (with Go's buffered channels and {@code select}), on
 * Spindle coroutines, on one thread.
 *
 * <table>
 *   <caption>What is where</caption>
 *   <tr><th>Stackless / Go / Python</th><th>here</th></tr>
 *   <tr><td>{@code stackless.tasklet(f)()}, {@code go f()}</td><td>{@link dev.spindle.sched.Scheduler#spawn}</td></tr>
 *   <tr><td>{@code stackless.run()}, {@code stackless.run(timeout)}</td>
 *       <td>{@link dev.spindle.sched.Scheduler#run()}, {@link dev.spindle.sched.Scheduler#run(long)}</td></tr>
 *   <tr><td>{@code stackless.schedule()}, {@code runtime.Gosched()}</td>
 *       <td>{@link dev.spindle.sched.Scheduler#schedule()}</td></tr>
 *   <tr><td>{@code tasklet.kill()}, {@code tasklet.raise_exception()}, {@code .alive}, {@code .blocked}</td>
 *       <td>{@link dev.spindle.sched.Tasklet}</td></tr>
 *   <tr><td>{@code stackless.channel()}, {@code make(chan T, n)}</td><td>{@link dev.spindle.sched.Channel}</td></tr>
 *   <tr><td>{@code for x in ch}, {@code for x := range ch}</td><td>{@link dev.spindle.sched.ChannelIterator}</td></tr>
 *   <tr><td>Go's {@code select}, Quasar's {@code Selector}</td><td>{@link dev.spindle.sched.Select}</td></tr>
 *   <tr><td>{@code threading.Lock}/{@code RLock}, {@code with lock:}</td><td>{@link dev.spindle.sched.Mutex}</td></tr>
 *   <tr><td>{@code threading.Semaphore}, {@code .Condition}, {@code .Event}; {@code CountDownLatch}</td>
 *       <td>{@link dev.spindle.sched.Semaphore}, {@link dev.spindle.sched.Condition},
 *           {@link dev.spindle.sched.Event}, {@link dev.spindle.sched.Latch}</td></tr>
 *   <tr><td>{@code time.Sleep}, {@code time.After}</td>
 *       <td>{@link dev.spindle.sched.Scheduler#sleep}, {@link dev.spindle.sched.Scheduler#after}</td></tr>
 *   <tr><td>(none)</td><td>{@link dev.spindle.sched.Interleavings}: many schedules, the first that fails,
 *       and its seed</td></tr>
 * </table>
 *
 * <p>Everything that may give up the tasklet's turn is {@link dev.spindle.Suspendable}, so every method between
 * a tasklet's body and such a call must be too. The scheduler and its tasklets belong to the one thread that
 * runs it and are not thread-safe.
 *
 * <p>The primitives ({@link dev.spindle.sched.Channel}, {@link dev.spindle.sched.Select},
 * {@link dev.spindle.sched.Mutex}, {@link dev.spindle.sched.Condition}, {@link dev.spindle.sched.Semaphore},
 * {@link dev.spindle.sched.Event}, {@link dev.spindle.sched.Latch}) also work between coroutines of
 * {@link dev.spindle.io.EventLoop}s, on one loop or across the loops (threads) of an
 * {@link dev.spindle.io.EventLoopGroup}. Each instance serves the kind of coroutine that uses it first:
 * <ul>
 *   <li>tasklets: single-threaded, no lock, exactly as described above;</li>
 *   <li>event-loop coroutines: thread-safe (a lock per primitive; a select locks its channels in a global
 *       order), a waiting coroutine suspends and its loop runs others, and a wake from another thread reaches it
 *       through its loop's {@code execute} inbox, after the turn in which it suspended, so that no wake is
 *       lost. A wait cut short by {@code EventLoop.withTimeout} or a shutdown is withdrawn, unless it had
 *       already been handed its value, lock, permit or signal, which it then keeps.</li>
 * </ul>
 * Mixing the two kinds on one instance is refused with an {@code IllegalStateException} that names it.
 */
package dev.spindle.sched;
