/**
 * Spindle's public API: coroutines for the JVM by bytecode instrumentation.
 *
 * <ul>
 *   <li>{@link dev.spindle.Suspendable}, {@link dev.spindle.SuspendableRunnable},
 *       {@link dev.spindle.SuspendableCallable}: what may suspend;</li>
 *   <li>{@link dev.spindle.Coroutine}: the primitive, resumed until it yields or ends;</li>
 *   <li>{@link dev.spindle.Generator}: Python's generators (Kotlin's sequences) on top of it;</li>
 *   <li>{@link dev.spindle.Greenlet}: symmetric coroutines, as Python's greenlet;</li>
 *   <li>{@link dev.spindle.Spindle}: installs the agent into a running JVM.</li>
 * </ul>
 * Stackless-style tasklets, channels and locks are in {@code dev.spindle.sched}; the event loop with a coroutine
 * per connection in {@code dev.spindle.io}. Everything needs the Spindle agent
 * ({@code -javaagent:spindle-agent.jar}).
 */
package dev.spindle;
