/**
 * Internals shared by the runtime and the code the agent generates. Nothing here is API: names and
 * signatures change whenever the agent changes, and only instrumented code should call them.
 *
 * <p>How a suspension works: {@link dev.spindle.internal.Hooks#suspend()} (what a {@code Coroutine.yield()}
 * becomes) marks the thread's {@link dev.spindle.internal.Carrier} as unwinding and returns it to the yielding
 * frame, which saves itself. Each instrumented caller checks {@link
 * dev.spindle.internal.Hooks#unwinding()} after every call, and when its own thread is unwinding it saves its
 * locals and operand stack into the coroutine's frame arrays and returns at once, and so on up to the driver in
 * {@link dev.spindle.internal.Continuation}. Resuming re-enters only the innermost saved frame, through its
 * {@link dev.spindle.internal.Resumer}; when that frame returns, the driver hands its result to the next saved
 * frame, so a resume costs the same at any depth. The {@code invokedynamic} bootstraps of instrumented code are
 * here too: {@link dev.spindle.internal.ResumerFactory} makes a method's resumers, and
 * {@link dev.spindle.internal.ClassInitTrigger} initializes a class where the agent moved its {@code new}.
 */
package dev.spindle.internal;
