package dev.spindle.agent;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * The agent's transformer: picks the classes to look at, hands them to {@link ClassInstrumenter}, and never lets
 * anything escape (a failure is logged with the class name and the class is left as it was).
 */
final class SpindleTransformer implements ClassFileTransformer {
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();
    private final AgentOptions options;
    private final ModuleReads moduleReads;
    private final LostToOverflow lostToOverflow = new LostToOverflow();

    SpindleTransformer(AgentOptions options, ModuleReads moduleReads) {
        this.options = options;
        this.moduleReads = moduleReads;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        try {
            return transformInModule(module, loader, className, redefined, domain, bytes);
        } catch (Throwable outOfStack) {
            // Only an overflow gets here, or an OutOfMemoryError (every other failure is caught below): no call
            // can be made, so the class's name is kept for the next transform to report.
            lostToOverflow.names[lostToOverflow.count++ & LostToOverflow.MASK] = className;
            return null;
        }
    }

    private byte[] transformInModule(Module module, ClassLoader loader, String className, Class<?> redefined,
                                     ProtectionDomain domain, byte[] bytes) {
        byte[] out = transform(loader, className, redefined, domain, bytes);
        if (out == null || !module.isNamed()) return out;
        try {
            if (moduleReads.readRuntime(module)) return out;
            Log.warn("class " + className.replace('/', '.') + " is left as it was: its module " + module.getName()
                    + " cannot load Spindle's runtime through its class loader (a module layer's loader finds only"
                    + " the packages of the modules its module read when the layer was defined, and it does not"
                    + " require spindle.runtime), so a suspension through its methods is refused only at the next"
                    + " rewritten frame, if there is one, and goes undetected if not. Add"
                    + " 'requires spindle.runtime' to module " + module.getName());
            return null;
        } catch (Throwable t) {
            try {
                Log.warn("could not let module " + module.getName() + " read Spindle's runtime (" + t + "): its"
                        + " class " + className.replace('/', '.') + " may fail with an IllegalAccessError; add"
                        + " 'requires spindle.runtime' to the module");
            } catch (Throwable cannotEvenLog) {
                // nothing may escape a transformer
            }
            return out;
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) {
        if (className == null || redefined != null || skipped(loader, className)) return null;
        lostToOverflow.report();
        try {
            ClassHierarchy hierarchy = new ClassHierarchy(loader, options);
            ClassInfo info = ClassInfo.read(bytes);
            hierarchy.remember(info);
            byte[] out = new ClassInstrumenter(hierarchy, options).instrument(bytes, info);
            if (out != null && options.dumpDir() != null) dump(className, out);
            return out;
        } catch (Throwable t) {
            try {
                Log.warn("could not instrument class " + className.replace('/', '.') + ": " + t + "; it is loaded"
                        + " unchanged, its methods cannot suspend, and a suspension through one of them may go"
                        + " undetected (its caller would take the placeholder for the result)");
                if (options.verbose()) t.printStackTrace();
            } catch (Throwable cannotEvenLog) {
                // out of stack (a class loaded by a thread at the end of its stack) or memory: nothing may escape
                lostToOverflow.names[lostToOverflow.count++ & LostToOverflow.MASK] = className;
            }
            return null;
        }
    }

    private void dump(String className, byte[] bytes) {
        try {
            java.nio.file.Path file = java.nio.file.Path.of(options.dumpDir(), className + ".class");
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, bytes);
        } catch (java.io.IOException e) {
            Log.warn("could not dump " + className + ": " + e);
        }
    }

    /**
     * JDK classes (those of the boot and platform loaders, whatever their package), Spindle's own internals and
     * the agent itself are never instrumented.
     */
    static boolean skipped(ClassLoader loader, String name) {
        return loader == null || loader == PLATFORM || ClassHierarchy.isJdk(name)
                || name.startsWith("dev/spindle/internal/") || name.startsWith("dev/spindle/agent/")
                || name.equals("dev/spindle/Coroutine")
                || name.equals("dev/spindle/Spindle");
    }
}
