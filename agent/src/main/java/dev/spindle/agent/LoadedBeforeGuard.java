package dev.spindle.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;

/**
 * When the agent is attached to a running JVM ({@code Spindle.install()} or an attach), the application's classes
 * loaded before it are not instrumented, and retransforming them cannot add the methods a rewrite needs. A
 * suspendable method of such a class between two instrumented frames would run on with a suspended call's
 * placeholder result while its callers were saved as if it had been: a wrong result with no error. So each of
 * those classes that calls a suspendable method gets the check after each such call that a class the agent
 * cannot rewrite gets (it adds no method and no branch, which retransformation allows), and a suspension
 * through it is refused, naming the method and saying what to do.
 */
final class LoadedBeforeGuard implements ClassFileTransformer {
    private final AgentOptions options;

    private LoadedBeforeGuard(AgentOptions options) {
        this.options = options;
    }

    /** Guards the application's classes loaded so far (those whose class files show a call that may suspend). */
    static void guardClassesLoadedBefore(Instrumentation inst, AgentOptions options) {
        if (!inst.isRetransformClassesSupported()) {
            Log.warn("this JVM cannot retransform classes: a suspension through a method of a class loaded before"
                    + " the agent will not be refused");
            return;
        }
        LoadedBeforeGuard guard = new LoadedBeforeGuard(options);
        // one per loader, so that what it learns of a loader's classes serves every class of that loader
        Map<ClassLoader, SuspendableRules> rules = new HashMap<>();
        inst.addTransformer(guard, true);
        try {
            for (Class<?> c : inst.getAllLoadedClasses()) {
                ClassLoader loader = c.getClassLoader();
                String name = c.getName().replace('.', '/');
                if (c.isArray() || c.isHidden() || SpindleTransformer.skipped(loader, name)
                        || !inst.isModifiableClass(c) || !mayNeedGuard(loader, name, rules.computeIfAbsent(loader,
                                l -> new SuspendableRules(new ClassHierarchy(l, options))))) {
                    continue;
                }
                try {
                    inst.retransformClasses(c);
                } catch (Throwable t) {
                    Log.warn("could not add checks to " + c.getName() + ", loaded before the agent: " + t);
                }
            }
        } finally {
            inst.removeTransformer(guard);
        }
    }

    /**
     * Read from the class file, whether the class calls a method that may suspend; true if there is no class file
     * to read (then the retransformation itself tells). Retransforming costs the JVM far more than this.
     */
    private static boolean mayNeedGuard(ClassLoader loader, String name, SuspendableRules rules) {
        try (InputStream in = loader.getResourceAsStream(name + ".class")) {
            if (in == null) return true;
            return rules.callsSuspendable(new ClassReader(in.readAllBytes()));
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) {
        if (className == null || redefined == null || SpindleTransformer.skipped(loader, className)) {
            return null;
        }
        try {
            byte[] out = new ClassInstrumenter(new ClassHierarchy(loader, options), options)
                    .guardLoadedBefore(bytes, className.replace('/', '.'));
            if (out != null) {
                Log.warn("class " + className.replace('/', '.') + " was loaded before the agent was installed: its"
                        + " methods are not instrumented, and a suspension through them is refused");
            }
            return out;
        } catch (Throwable t) {
            Log.warn("could not add checks to " + className.replace('/', '.') + ", loaded before the agent: " + t);
            return null;
        }
    }
}
