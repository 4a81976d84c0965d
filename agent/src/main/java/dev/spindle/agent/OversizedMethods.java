package dev.spindle.agent;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.tree.MethodNode;

/**
 * The methods of one class that went past the JVM's 64 KB limit in its earlier rewrites, and what the next
 * rewrite does about each: a suspendable method whose resume copy was too large, although the agent's estimate
 * of its size said that it fit, has its points divided among copies that leave a wider margin; a method that is
 * too large itself once rewritten, or whose copies still are, is left as it was with only the checks after its
 * calls ({@link #tooLarge}); one too large even for those gets no room for them ({@link #noRoom}).
 */
final class OversizedMethods {
    /** At most this many resume copies a method: each may take up to 64 KB of its class, and time to make. */
    static final int MAX_COPIES = 64;
    /** How often a method's copies are made anew with a wider margin before the method is given up. */
    private static final int RETRIES = 3;

    private final Set<String> tooLarge = new HashSet<>(), noRoom = new HashSet<>();
    /** By method key: how often its copies were found too large by the class writer, where they were. */
    private final Map<String, Integer> retries = new HashMap<>();
    /** By copy key: its method's key. */
    private final Map<String, String> methodOf = new HashMap<>();

    boolean tooLarge(String methodKey) {
        return tooLarge.contains(methodKey);
    }

    boolean noRoom(String methodKey) {
        return noRoom.contains(methodKey);
    }

    /** How many bytes a resume copy of the method may take by the agent's estimate ({@link CodeSize}). */
    int room(String methodKey) {
        int room = CodeSize.LIMIT;
        for (int i = retries.getOrDefault(methodKey, 0); i > 0; i--) room = room * 7 / 8;
        return room;
    }

    /** The rewrite of {@code methodKey} made {@code made}. */
    void made(String methodKey, List<MethodNode> made) {
        for (MethodNode copy : made) methodOf.put(ClassInfo.key(copy.name, copy.desc), methodKey);
    }

    /**
     * Notes that the method or copy {@code key} went past the limit; false if nothing is left to try for it (it
     * was too large even with no room for the checks).
     */
    boolean note(String key) {
        String method = methodOf.getOrDefault(key, key);
        if (!method.equals(key) && retries.merge(method, 1, Integer::sum) <= RETRIES) return true;
        return tooLarge.add(method) || noRoom.add(method);
    }
}
