/**
 * An I/O-driven scheduler: coroutines on {@link java.nio.channels.Selector}-based event loops, one coroutine
 * per connection, written like blocking code.
 *
 * <ul>
 *   <li>{@link dev.spindle.io.EventLoop}: one thread, a selector, a run queue and a timer heap; static
 *       {@code sleep}, {@code yieldNow}, {@code await}, {@code blocking} and {@code withTimeout} for its
 *       coroutines; {@link dev.spindle.io.IoCallable} and {@link dev.spindle.io.IoRunnable}, the bodies of
 *       {@code submit} and {@code withTimeout}, may throw checked exceptions such as the sockets'
 *       {@code IOException};</li>
 *   <li>{@link dev.spindle.io.EventLoopGroup}: N loops, connections spread over them;</li>
 *   <li>{@link dev.spindle.io.TcpSocket}, {@link dev.spindle.io.TcpServer},
 *       {@link dev.spindle.io.SocketInput}: suspending TCP sockets; {@link dev.spindle.io.UdpSocket}: datagrams;</li>
 *   <li>{@link dev.spindle.io.http}: a small HTTP/1.1 server built on them;</li>
 *   <li>the channels, select and locks of {@link dev.spindle.sched} ({@code Channel}, {@code Select},
 *       {@code Mutex}, {@code Condition}, {@code Semaphore}, {@code Event}, {@code Latch}): between coroutines of
 *       one loop, and thread-safely between coroutines of different loops. A coroutine that waits on one
 *       suspends and its loop runs others; a wake from another loop arrives through this loop's
 *       {@code execute}. {@code withTimeout} and shutdown withdraw such a wait, unless it had been handed its
 *       value or lock already: then it keeps it and the interruption is thrown at its next suspension.</li>
 * </ul>
 *
 * Needs the Spindle agent, like every coroutine.
 */
package dev.spindle.io;
