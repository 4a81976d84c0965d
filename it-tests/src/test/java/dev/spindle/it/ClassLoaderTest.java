package dev.spindle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableCallable;
import dev.spindle.SuspendableRunnable;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Classes compiled at run time and loaded by loaders other than the application class loader. */
class ClassLoaderTest {
    private static final String THREE_LEVELS = """
            package gen;

            import dev.spindle.Coroutine;
            import dev.spindle.Suspendable;
            import dev.spindle.SuspendableRunnable;
            import java.util.List;

            public class ThreeLevels implements SuspendableRunnable {
                private final List<String> log;

                public ThreeLevels(List<String> log) {
                    this.log = log;
                }

                @Suspendable
                static void pause() {
                    if (Coroutine.current() != null) {
                        Coroutine.yield();
                    }
                }

                @Override
                public void run() {
                    long t = a(10);
                    log.add("result " + t);
                }

                @Suspendable
                long a(int x) {
                    long r = x + b(x * 2);
                    log.add("a " + r);
                    pause();
                    return r;
                }

                @Suspendable
                long b(int x) {
                    double d = x / 4.0;
                    long r = (long) (d * 100) + c(x + 1);
                    log.add("b " + r);
                    pause();
                    return r;
                }

                @Suspendable
                long c(int x) {
                    log.add("c " + x);
                    pause();
                    return x * 1000L;
                }
            }
            """;

    @Test
    void classFromAFreshUrlClassLoader(@TempDir Path dir) throws Exception {
        byte[] bytes = RuntimeCompiler.compile(Map.of("gen.ThreeLevels", THREE_LEVELS)).get("gen.ThreeLevels");
        Files.createDirectories(dir.resolve("gen"));
        Files.write(dir.resolve("gen/ThreeLevels.class"), bytes);
        ClassLoader parent = getClass().getClassLoader();
        assertThrows(ClassNotFoundException.class, () -> Class.forName("gen.ThreeLevels", false, parent));

        try (URLClassLoader loader = new URLClassLoader("spindle-test-urls", new URL[] {dir.toUri().toURL()},
                parent)) {
            Class<?> cls = loader.loadClass("gen.ThreeLevels");
            assertSame(loader, cls.getClassLoader());

            List<String> expected = new ArrayList<>();
            ((SuspendableRunnable) cls.getConstructor(List.class).newInstance(expected)).run();

            List<String> log = new ArrayList<>();
            Coroutine co = new Coroutine((SuspendableRunnable) cls.getConstructor(List.class).newInstance(log));
            List<Integer> logSizes = new ArrayList<>();
            List<String> firstTrace = null;
            while (co.resume()) {
                logSizes.add(log.size());
                if (firstTrace == null) {
                    firstTrace = Arrays.stream(co.stackTrace()).limit(5)
                            .map(e -> e.getClassName() + "." + e.getMethodName()).toList();
                }
            }
            assertEquals(expected, log);
            // one entry is logged before each of the 3 suspensions (in c, then b, then a)
            assertEquals(List.of(1, 2, 3), logSizes);
            assertEquals(List.of("gen.ThreeLevels.pause", "gen.ThreeLevels.c", "gen.ThreeLevels.b",
                    "gen.ThreeLevels.a", "gen.ThreeLevels.run"), firstTrace);
        }
    }

    private static final String BASE = """
            package gen;

            import dev.spindle.Coroutine;
            import dev.spindle.Suspendable;
            import dev.spindle.SuspendableCallable;

            public abstract class Base implements SuspendableCallable<String> {
                @Suspendable
                protected static void pause() {
                    if (Coroutine.current() != null) {
                        Coroutine.yield();
                    }
                }

                @Suspendable
                protected abstract String step(int k);

                @Override
                public String call() { // suspendable: it implements SuspendableCallable.call
                    StringBuilder sb = new StringBuilder();
                    for (int k = 0; k < 3; k++) {
                        sb.append(step(k)).append(',');
                        pause();
                    }
                    return sb.toString();
                }
            }
            """;

    private static final String DERIVED = """
            package gen;

            public class Derived extends Base {
                @Override
                protected String step(int k) { // suspendable only because Base.step is
                    String s = "s" + k;
                    long wide = k * 1_000_000_000_000L;
                    pause();
                    return s + ":" + wide;
                }
            }
            """;

    /** A {@link BytesLoader} of the class {@code className} compiled from {@code source}. */
    private BytesLoader bytesLoaderOf(String className, String source) {
        return new BytesLoader(getClass().getClassLoader(), RuntimeCompiler.compile(Map.of(className, source)));
    }

    @SuppressWarnings("unchecked")
    private static SuspendableCallable<String> newCallable(ClassLoader loader, String className) throws Exception {
        return (SuspendableCallable<String>) loader.loadClass(className).getConstructor().newInstance();
    }

    /** Defines classes from bytes, on request or when asked to load one; it shows no class files as resources. */
    static final class BytesLoader extends ClassLoader {
        private final Map<String, byte[]> classes;
        /** The classes defined, in order. */
        final List<String> defined = new ArrayList<>();

