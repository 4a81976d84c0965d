package dev.spindle.agent;

import java.util.List;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.SimpleVerifier;

/**
 * ASM's {@link SimpleVerifier} answering its type questions from the {@link ClassHierarchy} (class files read as
 * resources) instead of loading classes. Like the JVM's verifier, it lets any reference stand where an interface
 * is expected.
 */
final class HierarchyVerifier extends SimpleVerifier {
    private final ClassHierarchy hierarchy;
    /** The hints of the method being analyzed. */
    TypeHints hints = TypeHints.NONE;
    /**
     * Takes every reference for a subtype of what is expected: while supertypes are learned from a method whose
     * merges the agent could not compute yet, so that its analysis runs to the end (see {@link LearnedSupertypes}).
     */
    boolean lenient;

    HierarchyVerifier(ClassHierarchy hierarchy, Type currentClass, Type currentSuper, List<Type> interfaces,
                      boolean isInterface) {
        super(Opcodes.ASM9, currentClass, currentSuper, interfaces, isInterface);
        this.hierarchy = hierarchy;
    }

    @Override
    protected boolean isInterface(Type type) {
        return type.getSort() == Type.OBJECT && hierarchy.isInterface(type.getInternalName());
    }

    @Override
    protected Type getSuperClass(Type type) {
        if (type.getSort() != Type.OBJECT) return Type.getObjectType("java/lang/Object");
        String s = hierarchy.superName(type.getInternalName());
        return s == null ? null : Type.getObjectType(s);
    }

    @Override
    protected boolean isAssignableFrom(Type sup, Type sub) {
        if (sup.equals(sub)) return true;
        if (sup.getSort() == Type.OBJECT && sup.getInternalName().equals("java/lang/Object")) return true;
        if (sub.getSort() == Type.ARRAY) {
            if (sup.getSort() == Type.ARRAY) {
                Type a = elementOf(sup), b = elementOf(sub);
                if (a.getSort() < Type.ARRAY || b.getSort() < Type.ARRAY) return a.equals(b);
                return isAssignableFrom(a, b);
            }
            String n = sup.getInternalName();
            return n.equals("java/lang/Cloneable") || n.equals("java/io/Serializable");
        }
        if (sup.getSort() == Type.ARRAY) return false;
        if (sub.getSort() != Type.OBJECT || sup.getSort() != Type.OBJECT) return false;
        return hierarchy.isAssignable(sup.getInternalName(), sub.getInternalName());
    }

    private static Type elementOf(Type array) {
        return Type.getType(array.getDescriptor().substring(1));
    }

    /**
     * Merges of unknown classes, as the frame writer merges them; and of arrays of references element by element,
     * so that {@code int[][]} and {@code long[][]} make an {@code Object[]} (ASM's would make an {@code Object}, on
     * which javac's {@code invokevirtual [Ljava/io/Serializable;.clone()} does not verify).
     */
    @Override
    public BasicValue merge(BasicValue v, BasicValue w) {
        if (!v.equals(w) && v.getType() != null && w.getType() != null) {
            Type a = v.getType(), b = w.getType();
            if (a.getSort() == Type.ARRAY && b.getSort() == Type.ARRAY && isReference(elementOf(a))
                    && isReference(elementOf(b))) {
                Type elements = merge(newValue(elementOf(a)), newValue(elementOf(b))).getType();
                if (elements != null && isReference(elements)) {
                    return newValue(Type.getType("[" + elements.getDescriptor()));
                }
            }
            if (isClass(a) && isClass(b) && !a.equals(b) && (unknown(a) || unknown(b))) {
                return newValue(Type.getObjectType(hierarchy.commonSuperClass(a.getInternalName(),
                        b.getInternalName(), hints)));
            }
        }
        return super.merge(v, w);
    }

    private static boolean isClass(Type t) {
        return t.getSort() == Type.OBJECT && !t.getInternalName().equals("null");
    }

    private boolean unknown(Type t) {
        return t.getSort() == Type.OBJECT && hierarchy.find(t.getInternalName()) == null;
    }

    /**
     * javac has type-checked the code already; this only has to avoid rejecting it. So, as the JVM's verifier,
     * any reference fits an interface, and a class the hierarchy cannot read fits anything.
     */
    @Override
    protected boolean isSubTypeOf(BasicValue value, BasicValue expected) {
        Type e = expected.getType(), t = value.getType();
        if (e.getSort() != Type.OBJECT && e.getSort() != Type.ARRAY || !value.isReference()) {
            return super.isSubTypeOf(value, expected);
        }
        if (lenient) return true;
        if (t.getSort() == Type.OBJECT && t.getInternalName().equals("null")) return true;
        return fits(t, e);
    }

    /**
     * Whether a reference of type {@code t} fits where {@code e} is expected, by the JVM verifier's rules: an
     * interface takes any reference, also as the element of an array ({@code Object[]} fits {@code Named[]}).
     */
    private boolean fits(Type t, Type e) {
        if (e.getSort() == Type.OBJECT && (isInterface(e) || unknown(e))) return true;
        if (unknown(t) || t.getSort() == Type.ARRAY && unknown(t.getElementType())) return true;
        if (e.getSort() == Type.ARRAY && t.getSort() == Type.ARRAY) {
            Type ea = elementOf(e), ta = elementOf(t);
            if (isReference(ea) && isReference(ta)) return fits(ta, ea);
        }
        return isAssignableFrom(e, t);
    }

    private static boolean isReference(Type t) {
        return t.getSort() == Type.OBJECT || t.getSort() == Type.ARRAY;
    }

    @Override
    protected Class<?> getClass(Type type) {
        throw new UnsupportedOperationException("the agent never loads classes: " + type);
    }
}
