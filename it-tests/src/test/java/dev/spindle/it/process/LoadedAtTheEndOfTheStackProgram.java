package dev.spindle.it.process;

import static org.objectweb.asm.Opcodes.V17;

import dev.spindle.Coroutine;
import dev.spindle.SuspendableCallable;
import dev.spindle.it.AsmClasses;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM's program: loads classes whose {@code call()} yields from each of the frames nearest the end of the
 * stack, where the agent's transformer overflows for some of them, then resumes one coroutine of each class that
 * loaded and prints {@code REFUSED <class>} for those left unrewritten. The parent checks the agent said which.
 */
public final class LoadedAtTheEndOfTheStackProgram {
    private static final int CLASSES = 300;
    private static final List<Class<?>> loaded = new ArrayList<>();
    private static final ClassLoader LOADER = new ClassLoader(LoadedAtTheEndOfTheStackProgram.class.getClassLoader()) {
        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.startsWith("gen.")) throw new ClassNotFoundException(name);
            byte[] bytes = AsmClasses.yieldingCallable(name.replace('.', '/'), V17);
            return defineClass(name, bytes, 0, bytes.length);
        }
    };
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
