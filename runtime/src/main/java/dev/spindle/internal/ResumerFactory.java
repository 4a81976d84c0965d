package dev.spindle.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes the {@link Resumer}s of a suspendable method: the bootstrap of the {@code invokedynamic} the agent puts
 * where a frame is saved, one per resume point. The resumers of one method are instances of one hidden class, a
 * nestmate of the method's class (so it may call the private resume copy), whose {@code resume} is one static
 * call: the JIT inlines the copy into it, and the driver reaches it through one virtual call. The JDK's lambda
 * factory would do the same for an interface, not for an abstract class.
 *
 * <p>Not API: only instrumented code uses it.
 */
public final class ResumerFactory {
    private static final String RESUMER = "dev/spindle/internal/Resumer";
    private static final String COPY_DESC = "(Ldev/spindle/internal/Carrier;III[I[Ljava/lang/Object;)V";
    private static final MethodType MAKE = MethodType.methodType(Resumer.class, int.class);

    /** Per class, the resumers of each resume copy: the resume points of a method share one resumer class. */
    private static final ClassValue<Map<String, Made>> MADE = new ClassValue<>() {
        @Override
        protected Map<String, Made> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /**
     * The resumer class of one copy and its instances by header: the method and its copy save frames at the same
     * resume point with the same resumer, so a frame saved again at the same place needs no store.
     */
    private record Made(MethodHandle make, Map<Integer, Resumer> byHeader) {
        Resumer resumer(int header) {
            return byHeader.computeIfAbsent(header, h -> {
                try {
                    return (Resumer) make.invokeExact((int) h);
                } catch (Throwable t) {
                    throw Frames.sneaky(t);
                }
            });
        }
    }

    private static final MethodHandle HANDLE_RESUMER;

    static {
        try {
            HANDLE_RESUMER = MethodHandles.lookup().findConstructor(HandleResumer.class,
                    MethodType.methodType(void.class, MethodHandle.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ResumerFactory() {
    }

    /**
     * The bootstrap: a constant call site that returns the resumer of {@code copy} at the resume point and with
     * the record size that {@code header} packs.
     */
    public static CallSite resumer(MethodHandles.Lookup caller, String name, MethodType type, MethodHandle copy,
                                   int header) {
        MethodHandleInfo info = caller.revealDirect(copy);
        Made made = MADE.get(info.getDeclaringClass())
                .computeIfAbsent(info.getName(), n -> new Made(maker(caller, copy, info), new ConcurrentHashMap<>()));
        return new ConstantCallSite(MethodHandles.constant(Resumer.class, made.resumer(header)));
    }

    private static MethodHandle maker(MethodHandles.Lookup caller, MethodHandle copy, MethodHandleInfo info) {
        try {
            Class<?> owner = info.getDeclaringClass();
            byte[] bytes = classFile(caller.lookupClass().getName().replace('.', '/') + "$$Resumer",
                    owner.getName().replace('.', '/'), info.getName(), owner.isInterface());
            MethodHandles.Lookup hidden = caller.defineHiddenClass(bytes, true, MethodHandles.Lookup.ClassOption.NESTMATE);
            return hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class, int.class))
                    .asType(MAKE);
        } catch (ReflectiveOperationException | IOException | LinkageError e) {
            // a class we cannot define next to the method (a security manager, an odd loader): a slower resumer
            MethodHandle viaHandle = MethodHandles.insertArguments(HANDLE_RESUMER, 0, copy);
            return viaHandle.asType(MAKE);
        }
    }

    /**
     * {@code final class <name> extends Resumer { <name>(int h) { super(h); } public void resume(Carrier k, int
     * state, int word, int ref, int[] words, Object[] refs) { <owner>.<copy>(k, state, word, ref, words, refs); }
     * }}, by hand: the runtime has no bytecode library, and the class is two tiny methods.
     */
    private static byte[] classFile(String name, String owner, String copy, boolean ownerIsInterface) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0xCAFEBABE);
        out.writeShort(0);
        out.writeShort(61); // Java 17: no branches, so no stack map frames needed
        out.writeShort(17); // constant pool count: entries 1..16
        utf8(out, name);                                         // 1
        classRef(out, 1);                                        // 2
        utf8(out, RESUMER);                                      // 3
        classRef(out, 3);                                        // 4
        utf8(out, "<init>");                                     // 5
        utf8(out, "(I)V");                                       // 6
        nameAndType(out, 5, 6);                                  // 7
        memberRef(out, 10, 4, 7);                                // 8: Resumer.<init>(I)V
        utf8(out, owner);                                        // 9
        classRef(out, 9);                                        // 10
        utf8(out, copy);                                         // 11
        utf8(out, COPY_DESC);                                    // 12
        nameAndType(out, 11, 12);                                // 13
        memberRef(out, ownerIsInterface ? 11 : 10, 10, 13);      // 14: the copy
        utf8(out, "resume");                                     // 15
        utf8(out, "Code");                                       // 16
        out.writeShort(0x0001 | 0x0010 | 0x0020 | 0x1000); // public final super synthetic
        out.writeShort(2);
        out.writeShort(4);
        out.writeShort(0); // interfaces
        out.writeShort(0); // fields
        out.writeShort(2); // methods
        // aload_0 iload_1 invokespecial return
        method(out, 0x0001, 5, 6, 2, 2, new byte[] {0x2a, 0x1b, (byte) 0xb7, 0, 8, (byte) 0xb1});
        // aload_1 iload_2 iload_3 iload 4 aload 5 aload 6 invokestatic return
        method(out, 0x0011, 15, 12, 6, 7, new byte[] {0x2b, 0x1c, 0x1d, 0x15, 4, 0x19, 5, 0x19, 6, (byte) 0xb8, 0, 14,
                (byte) 0xb1});
        out.writeShort(0); // class attributes
        out.flush();
        return bytes.toByteArray();
    }

    private static void utf8(DataOutputStream out, String s) throws IOException {
        out.writeByte(1);
        out.writeUTF(s);
    }

    private static void classRef(DataOutputStream out, int nameIndex) throws IOException {
        out.writeByte(7);
        out.writeShort(nameIndex);
    }

    private static void nameAndType(DataOutputStream out, int name, int desc) throws IOException {
        out.writeByte(12);
        out.writeShort(name);
        out.writeShort(desc);
    }

    private static void memberRef(DataOutputStream out, int tag, int classIndex, int nameAndType) throws IOException {
        out.writeByte(tag);
        out.writeShort(classIndex);
        out.writeShort(nameAndType);
    }

    private static void method(DataOutputStream out, int access, int name, int desc, int maxStack, int maxLocals,
                               byte[] code) throws IOException {
        out.writeShort(access);
        out.writeShort(name);
        out.writeShort(desc);
        out.writeShort(1); // attributes: Code
        out.writeShort(16);
        out.writeInt(2 + 2 + 4 + code.length + 2 + 2);
        out.writeShort(maxStack);
        out.writeShort(maxLocals);
        out.writeInt(code.length);
        out.write(code);
        out.writeShort(0); // exception table
        out.writeShort(0); // attributes
    }

    /** The resumer when no class can be defined for it: calls the copy through its method handle. */
    private static final class HandleResumer extends Resumer {
        private final MethodHandle copy;

        HandleResumer(MethodHandle copy, int header) {
            super(header);
            this.copy = copy.asType(MethodType.fromMethodDescriptorString(COPY_DESC, Carrier.class.getClassLoader()));
        }

        @Override
        public void resume(Carrier carrier, int state, int word, int ref, int[] words, Object[] refs) {
            try {
                copy.invokeExact(carrier, state, word, ref, words, refs);
            } catch (Throwable t) {
                throw Frames.sneaky(t);
            }
        }
    }
}
