package dev.spindle.agent;

import java.lang.instrument.Instrumentation;
import java.lang.module.ResolvedModule;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Lets a named module whose classes the agent rewrote read Spindle's runtime. The rewritten code calls
 * {@code dev.spindle.internal.Hooks} after its suspendable calls, also in a module that uses a suspendable API
 * without requiring {@code spindle-runtime} itself (a plugin's module calling another's); without a reads edge the
 * JVM would refuse those calls with an {@code IllegalAccessError}, even where nothing suspends.
 *
 * <p>A reads edge is not always enough: a module layer's class loader finds a package of another module only if
 * the module read it when the layer was defined, so in a layer of many loaders such a module cannot load the
 * runtime at all. Its classes must then be left as they are ({@link #readRuntime} says so).
 */
final class ModuleReads {
    private static final String RUNTIME_PACKAGE = "dev.spindle.internal";
    private static final String HOOKS_CLASS_FILE = "dev/spindle/internal/Hooks.class";
    private final Instrumentation inst;
    /** Per module: whether its classes can call the runtime (decided once; modules of a layer may be collected). */
    private final Map<Module, Boolean> decided = Collections.synchronizedMap(new WeakHashMap<>());

    ModuleReads(Instrumentation inst) {
        this.inst = inst;
    }

    /**
     * Adds reads edges from {@code module} to every module that may hold the runtime: a module of its layer or
     * of their parents with the runtime's package, and the unnamed modules of its loader and that loader's
     * parents (the runtime on a class path). Which one the JVM will resolve {@code Hooks} to is not known without
     * loading it, which a transformer must not do; reading one more module costs nothing.
     *
     * @return false if the module's class loader cannot load the runtime, so rewritten classes of it would fail
     */
    boolean readRuntime(Module module) {
        if (!module.isNamed()) return true;
        Boolean known = decided.get(module);
        if (known != null) return known;
        Set<Module> named = runtimeModules(module);
        boolean loads = loaderFindsRuntime(module, named);
        decided.put(module, loads);
        if (!loads) return false; // its classes are left as they are: no edge to add
        Set<Module> runtimes = new HashSet<>(named);
        for (ClassLoader l = module.getClassLoader(); l != null; l = l.getParent()) runtimes.add(l.getUnnamedModule());
        for (Module runtime : named) {
            if (!runtime.isExported(RUNTIME_PACKAGE, module)) {
                inst.redefineModule(runtime, Set.of(), Map.of(RUNTIME_PACKAGE, Set.of(module)), Map.of(), Set.of(),
                        Map.of());
            }
        }
        runtimes.removeIf(module::canRead);
        if (!runtimes.isEmpty()) inst.redefineModule(module, runtimes, Map.of(), Map.of(), Set.of(), Map.of());
        return true;
    }

    /** The named modules with the runtime's package in {@code module}'s layer and the layers above it. */
    private static Set<Module> runtimeModules(Module module) {
        Set<Module> found = new HashSet<>();
        Deque<ModuleLayer> layers = new ArrayDeque<>();
        Set<ModuleLayer> seen = new HashSet<>();
        if (module.getLayer() != null) layers.add(module.getLayer());
        while (!layers.isEmpty()) {
            ModuleLayer layer = layers.poll();
            if (!seen.add(layer)) continue;
            for (Module m : layer.modules()) {
                if (m.getPackages().contains(RUNTIME_PACKAGE)) found.add(m);
            }
            layers.addAll(layer.parents());
        }
        return found;
    }

    /**
     * Whether {@code module}'s loader would find the runtime's classes: the module read the runtime's module when
     * its layer was defined, or a loader up its chain defines that module (a layer's loader delegates the packages
     * it does not know to its parent), or has the runtime's class files (the class path, or a loader of the
     * application's own, judged by its resources since a transformer must not load classes).
     */
    private static boolean loaderFindsRuntime(Module module, Set<Module> named) {
        Optional<ResolvedModule> resolved = module.getLayer() == null ? Optional.empty()
                : module.getLayer().configuration().findModule(module.getName());
        for (Module runtime : named) {
            if (resolved.isPresent() && resolved.get().reads().stream()
                    .anyMatch(r -> r.name().equals(runtime.getName()))) {
                return true;
            }
        }
        for (ClassLoader l = module.getClassLoader(); l != null; l = l.getParent()) {
            for (Module runtime : named) {
                if (runtime.getClassLoader() == l) return true;
            }
            if (l == ClassLoader.getPlatformClassLoader()) return false; // the JDK's modules only
            if (!l.getClass().getName().equals("jdk.internal.loader.Loader")) {
                return l.getResource(HOOKS_CLASS_FILE) != null;
            }
        }
        return false;
    }
}
