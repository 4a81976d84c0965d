package dev.spindle.agent;

import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * The class names javac's own stack map frames use in one method (the types it computed where paths merge), and
 * the types its catch clauses name. When two exception types must be merged and the hierarchy cannot say how,
 * because a class file is nowhere to be read (a class defined from bytes, not loaded yet), the nearest of these
 * that fits is what javac itself computed. Merges of other unknown classes take what the class's frames taught of
 * them ({@link LearnedSupertypes}), else {@code Object}.
 */
final class TypeHints {
    static final TypeHints NONE = new TypeHints(Set.of(), Set.of(), LearnedSupertypes.NONE);

    private final Set<String> names;
    /** The catch clauses' types: classes known to be throwables even with no class file. */
    private final Set<String> caught;
    /** What the class's frames tell of the supertypes of classes with no class file. */
    final LearnedSupertypes learned;

    private TypeHints(Set<String> names, Set<String> caught, LearnedSupertypes learned) {
        this.names = names;
        this.caught = caught;
        this.learned = learned;
    }

    /** Read from a method read with {@code ClassReader.EXPAND_FRAMES}, with what was learned of its class. */
    static TypeHints of(MethodNode method, LearnedSupertypes learned) {
        Set<String> names = new HashSet<>();
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof FrameNode f) {
                addAll(names, f.local);
                addAll(names, f.stack);
            }
        }
        Set<String> caught = new HashSet<>();
        for (TryCatchBlockNode t : method.tryCatchBlocks) if (t.type != null) caught.add(t.type);
        return new TypeHints(names, caught, learned);
    }

    private static void addAll(Set<String> names, java.util.List<Object> types) {
        if (types == null) return;
        for (Object t : types) {
            if (t instanceof String s && !s.startsWith("[")) names.add(s);
        }
    }

    boolean contains(String name) {
        return names.contains(name);
    }

    boolean isCaught(String name) {
        return caught.contains(name);
    }
}
