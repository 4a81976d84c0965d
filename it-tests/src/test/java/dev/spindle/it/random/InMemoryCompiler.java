package dev.spindle.it.random;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources held in memory into class bytes held in memory, many classes per javac task. Not
 * thread-safe: use one per thread.
 */
final class InMemoryCompiler implements AutoCloseable {
    private final JavaCompiler javac;
    private final StandardJavaFileManager files;
    private final List<String> options;

    /** The outcome of one compilation: class bytes by binary name, and the errors by source class name. */
    record Result(Map<String, byte[]> classes, Map<String, String> errors) {
        boolean ok() {
            return errors.isEmpty();
        }
    }

    InMemoryCompiler(String classPath) {
        javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
        files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        options = List.of("-classpath", classPath, "-proc:none", "-g", "-nowarn", "-Xlint:none",
                "-implicit:none", "-encoding", "UTF-8");
    }

    /**
     * The class path the generated programs compile against: where spindle-runtime's classes are, then
     * {@code java.class.path} (which under surefire may be a manifest-only jar).
     */
    static String defaultClassPath(Class<?>... anchors) {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : anchors) {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                try {
                    entries.add(Path.of(cs.getLocation().toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // ignore: java.class.path below
                }
            }
        }
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) entries.add(e);
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Compiles sources (qualified class name to source) in one javac task. */
    Result compile(Map<String, String> sources) {
        if (sources.isEmpty()) return new Result(Map.of(), Map.of());
        List<JavaFileObject> units = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) units.add(new Source(e.getKey(), e.getValue()));
        Map<String, ByteArrayOutputStream> outputs = new ConcurrentHashMap<>();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter javacOut = new StringWriter();
        ForwardingJavaFileManager<StandardJavaFileManager> fm = new ForwardingJavaFileManager<>(files) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                    FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        outputs.put(className, b);
                        return b;
                    }
                };
            }
        };
        boolean ok = javac.getTask(javacOut, fm, diagnostics, options, null, units).call();
        Map<String, String> errors = new TreeMap<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) continue;
            String cls = d.getSource() instanceof Source s ? s.className : "?";
            errors.merge(cls, "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT) + "\n", String::concat);
        }
        if (!ok && errors.isEmpty()) errors.put("?", "javac failed: " + javacOut);
        Map<String, byte[]> classes = new LinkedHashMap<>();
        outputs.forEach((k, v) -> classes.put(k, v.toByteArray()));
        return new Result(classes, errors);
    }

    @Override
    public void close() throws IOException {
        files.close();
    }

    private static final class Source extends SimpleJavaFileObject {
        final String className;
        final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.className = className;
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    /** Defines classes from bytes; everything else comes from the parent. */
    static final class MemoryClassLoader extends ClassLoader {
        private static final boolean SERVE_RESOURCES = Boolean.getBoolean("spindle.random.loaderResources");
        private final Map<String, byte[]> classes;

        MemoryClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
            super("spindle-random-programs", parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) throw new ClassNotFoundException(name);
            return defineClass(name, b, 0, b.length);
        }

        /**
         * Like most loaders of generated code, this one does not serve its classes as resources, unless system
         * property {@code spindle.random.loaderResources} is true (to tell agent bugs about classes known only once
         * defined from others).
         */
        @Override
        protected URL findResource(String name) {
            if (!SERVE_RESOURCES || !name.endsWith(".class")) return null;
            byte[] b = classes.get(name.substring(0, name.length() - 6).replace('/', '.'));
            if (b == null) return null;
            try {
                return new URL(null, "mem:/" + name, new URLStreamHandler() {
                    @Override
                    protected URLConnection openConnection(URL u) {
                        return new URLConnection(u) {
                            @Override
                            public void connect() {
                            }

                            @Override
                            public InputStream getInputStream() {
                                return new ByteArrayInputStream(b);
                            }
                        };
                    }
                });
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