        BytesLoader(ClassLoader parent, Map<String, byte[]> classes) {
            super("spindle-test-bytes", parent);
            this.classes = classes;
        }

        Class<?> define(String name) {
            defined.add(name);
            byte[] bytes = classes.get(name);
            return defineClass(name, bytes, 0, bytes.length);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!classes.containsKey(name)) {
                throw new ClassNotFoundException(name);
            }
            return define(name);
        }
    }

    /**
     * An inner class calls a protected suspendable method its outer class inherits from another package: javac
     * goes through a synthetic accessor in the outer class, which the agent rewrites while the superclass is not
     * defined yet (a loader that serves no class files), so it cannot know whether the method is suspendable.
     */
    @Test
    void accessorOfAnInheritedProtectedMethodWhoseClassIsNotDefinedYet() throws Exception {
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(), RuntimeCompiler.compile(Map.of(
                "genb.Base", """
                        package genb;
                        import dev.spindle.Coroutine;
                        import dev.spindle.Suspendable;
                        public class Base {
                            @Suspendable
                            protected long twice(long x) {
                                if (Coroutine.current() != null) Coroutine.yield();
                                return x * 2;
                            }
                        }
                        """,
                "gen.Protected", """
                        package gen;
                        import dev.spindle.Suspendable;
                        import dev.spindle.SuspendableCallable;
                        public class Protected extends genb.Base implements SuspendableCallable<String> {
                            class Inner {
                                @Suspendable
                                long go(long v) { return twice(v) + 1; }
                            }
                            @Override
                            public String call() { return "" + new Inner().go(5); }
                        }
                        """)));
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> callable = (SuspendableCallable<String>) loader.loadClass("gen.Protected")
                .getConstructor().newInstance();
        assertEquals(List.of("gen.Protected", "genb.Base"), loader.defined.subList(0, 2));
        Co.Run<String> run = Co.inCoroutine(callable);
        assertEquals("11", run.value());
        assertEquals(1, run.suspensions());
    }

    /**
     * A method reference of a suspendable interface makes its target suspendable only if the agent sees the
     * reference before the target's class is defined. Defined first, the target stays plain, and a suspension
     * through it is refused (never a wrong result: a plain method that calls no suspendable one has no check of
     * its own), with the advice to mark it.
     */
    @ParameterizedTest
    @CsvSource({"genla, true", "genlb, false"})
    void aReferenceToAPlainMethodOfAClassDefinedBeforeItIsRefusedNotWrong(String pkg, boolean targetFirst)
            throws Exception {
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(), RuntimeCompiler.compile(Map.of(
                pkg + ".Lib", """
                        package PKG;
                        import java.util.function.Supplier;
                        public class Lib {
                            public static String wrap(Supplier<String> s) { return "[" + s.get() + "]"; }
                        }
                        """.replace("PKG", pkg),
                pkg + ".Use", """
                        package PKG;
                        import dev.spindle.*;
                        import java.util.function.Supplier;
                        public class Use implements SuspendableCallable<String> {
                            interface Wrap { @Suspendable String apply(Supplier<String> s); }
                            @Suspendable static String pausing() {
                                if (Coroutine.current() != null) Coroutine.yield();
                                return "v";
                            }
                            public String call() {
                                Wrap w = Lib::wrap;
                                Supplier<String> s = Use::pausing; // a plain interface: nothing checks in between
                                return w.apply(s);
                            }
                        }
                        """.replace("PKG", pkg))));
        if (targetFirst) loader.loadClass(pkg + ".Lib");
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> use = (SuspendableCallable<String>) loader.loadClass(pkg + ".Use")
                .getConstructor().newInstance();
        assertEquals("[v]", use.call());
        Coroutine c = new Coroutine(use::call);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            while (c.resume()) {
                // on
            }
        });
        // defined first, Lib.wrap is plain; defined after, it is suspendable, but suspends through Supplier.get
        assertTrue(e.getMessage().contains(targetFirst ? "Mark " + pkg + ".Lib.wrap @Suspendable"
                : "through java.util.function.Supplier.get (called from " + pkg + ".Lib.wrap)"), e.getMessage());
    }

    /** Libraries live in javax and com.sun packages too (servlets, JNA): only the JDK's own classes are skipped. */
    @Test
    void applicationClassesInJavaxAndComSunPackagesAreInstrumented() throws Exception {
        for (String pkg : List.of("javax.spindletest", "com.sun.spindletest")) {
            BytesLoader loader = new BytesLoader(getClass().getClassLoader(), RuntimeCompiler.compile(Map.of(
                    pkg + ".Steps", "package " + pkg + ";\n" + """
                            import dev.spindle.Coroutine;
                            import dev.spindle.Suspendable;
                            import dev.spindle.SuspendableCallable;
                            public class Steps implements SuspendableCallable<String> {
                                @Suspendable
                                static int step(int i) {
                                    if (Coroutine.current() != null) Coroutine.yield();
                                    return i;
                                }
                                @Override
                                public String call() {
                                    int sum = 0;
                                    for (int i = 1; i <= 3; i++) sum += step(i);
                                    return "sum " + sum;
                                }
                            }
                            """)));
            @SuppressWarnings("unchecked")
            SuspendableCallable<String> steps = (SuspendableCallable<String>) loader.loadClass(pkg + ".Steps")
                    .getConstructor().newInstance();
            Co.Run<String> run = Co.inCoroutine(steps);
            assertEquals("sum 6", run.value(), pkg);
            assertEquals(3, run.suspensions(), pkg);
        }
    }

    /**
     * A parent-last loader whose getResource still looks in the parent first: the agent reads the parent's plain
     * p.Step for the child's @Suspendable one. The refusal says so, rather than "mark it @Suspendable".
     */
    @Test
    void aLoaderWhoseResourcesAreNotItsClassesIsNamedInTheRefusal(@TempDir Path dir) throws Exception {
        Path parentDir = Files.createDirectories(dir.resolve("parent"));
        Path childDir = Files.createDirectories(dir.resolve("child"));
        writeClasses(parentDir, RuntimeCompiler.compile(
                Map.of("p.Step", "package p; public interface Step { int step(int x); }")));
        writeClasses(childDir, RuntimeCompiler.compile(Map.of(
                "p.Step", "package p; public interface Step { @dev.spindle.Suspendable int step(int x); }",
                "p.Impl", """
                        package p;
                        public class Impl implements Step {
                            @dev.spindle.Suspendable
                            public int step(int x) { dev.spindle.Coroutine.yield(); return x + 1; }
                        }
                        """,
                "p.Runner", """
                        package p;
                        public class Runner implements dev.spindle.SuspendableCallable<String> {
                            public String call() { Step s = new Impl(); return "" + s.step(1); }
                        }
                        """)));
        try (URLClassLoader parent = new URLClassLoader(new URL[] {parentDir.toUri().toURL()},
                getClass().getClassLoader());
             URLClassLoader child = new URLClassLoader(new URL[] {childDir.toUri().toURL()}, parent) {
                 @Override
                 protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                     if (!name.startsWith("p.")) return super.loadClass(name, resolve);
                     synchronized (getClassLoadingLock(name)) { // its own classes first; resources as usual
                         Class<?> c = findLoadedClass(name);
                         return c != null ? c : findClass(name);
                     }
                 }
             }) {
            @SuppressWarnings("unchecked")
            SuspendableCallable<String> runner = (SuspendableCallable<String>) child.loadClass("p.Runner")
                    .getConstructor().newInstance();
            Coroutine c = new Coroutine(runner::call);
            IllegalStateException e = assertThrows(IllegalStateException.class, c::resume);
            assertTrue(e.getMessage().contains("p.Runner.call called it through p.Step.step, which is not"
                    + " @Suspendable in the class file the Spindle agent read for p.Step"), e.getMessage());
            assertTrue(e.getMessage().contains("getResource"), e.getMessage());
        }
    }

    private static void writeClasses(Path root, Map<String, byte[]> classes) throws IOException {
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            Path file = root.resolve(e.getKey().replace('.', '/') + ".class");
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue());
        }
    }

    @Test
    void classDefinedFromBytesWhoseSupertypeWasDefinedEarlierInTheSameLoader() throws Exception {
        Map<String, byte[]> classes = RuntimeCompiler.compile(Map.of("gen.Base", BASE, "gen.Derived", DERIVED));
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(), classes);
        Class<?> base = loader.define("gen.Base");
        Class<?> derived = loader.define("gen.Derived");
        assertSame(base, derived.getSuperclass());
        assertNull(loader.getResource("gen/Base.class"), "the supertype is known only as a defined class");

        @SuppressWarnings("unchecked")
        SuspendableCallable<String> callable =
                (SuspendableCallable<String>) derived.getConstructor().newInstance();
        String expected = callable.call();
        Co.Run<String> run = Co.inCoroutine(callable);
        assertEquals(expected, run.value());
        // each of the 3 steps suspends once in Derived.step and once in Base.call
        assertEquals(6, run.suspensions());
        assertTrue(expected.startsWith("s0:0,s1:"), expected);
    }

    private static final String OP = """
            package gen;

            import dev.spindle.Suspendable;

            public interface Op<X> {
                @Suspendable
                X apply(X x);
            }
            """;

    private static final String OP_BASE = """
            package gen;

            import dev.spindle.Coroutine;

            public abstract class OpBase implements Op<Integer> {
                @Override
                public Integer apply(Integer x) { // suspendable: Op.apply's bridge calls it
                    Coroutine.yield();
                    return x * 3;
                }
            }
            """;

    private static final String OP_SUB = """
            package gen;

            import dev.spindle.Coroutine;
            import dev.spindle.SuspendableCallable;

            public class OpSub extends OpBase implements SuspendableCallable<String> {
                @Override
                public Integer apply(Integer x) { // suspendable only because OpBase.apply is
                    long wide = x * 1_000_000_000_000L;
                    int s = super.apply(x);
                    Coroutine.yield();
                    return s + (int) (wide / 1_000_000_000_000L);
                }

                @Override
                public String call() {
                    Op<Integer> op = this;
                    return op.apply(2) + "," + apply(5);
                }
            }
            """;

    /**
     * The JVM defines a class before its supertypes, so a loader that shows no class files has the agent rewrite
     * OpSub before it can know that OpBase.apply, which OpSub.apply overrides, is suspendable (through a bridge
     * of an interface it cannot see either). It takes every method of OpSub that may override one as suspendable.
     */
    @Test
    void classDefinedFromBytesBeforeItsSupertypesInTheSameLoader() throws Exception {
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.Op", OP, "gen.OpBase", OP_BASE, "gen.OpSub", OP_SUB)));
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> sub =
                (SuspendableCallable<String>) loader.loadClass("gen.OpSub").getConstructor().newInstance();
        assertEquals(List.of("gen.OpSub", "gen.OpBase", "gen.Op"), loader.defined);
        assertNull(loader.getResource("gen/OpBase.class"), "the supertypes are known only once defined");

        // each apply suspends in OpBase.apply, then in OpSub.apply: (2 * 3 + 2), (5 * 3 + 5)
        assertEquals(new Co.Run<>("8,20", 4), Co.inCoroutine(sub));
    }

    private static final String MERGES = """
            package genmerge;

            import dev.spindle.Coroutine;
            import dev.spindle.Suspendable;
            import dev.spindle.SuspendableCallable;

            abstract class Shape {
                @Suspendable
                abstract int area();
            }

            interface Tagged {
                @Suspendable
                int tag();
            }

            final class Square extends Shape implements Tagged {
                int area() { Main.pause(); return 1; }
                public int tag() { return 10; }
            }

            final class Circle extends Shape implements Tagged {
                int area() { return 2; }
                public int tag() { Main.pause(); return 20; }
            }

            public class Main implements SuspendableCallable<String> {
                @Suspendable
                static void pause() {
                    if (Coroutine.current() != null) Coroutine.yield();
                }

                public String call() {
                    int total = 0;
                    for (int k = 0; k < 4; k++) {
                        Tagged t = k % 2 == 0 ? new Circle() : new Square();
                        total += t.tag();
                        Shape s = k % 2 == 0 ? new Square() : new Circle();
                        pause();
                        total += s.area() * 100;
                        Shape[] shapes = k > 1 ? new Square[] {new Square()} : new Circle[] {new Circle()};
                        pause();
                        total += shapes[0].area() * (k > 2 ? 1000 : 1);
                    }
                    return "total " + total;
                }
            }
            """;

    /**
     * Main is defined before the classes its values merge into a Shape (the JVM loads them as it verifies or runs
     * Main), and the loader shows no class files, so the agent cannot read how they are related: it learns it
     * from javac's frames, where the merged value is a Shape, and keeps it a Shape across the suspensions. The
     * same two classes also merge as a Tagged, learned first: merged as the class, they fit both.
     */
    @Test
    void valuesOfClassesNotDefinedYetMergedAcrossSuspensions() throws Exception {
        BytesLoader loader = bytesLoaderOf("genmerge.Main", MERGES);
        SuspendableCallable<String> main = newCallable(loader, "genmerge.Main");
        assertEquals("genmerge.Main", loader.defined.get(0));
        String expected = main.call();
        // areas 100 + 200 + 100 + 200, tags 20 + 10 + 20 + 10, array elements 2 + 2 + 1 + 1000
        assertEquals("total 1665", expected);
        // Main pauses twice a round; Square.area pauses (rounds 0 and 2, and in the array in 2 and 3), and
        // Circle.tag (rounds 0 and 2): 8 + 4 + 2
        assertEquals(new Co.Run<>(expected, 14), Co.inCoroutine(main));
    }

    private static final String FIELD_AND_CATCH_MERGES = """
            package genfieldmerge;

            import dev.spindle.*;

            class Base {
                public int f = 7;

                int side() { return 1; }

                @Suspendable
                static int pick(boolean left) {
                    int side = (left ? new Left() : new Right()).side(); // a merge of Base's own subclasses
                    Main.pause();
                    return side;
                }
            }

            class Left extends Base {
            }

            class Right extends Base {
                @Override
                int side() { return 2; }
            }

            class Refused extends RuntimeException {
                Refused(String m) { super(m); }
            }

            class Failed extends Exception {
                Failed(String m) { super(m); }
            }

            public class Main implements SuspendableCallable<String> {
                @Suspendable
                static void pause() {
                    if (Coroutine.current() != null) Coroutine.yield();
                }

                @Suspendable
                static String attempt(int k) {
                    try {
                        pause();
                        if (k == 1) throw new Refused("refused");
                        if (k == 2) throw new Failed("failed");
                        return "ok";
                    } catch (Refused | Failed e) {
                        pause();
                        return e.getMessage();
                    }
                }

                public String call() {
                    StringBuilder out = new StringBuilder();
                    for (int k = 0; k < 3; k++) {
                        Base b = k % 2 == 0 ? new Left() : new Right();
                        pause();
                        out.append(b.f).append(' ').append(attempt(k)).append(' ').append(Base.pick(k == 1)).append(' ');
                    }
                    return out.toString().trim();
                }
            }
            """;

    /**
     * Two shapes the agent once got wrong while Main's supertypes were undefined and unreadable: values merged
     * as a class used only through a field (that class's kind, class or interface, was unknown: the agent's merge
     * threw and Main was left unrewritten), and a multi-catch of two such exceptions (the handler's exception is
     * the alternatives' common supertype in javac's frames; the rewrite called getMessage on a Throwable), and
     * values of two subclasses merged in a method of their superclass, defined before them.
     */
    @Test
    void fieldOnlyMergesAndMultiCatchesOfClassesNotDefinedYet() throws Exception {
        BytesLoader loader = bytesLoaderOf("genfieldmerge.Main", FIELD_AND_CATCH_MERGES);
        SuspendableCallable<String> main = newCallable(loader, "genfieldmerge.Main");
        assertEquals("genfieldmerge.Main", loader.defined.get(0));
        String expected = main.call();
        assertEquals("7 ok 2 7 refused 1 7 failed 2", expected);
        // a pause per round, one in each attempt and in each pick, and one more in each of the two handlers
        assertEquals(new Co.Run<>(expected, 11), Co.inCoroutine(main));
    }

    private static final String TWO_CATCHES = """
            package gentwocatch;

            import dev.spindle.*;

            class Unchecked extends RuntimeException {
                Unchecked(String m) { super(m); }
            }

            class Checked extends Exception {
                Checked(String m) { super(m); }
            }

            enum Col { R, G, B }

            public class Main implements SuspendableCallable<String> {
                static final StringBuilder LOG = new StringBuilder();

                @Suspendable
                static void pause() {
                    if (Coroutine.current() != null) Coroutine.yield();
                }

                @Suspendable
                static int attempt(int x) throws Exception {
                    try {
                        pause();
                        if (x == 1) throw new Unchecked("u");
                        if (x == 2) throw new Checked("c");
                        pause();
                    } catch (Unchecked e) {
                        LOG.append(e.getMessage());
                        pause();
                        switch (Col.values()[x % 3]) { // javac's switch map: a synthetic class, undefined too
                            case R: LOG.append('0'); break;
                            case G: LOG.append('1'); break;
                            default: LOG.append('d');
                        }
                        if (x > 5) throw e;
                    } catch (Checked e) {
                        LOG.append(e.getMessage());
                        pause();
                    } finally {
                        pause();
                    }
                    LOG.append(x);
                    return x * 2;
                }

                public String call() {
                    LOG.setLength(0);
                    int sum = 0;
                    try {
                        for (int x = 0; x < 3; x++) sum += attempt(x);
                    } catch (Exception e) {
                        return "failed " + e;
                    }
                    return LOG + " " + sum;
                }
            }
            """;

    /**
     * Two catch clauses for exceptions of unreadable classes, whose variables javac puts in one local slot, and a
     * suspension after the try statement that ends them: both classes not defined yet, or one defined already
     * (the agent once took the known one for the merge of the two, and the JVM refused the frame after them).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void twoCatchClausesOfClassesNotDefinedYetShareALocal(boolean oneDefinedFirst) throws Exception {
        BytesLoader loader = bytesLoaderOf("gentwocatch.Main", TWO_CATCHES);
        if (oneDefinedFirst) loader.loadClass("gentwocatch.Unchecked");
        SuspendableCallable<String> main = newCallable(loader, "gentwocatch.Main");
        String expected = main.call();
        assertEquals("0u11c2 6", expected);
        assertEquals(expected, Co.inCoroutine(main).value());
    }

    private static final String TRACED = """
            package gentrace;

            import dev.spindle.*;

            public class Chain implements SuspendableCallable<String> {
                @Suspendable
                static int inner(int x) {
                    if (Coroutine.current() != null) Coroutine.yield();
                    if (x > 0) throw new IllegalStateException("after the pause");
                    return x;
                }

                @Suspendable
                static int middle(long x) {
                    return inner((int) x) + 1;
                }

                public String call() {
                    return "" + middle(1L);
                }
            }
            """;

    /** The suspended callers of a class of a named loader show the loader's name in a trace, as a thread's do. */
    @Test
    void aTraceAfterAResumeNamesTheLoaderAsAThreadsDoes() throws Exception {
        BytesLoader loader = bytesLoaderOf("gentrace.Chain", TRACED);
        SuspendableCallable<String> chain = newCallable(loader, "gentrace.Chain");
        Throwable plain = assertThrows(IllegalStateException.class, chain::call);
        Coroutine c = new Coroutine(chain::call);
        assertTrue(c.resume());
        Throwable resumed = assertThrows(IllegalStateException.class, c::resume);
        List<String> printed = printedChain(plain);
        assertEquals(List.of("spindle-test-bytes//gentrace.Chain.inner(Chain.java:9)",
                "spindle-test-bytes//gentrace.Chain.middle(Chain.java:15)"), printed);
        assertEquals(printed, printedChain(resumed));
    }

    private static List<String> printedChain(Throwable t) {
        return Arrays.stream(t.getStackTrace()).filter(e -> e.getMethodName().equals("inner")
                || e.getMethodName().equals("middle")).map(StackTraceElement::toString).toList();
    }

    private static final String PLAIN_MERGES = """
            package genplainmerge;

            abstract class Shape {
                abstract int area();
            }

            final class Square extends Shape {
                int area() { return 1; }
            }

            final class Circle extends Shape {
                int area() { return 2; }
            }

            public class Main implements java.util.function.Supplier<String> {
                static boolean square = true;

                public String get() {
                    Shape s = square ? new Square() : new Circle();
                    return "area " + s.area();
                }
            }
            """;

    /**
     * A class that names nothing of Spindle's still gets checks after calls the agent cannot rule out as
     * suspending (to classes it cannot read), so its frames are written anew, and must keep javac's merges.
     */
    @Test
    void plainClassMergingClassesNotDefinedYet() throws Exception {
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(),
                RuntimeCompiler.compile(Map.of("genplainmerge.Main", PLAIN_MERGES)));
        @SuppressWarnings("unchecked")
        Supplier<String> main = (Supplier<String>) loader.loadClass("genplainmerge.Main").getConstructor().newInstance();
        assertEquals("area 1", main.get());
    }

    /**
     * Target{suffix}.answer() is not annotated: it is suspendable as the target of Referrer{suffix}'s method
     * reference. Each test uses its own names, so what the agent learnt in one test cannot help another.
     */
    private static Map<String, String> referenceSources(String suffix) {
        String target = """
                package gen;

                public class Target%s {
                    public static int answer() {
                        dev.spindle.Coroutine.yield();
                        return 42;
                    }
                }
                """.formatted(suffix);
        String referrer = """
                package gen;

                import dev.spindle.SuspendableCallable;

                public class Referrer%s {
                    public static SuspendableCallable<Integer> reference() {
                        return Target%s::answer;
                    }
                }
                """.formatted(suffix, suffix);
        return Map.of("gen.Target" + suffix, target, "gen.Referrer" + suffix, referrer);
    }

    @SuppressWarnings("unchecked")
    private static Co.Run<Integer> callReference(BytesLoader loader, String suffix) throws Exception {
        SuspendableCallable<Integer> ref = (SuspendableCallable<Integer>) loader.loadClass("gen.Referrer" + suffix)
                .getMethod("reference").invoke(null);
        return Co.inCoroutine(ref);
    }

    @Test
    void methodReferenceToAClassLoadedAfterTheReferringClass() throws Exception {
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(),
                RuntimeCompiler.compile(referenceSources("After")));
        loader.define("gen.ReferrerAfter"); // Target is loaded only when the reference is first used
        assertEquals(new Co.Run<>(42, 1), callReference(loader, "After"));
    }

    /**
     * A documented limit: an unannotated method becomes suspendable by being the target of a method reference of
     * a suspendable interface, which the agent learns when it sees the reference. If the target's class was
     * loaded before that, it stays uninstrumented, and its suspension is refused with a message naming it.
     */
    @Test
    void methodReferenceToAClassLoadedBeforeTheReferringClassIsRefusedClearly() throws Exception {
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(),
                RuntimeCompiler.compile(referenceSources("Before")));
        loader.define("gen.TargetBefore");
        loader.define("gen.ReferrerBefore");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> callReference(loader, "Before"));
        assertTrue(e.getMessage().contains("gen.TargetBefore.answer"), e.getMessage());
        assertTrue(e.getMessage().contains("@Suspendable"), e.getMessage());
    }

    /** Class {@code gen.Many}, whose {@code call()} has {@code body}; {@code p(v)} yields and returns v. */
    private static String manySource(String body) {
        return """
                package gen;

                import dev.spindle.Coroutine;
                import dev.spindle.Suspendable;
                import dev.spindle.SuspendableCallable;

                public class Many implements SuspendableCallable<String> {
                    @Suspendable
                    static long p(long v) {
                        if (Coroutine.current() != null) {
                            Coroutine.yield();
                        }
                        return v;
                    }

                    @Override
                    public String call() {
                """ + body + "    }\n}\n";
    }

    /** A long method: many locals of all kinds live across many suspension points. */
    private static String manyPointsSource(int locals, int points, boolean suspendingInits) {
        StringBuilder src = new StringBuilder("long acc = 7;\n");
        String[] types = {"long", "int", "double", "String", "float", "boolean", "char", "Object"};
        for (int k = 0; k < locals; k++) {
            String t = types[k % types.length];
            String call = suspendingInits ? "p(" + k + ")" : "Long.parseLong(\"" + k + "\")";
            String init = switch (t) {
                case "long" -> call + " << 20";
                case "int" -> "(int) " + call + " - 3";
                case "double" -> call + " / 7.0";
                case "String" -> "\"s\" + " + call;
                case "float" -> call + " * 0.5f";
                case "boolean" -> call + " % 3 == 0";
                case "char" -> "(char) ('a' + " + call + " % 26)";
                default -> call + " % 2 == 0 ? null : java.util.List.of(" + k + ")";
            };
            src.append("        ").append(t).append(" v").append(k).append(" = ").append(init).append(";\n");
        }
        for (int k = 0; k < points; k++) {
            int v = k % locals;
            src.append("        acc = acc * 31 + p(").append(k).append(") + String.valueOf(v").append(v)
                    .append(").hashCode();\n");
        }
        src.append("        return acc");
        for (int k = 0; k < locals; k++) {
            src.append(" + \"|\" + v").append(k);
        }
        src.append(";\n");
        return manySource(src.toString());
    }

    @Test
    void manyLocalsLiveAcrossManySuspensionPoints() throws Exception {
        runMany(40, 150, true);
    }

    /**
     * Past the work ASM's analysis and frame computation allow by default (a guard against hostile input, which
     * would otherwise leave the whole class unrewritten): 50 {@code long}s live across 100 suspension points, each
     * with two more on the operand stack.
     */
    @Test
    void aMethodBeyondAsmsDefaultWorkLimitsIsRewritten() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 50; i++) body.append("long l").append(i).append(" = p(").append(i).append(");\n");
        body.append("long sum = 0;\n");
        for (int i = 0; i < 50; i++) body.append("sum += l").append(i).append(" ^ p(").append(i * 7).append(");\n");
        runSource(manySource(body.append("return \"\" + sum;\n").toString()), 100);
    }

    /** The same limits, reached by one string concatenation of 130 terms, 87 of them suspending calls. */
    @Test
    void aLongConcatenationOfSuspendingCallsIsRewritten() throws Exception {
        StringBuilder body = new StringBuilder("long w = 5; double d = 1.5;\nreturn \"\"");
        for (int i = 0; i < 130; i++) {
            body.append(i % 3 == 0 ? " + p(" + i + ")" : i % 3 == 1 ? " + w + p(" + i + ") * d" : " + \"|\" + d");
        }
        runSource(manySource(body.append(";\n").toString()), 87);
    }

    /** More live values than a method takes arguments (255 slots): the frame is saved without a saver method. */
    @Test
    void moreLiveValuesThanOneMethodCallCanPass() throws Exception {
        runMany(240, 12, false);
    }

    private void runMany(int locals, int points, boolean suspendingInits) throws Exception {
        runSource(manyPointsSource(locals, points, suspendingInits), (suspendingInits ? locals : 0) + points);
    }

    private void runSource(String source, int suspensions) throws Exception {
        BytesLoader loader = new BytesLoader(getClass().getClassLoader(),
                RuntimeCompiler.compile(Map.of("gen.Many", source)));
        @SuppressWarnings("unchecked")
        SuspendableCallable<String> many = (SuspendableCallable<String>) loader.loadClass("gen.Many")
                .getConstructor().newInstance();
        String expected = many.call();
        Co.Run<String> run = Co.inCoroutine(many);
        assertEquals(expected, run.value());
        assertEquals(suspensions, run.suspensions());
    }

    /**
     * Plugins as named modules of layers: module {@code user} calls a suspendable API of module {@code plug}
     * from plain code, and does not read Spindle's runtime itself, which the checks the agent adds after that
     * call need. Where its loader can load the runtime (one loader for the layer, or a parent loader that defines
     * the runtime's module), it is made to read it, and a suspension through its plain method is refused; with a
     * loader per module or per layer that cannot, its class is left as it was (with a warning) and runs as plain
     * code.
     */
    @ParameterizedTest
    @CsvSource({"one loader, true", "many loaders, false", "a layer each, false", "a child of the runtime's, true",
            "an application loader per module, false"})
    void namedModulesOfLayersUseASuspendableApiWithoutRequiringTheRuntime(String layout, boolean rewritten,
            @TempDir Path dir) throws Exception {
        Path runtime = runtimeJar(dir);
        Path src = dir.resolve("src"), out = dir.resolve("out");
        write(src.resolve("plug/module-info.java"), "module plug { requires spindle.runtime; exports plug; }");
        write(src.resolve("plug/plug/Api.java"), """
                package plug;
                import dev.spindle.Coroutine;
                import dev.spindle.Suspendable;
                public class Api {
                    @Suspendable
                    public static int step(int x) {
                        if (Coroutine.current() != null) Coroutine.yield();
                        return x + 1;
                    }
                    public static String run(java.util.function.IntUnaryOperator plainUser) {
                        int[] r = new int[2];
                        Coroutine c = new Coroutine(() -> r[0] = step(step(1)));
                        while (c.resume()) r[1]++;
                        return r[0] + "/" + r[1] + "/" + plainUser.applyAsInt(5);
                    }
                    public static String suspendThrough(java.util.function.IntUnaryOperator plainUser) {
                        Coroutine c = new Coroutine(() -> plainUser.applyAsInt(5));
                        try {
                            while (c.resume()) { }
                            return "not refused";
                        } catch (IllegalStateException e) {
                            return e.getMessage().contains("user.Main.plain") ? "refused" : e.getMessage();
                        }
                    }
                }
                """);
        write(src.resolve("user/module-info.java"), "module user { requires plug; exports user; }");
        write(src.resolve("user/user/Main.java"), """
                package user;
                public class Main implements java.util.function.Supplier<String> {
                    static int plain(int x) {
                        return plug.Api.step(x) * 10;
                    }
                    public String get() {
                        return plug.Api.run(Main::plain);
                    }
                    public String toString() {
                        return plug.Api.suspendThrough(Main::plain);
                    }
                }
                """);
        run("javac", "-d", out.toString(), "--module-source-path", src.toString(), "--module-path",
                runtime.toString(), "--module", "plug,user");
        ClassLoader parent = ClassLoader.getPlatformClassLoader();
        ModuleLayer layer;
        if (layout.equals("an application loader per module")) { // each delegating to those it requires
            java.lang.module.Configuration c = ModuleLayer.boot().configuration().resolve(
                    java.lang.module.ModuleFinder.of(out.resolve("plug"), out.resolve("user"), runtime),
                    java.lang.module.ModuleFinder.of(), java.util.Set.of("user"));
            ClassLoader rt = new URLClassLoader("rt", new URL[] {runtime.toUri().toURL()}, parent);
            ClassLoader plug = new PackageDelegatingLoader(out.resolve("plug"), parent, "dev.spindle.", rt);
            ClassLoader user = new PackageDelegatingLoader(out.resolve("user"), parent, "plug.", plug);
            Map<String, ClassLoader> loaders = Map.of("spindle.runtime", rt, "plug", plug, "user", user);
            layer = ModuleLayer.defineModules(c, List.of(ModuleLayer.boot()), loaders::get).layer();
        } else if (layout.equals("a child of the runtime's")) {
            java.lang.module.Configuration c = ModuleLayer.boot().configuration().resolve(
                    java.lang.module.ModuleFinder.of(runtime), java.lang.module.ModuleFinder.of(),
                    java.util.Set.of("spindle.runtime"));
            ModuleLayer runtimeLayer = ModuleLayer.boot().defineModulesWithOneLoader(c, parent);
            c = c.resolve(java.lang.module.ModuleFinder.of(out.resolve("plug"), out.resolve("user")),
                    java.lang.module.ModuleFinder.of(), java.util.Set.of("user"));
            layer = runtimeLayer.defineModulesWithOneLoader(c, runtimeLayer.findLoader("spindle.runtime"));
        } else if (layout.equals("a layer each")) {
            layer = ModuleLayer.boot();
            for (Path module : List.of(runtime, out.resolve("plug"), out.resolve("user"))) {
                java.lang.module.Configuration c = layer.configuration().resolve(
                        java.lang.module.ModuleFinder.of(module), java.lang.module.ModuleFinder.of(),
                        java.util.Set.of(module == runtime ? "spindle.runtime" : module.getFileName().toString()));
                layer = layer.defineModulesWithOneLoader(c, parent);
            }
        } else {
            java.lang.module.Configuration c = ModuleLayer.boot().configuration().resolve(
                    java.lang.module.ModuleFinder.of(out.resolve("plug"), out.resolve("user"), runtime),
                    java.lang.module.ModuleFinder.of(), java.util.Set.of("user"));
            layer = layout.equals("one loader") ? ModuleLayer.boot().defineModulesWithOneLoader(c, parent)
                    : ModuleLayer.boot().defineModulesWithManyLoaders(c, parent);
        }
        @SuppressWarnings("unchecked")
        Supplier<String> user = (Supplier<String>) layer.findLoader("user").loadClass("user.Main")
                .getConstructor().newInstance();
        assertEquals("3/2/60", user.get()); // two suspensions in plug; user's plain call runs as a plain call
        if (rewritten) assertEquals("refused", user.toString());
    }

    /** Loads the classes under {@code root}, and those of one package prefix through {@code to}. */
    private static final class PackageDelegatingLoader extends URLClassLoader {
        private final String prefix;
        private final ClassLoader to;

        PackageDelegatingLoader(Path root, ClassLoader parent, String prefix, ClassLoader to) throws IOException {
            super(new URL[] {root.toUri().toURL()}, parent);
            this.prefix = prefix;
            this.to = to;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            return name.startsWith(prefix) ? to.loadClass(name) : super.loadClass(name, resolve);
        }
    }

    /** The runtime as a jar (an automatic module, spindle.runtime), whether the tests see it as a jar or classes. */
    private static Path runtimeJar(Path dir) throws Exception {
        Path location = Path.of(Coroutine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(location)) return location;
        Path jar = dir.resolve("spindle-runtime.jar");
        run("jar", "--create", "--file", jar.toString(), "-C", location.toString(), ".");
        return jar;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void run(String tool, String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.PrintWriter printer = new java.io.PrintWriter(out);
        int status = java.util.spi.ToolProvider.findFirst(tool).orElseThrow().run(printer, printer, args);
        assertEquals(0, status, tool + " failed: " + out);
    }
}
