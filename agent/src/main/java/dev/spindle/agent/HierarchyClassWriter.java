package dev.spindle.agent;

import org.objectweb.asm.ClassWriter;

/** A ClassWriter that computes stack map frames with the {@link ClassHierarchy}, never loading a class. */
final class HierarchyClassWriter extends ClassWriter {
    private final ClassHierarchy hierarchy;
    /** The hints of the method being written (frames are computed as each method ends). */
    TypeHints hints = TypeHints.NONE;

    HierarchyClassWriter(ClassHierarchy hierarchy) {
        super(COMPUTE_FRAMES);
        this.hierarchy = hierarchy;
        AsmLimits.lifted(this);
    }

    @Override
    protected String getCommonSuperClass(String a, String b) {
        return hierarchy.commonSuperClass(a, b, hints);
    }

    @Override
    protected ClassLoader getClassLoader() {
        throw new UnsupportedOperationException("the agent never loads classes");
    }
}
