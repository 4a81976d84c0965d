package dev.spindle;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that may suspend the coroutine running it.
 *
 * <p>The Spindle agent rewrites every suspendable method into a resumable state machine. A method is
 * suspendable if it carries this annotation, or if it overrides or implements a method that carries it in any
 * supertype. So declaring
 * <pre>{@code
 * interface Step { @Suspendable int step(int x); }
 * }</pre>
 * makes every implementation of {@code Step}, every lambda and every method reference of {@code Step}
 * suspendable.
 *
 * <p>A suspendable method may call {@link Coroutine#yield()} or other suspendable methods. Called outside any
 * coroutine it runs as an ordinary method. Every frame between the coroutine's body and the point of suspension
 * must be suspendable; a plain method (or JDK code such as {@code List.forEach}) in between makes the
 * suspension fail with an {@link IllegalStateException} that names the method.
 *
 * <p>The annotation has no effect on constructors and static initializers; the agent logs a warning for them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR})
public @interface Suspendable {
}
