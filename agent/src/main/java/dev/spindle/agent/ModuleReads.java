package dev.spindle.agent;

import java.lang.instrument.Instrumentation;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Lets a named module whose classes the agent rewrote read Spindle's runtime. The rewritten code calls
 * {@code dev.spindle.internal.Hooks} after its suspendable calls, also in a module that uses a suspendable API
 * without requiring {@code spindle-runtime} itself (a plugin's module calling another's); without a reads edge the
 * JVM would refuse those calls with an {@code IllegalAccessError}, even where nothing suspends.
 */
final class ModuleReads {
    private static final String RUNTIME_PACKAGE = "dev.spindle.internal";
    private final Instrumentation inst;

    ModuleReads(Instrumentation inst) {
        this.inst = inst;
    }

    /**
     * Adds reads edges from {@code module} to every module that may hold the runtime: a module of its layer or
     * of their parents with the runtime's package, and the unnamed modules of its loader and that loader's
     * parents (the runtime on a class path). Which one the JVM will resolve {@code Hooks} to is not known without
     * loading it, which a transformer must not do; reading one more module costs nothing.
     */
    void readRuntime(Module module) {
        if (!module.isNamed()) return;
        Set<Module> runtimes = new HashSet<>();
        Deque<ModuleLayer> layers = new ArrayDeque<>();
        Set<ModuleLayer> seen = new HashSet<>();
        if (module.getLayer() != null) layers.add(module.getLayer());
        while (!layers.isEmpty()) {
            ModuleLayer layer = layers.poll();
            if (!seen.add(layer)) continue;
            for (Module m : layer.modules()) {
                if (m.getPackages().contains(RUNTIME_PACKAGE)) runtimes.add(m);
            }
            layers.addAll(layer.parents());
        }
        for (ClassLoader l = module.getClassLoader(); l != null; l = l.getParent()) runtimes.add(l.getUnnamedModule());
        for (Module runtime : runtimes) {
            if (runtime.isNamed() && !runtime.isExported(RUNTIME_PACKAGE, module)) {
                inst.redefineModule(runtime, Set.of(), Map.of(RUNTIME_PACKAGE, Set.of(module)), Map.of(), Set.of(),
                        Map.of());
            }
        }
        runtimes.removeIf(module::canRead);
        if (!runtimes.isEmpty()) inst.redefineModule(module, runtimes, Map.of(), Map.of(), Set.of(), Map.of());
    }
}
