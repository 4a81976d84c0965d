/**
 * The Java agent that rewrites {@code @Suspendable} methods into resumable state machines.
 *
 * <p>{@code SpindleAgent} is the entry point ({@code premain}, {@code agentmain}, self-attach through Byte
 * Buddy); {@code SpindleTransformer} picks the classes to look at and never lets a failure escape;
 * {@code ClassInstrumenter} rewrites one class and {@code MethodInstrumenter} one method (the method keeps its
 * code plus a save path after each suspendable call and a guard at each exception handler; a static resume
 * copy restores a saved frame, or several where one would pass the JVM's 64 KB limit: {@code CodeSize} estimates
 * their size and {@code OversizedMethods} keeps what the class's earlier attempts found too large).
 * {@code MethodReferenceAdapters} gives an instrumented adapter method to a method
 * reference whose lambda proxy would unbox a suspended call's placeholder, or whose target is the JDK's.
 * {@code SuspendableRules} decides what is suspendable; {@code ClassHierarchy} and {@code ClassInfo} answer type
 * questions from class files read as resources, never loading a class; {@code FlowAnalyzer} (types, liveness,
 * monitors), {@code NewRelocator}, {@code HierarchyVerifier} and {@code HierarchyClassWriter} serve the rewrite,
 * with {@code TypeHints} and {@code LearnedSupertypes} for classes whose class files cannot be read (what a
 * method's catch clauses and the class's own stack map frames tell of them). ASM and Byte Buddy are shaded under {@code dev.spindle.agent.shaded}.
 */
package dev.spindle.agent;
