package dev.spindle.it.process;

import dev.spindle.Suspendable;

/** A child JVM's program: a class whose constructor carries @Suspendable, which the agent must warn about. */
public final class AnnotatedConstructorProgram {
    @Suspendable
    public AnnotatedConstructorProgram() {
    }

    public static void main(String[] args) {
        new AnnotatedConstructorProgram();
        System.out.println("constructed");
    }
}
