package dev.spindle.agent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.AnnotationVisitor;

/**
 * What the agent needs to know of a class without loading it: its supertypes, which of its methods carry
 * {@code @Suspendable}, which methods its bridges call, and the lambdas and method references it creates.
 * Read from class-file bytes.
 */
final class ClassInfo {
    static final String SUSPENDABLE_DESC = "Ldev/spindle/Suspendable;";
    static final String LAMBDA_METAFACTORY = "java/lang/invoke/LambdaMetafactory";

    /** A lambda or method reference: the interface method it implements and the method it calls. */
    record Lambda(String iface, String samName, String samDesc, Handle impl) {
    }

    final String name;
    final String superName;
    final String[] interfaces;
    final boolean isInterface;
    /** name+desc of methods annotated @Suspendable. */
    final Set<String> annotated = new HashSet<>();
    /** name+desc of every declared method. */
    final Set<String> declared = new HashSet<>();
    /** name+desc of the declared methods that may override one of a supertype: not static, private or special. */
    final Set<String> overriding = new HashSet<>();
    /** name+desc of a bridge -> name+desc of the method it calls (of this class or, inherited, its superclass). */
    final List<String[]> bridges = new ArrayList<>();
    final List<Lambda> lambdas = new ArrayList<>();
    /**
     * name+desc of a synthetic accessor (javac's access$NNN) -> name+desc of the method it calls, of this class
     * or of a supertype ({@code Outer.super.m()}, a protected method inherited from another package).
     */
    final List<String[]> accessors = new ArrayList<>();
    /** True if the constant pool mentions a dev/spindle class. */
    boolean mentionsSpindle;

    private ClassInfo(String name, String superName, String[] interfaces, boolean isInterface) {
        this.name = name;
        this.superName = superName;
        this.interfaces = interfaces == null ? new String[0] : interfaces;
        this.isInterface = isInterface;
    }

    static ClassInfo of(String name, String superName, String[] interfaces, boolean isInterface) {
        return new ClassInfo(name, superName, interfaces, isInterface);
    }

    static String key(String name, String desc) {
        return name + desc;
    }

    /** Reads the facts from the class-file bytes of the class being transformed. */
    static ClassInfo read(byte[] bytes) {
        return read(bytes, true);
    }

    /**
     * Reads the facts another class's transformation needs, which are all but its lambdas: its methods' code is
     * read only if it has bridges or accessors, whose calls matter (most classes looked up have neither, and
     * reading every method's code was most of the cost of a lookup).
     */
    static ClassInfo readForLookup(byte[] bytes) {
        return read(bytes, false);
    }

    private static ClassInfo read(byte[] bytes, boolean lambdas) {
        ClassReader reader = new ClassReader(bytes);
        ClassInfo info = new ClassInfo(reader.getClassName(), reader.getSuperName(), reader.getInterfaces(),
                (reader.getAccess() & Opcodes.ACC_INTERFACE) != 0);
        info.mentionsSpindle = mentionsSpindle(bytes);
        Scanner scanner = info.new Scanner();
        reader.accept(scanner, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        if (lambdas || scanner.callsMatter) {
            reader.accept(scanner, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES); // the sets take no doubles
        }
        return info;
    }

    private static final byte[] SPINDLE = "dev/spindle/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** True if the bytes contain "dev/spindle/" (in practice: the constant pool names a Spindle class). */
    private static boolean mentionsSpindle(byte[] bytes) {
        outer:
        for (int i = 0, last = bytes.length - SPINDLE.length; i <= last; i++) {
            for (int j = 0; j < SPINDLE.length; j++) {
                if (bytes[i + j] != SPINDLE[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    private final class Scanner extends ClassVisitor {
        /** A bridge or an accessor was seen: their calls are facts too. */
        boolean callsMatter;

        Scanner() {
            super(Opcodes.ASM9);
        }

        @Override
        public MethodVisitor visitMethod(int access, String mName, String mDesc, String signature, String[] ex) {
            String key = key(mName, mDesc);
            declared.add(key);
            if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE)) == 0 && !mName.startsWith("<")) overriding.add(key);
            boolean bridge = (access & Opcodes.ACC_BRIDGE) != 0;
            boolean accessor = (access & Opcodes.ACC_SYNTHETIC) != 0 && mName.startsWith("access$");
            callsMatter |= bridge || accessor;
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String desc, boolean visible) {
                    if (SUSPENDABLE_DESC.equals(desc)) annotated.add(key);
                    return null;
                }

                @Override
                public void visitMethodInsn(int op, String owner, String n, String d, boolean itf) {
                    // javac's bridge calls its class's method, or the superclass's where the class inherits it
                    boolean target = owner.equals(name) || op == Opcodes.INVOKESPECIAL && owner.equals(superName);
                    if (bridge && target && n.equals(mName)) bridges.add(new String[] {key, key(n, d)});
                    if (accessor) accessors.add(new String[] {key, key(n, d)});
                }

                @Override
                public void visitInvokeDynamicInsn(String n, String d, Handle bsm, Object... args) {
                    if (bsm.getOwner().equals(LAMBDA_METAFACTORY) && args.length >= 3
                            && args[0] instanceof Type sam && args[1] instanceof Handle impl) {
                        lambdas.add(new Lambda(Type.getReturnType(d).getInternalName(), n, sam.getDescriptor(), impl));
                    }
                }
            };
        }
    }
}
