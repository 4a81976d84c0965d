package dev.spindle.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers questions about classes by name, as seen from one class loader, without loading them: the class
 * files are read as resources through that loader (and its parents) and kept in a cache per loader. Classes
 * defined from bytes with no resource behind them are known once the agent has seen them being transformed.
 */
final class ClassHierarchy {
    private static final ClassInfo UNKNOWN = ClassInfo.of("java/lang/Object", null, null, false);
    /** In a loader's cache: no class file of that name could be read through that loader. */
    private static final ClassInfo ABSENT = ClassInfo.of("java/lang/Object", null, null, false);
    private static final Map<ClassLoader, Map<String, ClassInfo>> CACHES = new WeakHashMap<>();
    private static final Map<String, ClassInfo> BOOT = new ConcurrentHashMap<>();
    private static final Map<String, Boolean> MISSING_REPORTED = new ConcurrentHashMap<>();

    private final ClassLoader loader;
    private final AgentOptions options;

    ClassHierarchy(ClassLoader loader, AgentOptions options) {
        this.loader = loader;
        this.options = options;
    }

    ClassLoader loader() {
        return loader;
    }

    private static Map<String, ClassInfo> cache(ClassLoader l) {
        if (l == null) return BOOT;
        synchronized (CACHES) {
            return CACHES.computeIfAbsent(l, k -> new ConcurrentHashMap<>());
        }
    }

    /**
     * By loader, the classes the agent has seen defined, each with the keys of its suspendable methods then
     * ({@link SuspendableRules}): a class's methods are what they were made at that moment, for good.
     */
    private static final Map<ClassLoader, Map<String, Set<String>>> DEFINED = new WeakHashMap<>();

    /** Records that a class is being defined with these suspendable method keys. */
    void defined(String name, Set<String> suspendableKeys) {
        Map<String, Set<String>> classes;
        synchronized (DEFINED) {
            classes = DEFINED.computeIfAbsent(loader, k -> new ConcurrentHashMap<>());
        }
        classes.put(name, suspendableKeys.isEmpty() ? Set.of() : Set.copyOf(suspendableKeys));
    }

