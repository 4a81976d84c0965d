package dev.spindle.agent;

import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * What one method's code tells of classes whose class files are nowhere to be read (defined from bytes, not
 * loaded yet): the types its catch clauses name, known to be throwables, and what the class's frames taught of
 * their supertypes ({@link LearnedSupertypes}).
 */
final class TypeHints {
    static final TypeHints NONE = new TypeHints(Set.of(), LearnedSupertypes.NONE);

    /** The catch clauses' types: classes known to be throwables even with no class file. */
    private final Set<String> caught;
    /** What the class's frames tell of the supertypes of classes with no class file. */
    final LearnedSupertypes learned;

    private TypeHints(Set<String> caught, LearnedSupertypes learned) {
        this.caught = caught;
        this.learned = learned;
    }

    /** Read from a method, with what was learned of its class. */
    static TypeHints of(MethodNode method, LearnedSupertypes learned) {
        Set<String> caught = new HashSet<>();
        for (TryCatchBlockNode t : method.tryCatchBlocks) if (t.type != null) caught.add(t.type);
        return new TypeHints(caught, learned);
    }

    boolean isCaught(String name) {
        return caught.contains(name);
    }
}
