package dev.spindle.it.process;

import static org.objectweb.asm.Opcodes.V17;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableCallable;
import dev.spindle.it.AsmClasses;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * A child JVM's program: loads classes whose {@code call()} yields from each of the frames nearest the end of the
 * stack, where the agent's transformer overflows for some of them, then from four threads at once (whose
 * transforms report what was lost), then resumes one coroutine of each class that loaded at the end of the stack
 * and prints {@code REFUSED <class>} for those left unrewritten. The parent checks the agent said which, once.
 */
public final class LoadedAtTheEndOfTheStackProgram {
    private static final int CLASSES = 300;
    private static final List<Class<?>> loaded = new ArrayList<>();
    private static final int THREADS = 4;
    private static final ClassLoader LOADER = generatingLoader();
    private static final String[] names = new String[CLASSES];
    private static int next;

    private LoadedAtTheEndOfTheStackProgram() {
    }

    public static void main(String[] args) throws Exception {
        Class.forName("gen.Warm", false, LOADER); // the loader's and the agent's own classes, at a normal depth
        int refused = 0;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < CLASSES; i++) names[i] = "gen.R" + round + "C" + i; // no linking at the stack's end
            next = 0;
            loaded.clear();
            loadOnTheWayBack();
            loadFromThreadsAtOnce(round); // the first transforms with stack to spare: each lost name logged once
            for (Class<?> c : loaded) {
                try {
                    SuspendableCallable<?> body = (SuspendableCallable<?>) c.getConstructor().newInstance();
                    new Coroutine(body::call).resume();
                } catch (IllegalStateException notRewritten) {
                    System.out.println("REFUSED " + c.getName());
                    refused++;
                }
            }
        }
        System.out.println("refused " + refused);
    }

    /** A loader of its own that defines {@code gen.*} classes whose {@code call()} yields. */
    private static ClassLoader generatingLoader() {
        return new ClassLoader(LoadedAtTheEndOfTheStackProgram.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (!name.startsWith("gen.")) throw new ClassNotFoundException(name);
                byte[] bytes = AsmClasses.yieldingCallable(name.replace('.', '/'), V17);
                return defineClass(name, bytes, 0, bytes.length);
            }
        };
    }

    /** Threads that each load a class through a loader of their own, released together. */
    private static void loadFromThreadsAtOnce(int round) throws Exception {
        CyclicBarrier together = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            ClassLoader own = generatingLoader();
            String name = "gen.R" + round + "T" + i;
            threads.add(new Thread(() -> {
                try {
                    together.await();
                    Class.forName(name, false, own);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
    }

    /** Recurses until the stack overflows, then loads a class in each of the first frames it returns to. */
    private static void loadOnTheWayBack() {
        try {
            loadOnTheWayBack();
        } catch (StackOverflowError expected) {
            // the deepest frame: from here on, each frame has a little more stack than the one below it
        }
        if (next < CLASSES) {
            try {
                loaded.add(Class.forName(names[next++], false, LOADER));
            } catch (Throwable outOfStack) {
                // not loaded at all: nothing to check
            }
        }
    }
}