    /**
     * The suspendable method keys of a class defined already, as this loader sees it (its own or a parent's), or
     * null if it is not defined yet.
     */
    Set<String> definedWith(String name) {
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            Map<String, Set<String>> classes;
            synchronized (DEFINED) {
                classes = DEFINED.get(l);
            }
            Set<String> keys = classes == null ? null : classes.get(name);
            if (keys != null) return keys;
        }
        return null;
    }

    /** Records a class the agent is transforming (it may have no class file to read later). */
    void remember(ClassInfo info) {
        cache(loader).put(info.name, info);
    }

    /**
     * Packages only the JDK defines. Not {@code javax} or {@code com.sun}: libraries live there too (servlets,
     * JNA), and the JDK's own classes of those packages are looked up like any other (they have no suspendable
     * methods) or, when transformed, recognised by their loader.
     */
    static boolean isJdk(String name) {
        return name.startsWith("java/") || name.startsWith("jdk/") || name.startsWith("sun/");
    }

    /** Top-level packages the JDK shares with libraries, besides those {@link #isJdk} names. */
    private static final String[] SHARED_PACKAGES = {"javax/", "com/sun/", "org/w3c/", "org/xml/", "org/ietf/",
            "netscape/"};
    /** By class name: whether the class file of a class in a shared package is the JDK's. */
    private static final Map<String, Boolean> JDK_IN_SHARED = new ConcurrentHashMap<>();

    /**
     * Whether {@code name} is a class of the JDK's: named so by {@link #isJdk}, or in a package the JDK shares
     * with libraries ({@code javax.security.auth.Subject}, say) with its class file in the JDK's run-time image.
     * The JDK's classes are never instrumented, so they never suspend.
     */
    boolean isJdkClass(String name) {
        if (isJdk(name)) return true;
        boolean shared = false;
        for (String p : SHARED_PACKAGES) shared |= name.startsWith(p);
        if (!shared) return false;
        return JDK_IN_SHARED.computeIfAbsent(name, n -> {
            java.net.URL url = loader != null ? loader.getResource(n + ".class")
                    : ClassLoader.getSystemResource(n + ".class");
            return url != null && url.getProtocol().equals("jrt");
        });
    }

    /** The class's facts, or null if it cannot be found. */
    ClassInfo find(String name) {
        if (name.startsWith("[")) return null;
        for (ClassLoader l = loader; ; l = l.getParent()) {
            ClassInfo info = cache(l).get(name);
            if (info != null && info != ABSENT) return info;
            if (l == null) break;
        }
        Map<String, ClassInfo> own = cache(loader);
        if (own.get(name) == ABSENT) return null;
        ClassInfo info = readResource(name);
        // a class with no class file is looked for once per loader: remember() replaces the mark if it is defined
        own.put(name, info != null ? info : ABSENT);
        if (info == null && options.verbose() && MISSING_REPORTED.putIfAbsent(name, Boolean.TRUE) == null) {
            Log.info("no class file found for " + name.replace('/', '.') + " from " + loader
                    + "; treating it as a plain subclass of Object, and the methods of its subclasses that may"
                    + " override one of its methods as suspendable");
        }
        return info;
    }

    private ClassInfo readResource(String name) {
        String resource = name + ".class";
        try (InputStream in = loader != null ? loader.getResourceAsStream(resource)
                : ClassLoader.getSystemResourceAsStream(resource)) {
            if (in == null) return null;
            return ClassInfo.readForLookup(in.readAllBytes());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    ClassInfo findOrUnknown(String name) {
        ClassInfo info = find(name);
        return info != null ? info : UNKNOWN;
    }

    boolean isInterface(String name) {
        ClassInfo info = find(name);
        return info != null && info.isInterface;
    }

    String superName(String name) {
        ClassInfo info = find(name);
        return info == null ? (name.equals("java/lang/Object") ? null : "java/lang/Object") : info.superName;
    }

    /** All supertypes of the class, itself included. */
    Set<String> supertypes(String name) {
        Set<String> out = new HashSet<>();
        collect(name, out);
        return out;
    }

    private void collect(String name, Set<String> out) {
        if (name == null || !out.add(name)) return;
        ClassInfo info = find(name);
        if (info == null) {
            out.add("java/lang/Object");
            return;
        }
        collect(info.superName, out);
        for (String i : info.interfaces) collect(i, out);
    }

    /** True if a value of class {@code sub} can be assigned to {@code sup} (both internal names, no arrays). */
    boolean isAssignable(String sup, String sub) {
        if (sup.equals(sub) || sup.equals("java/lang/Object")) return true;
        return supertypes(sub).contains(sup);
    }

    /**
     * The nearest common superclass, as the JVM's verifier would merge two types. Where the hierarchy cannot tell
     * (a class file that cannot be read): the nearest common supertype that the class's own frames show (see
     * {@link LearnedSupertypes}); failing that, {@code Throwable} for two exceptions (the unknown one named by a
     * catch clause) and {@code Object} for anything else, which are always safe for a merge that later code does
     * not use as more (and the guess noted makes the class be rewritten again with what its frames teach). Not a
     * superclass of the known one: the unknown one need not extend it.
     */
    String commonSuperClass(String a, String b, TypeHints hints) {
        boolean knowA = find(a) != null, knowB = find(b) != null;
        if (knowA && knowB) return commonSuperClass(a, b);
        String learned = hints.learned.commonSupertype(a, b, this);
        if (learned != null) return learned;
        hints.learned.noteGuess();
        String throwable = "java/lang/Throwable";
        boolean exceptions = (knowA ? isAssignable(throwable, a) : hints.isCaught(a))
                && (knowB ? isAssignable(throwable, b) : hints.isCaught(b));
        return exceptions ? throwable : "java/lang/Object";
    }

    /** The nearest common superclass, as the JVM's verifier would merge two types. */
    String commonSuperClass(String a, String b) {
        if (isAssignable(a, b)) return a;
        if (isAssignable(b, a)) return b;
        if (isInterface(a) || isInterface(b)) return "java/lang/Object";
        String s = a;
        do {
            s = superName(s);
            if (s == null) return "java/lang/Object";
        } while (!isAssignable(s, b));
        return s;
    }
}
