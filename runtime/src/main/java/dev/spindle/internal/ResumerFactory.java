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

/**
 * Makes the {@link Resumer} of a suspendable method: the bootstrap of the {@code invokedynamic} the agent puts
 * where a frame is saved. The resumer is an instance of a hidden class, a nestmate of the method's class (so it
 * may call the private resume copy), whose {@code resume} is one static call: the JIT inlines the copy into it,
 * and the driver reaches it through one virtual call. The JDK's lambda factory would do the same for an
 * interface, not for an abstract class.
 *
 * <p>Not API: only instrumented code uses it.
 */
public final class ResumerFactory {
    private static final String RESUMER = "dev/spindle/internal/Resumer";
    private static final String COPY_DESC = "(Ldev/spindle/internal/Carrier;)V";

    private ResumerFactory() {
    }

    /** The bootstrap: a constant call site that returns the one resumer of {@code copy}. */
    public static CallSite resumer(MethodHandles.Lookup caller, String name, MethodType type, MethodHandle copy) {
        return new ConstantCallSite(MethodHandles.constant(Resumer.class, make(caller, copy)));
    }

    private static Resumer make(MethodHandles.Lookup caller, MethodHandle copy) {
        try {
            MethodHandleInfo info = caller.revealDirect(copy);
            Class<?> owner = info.getDeclaringClass();
            byte[] bytes = classFile(caller.lookupClass().getName().replace('.', '/') + "$$Resumer",
                    owner.getName().replace('.', '/'), info.getName(), owner.isInterface());
            MethodHandles.Lookup hidden = caller.defineHiddenClass(bytes, true, MethodHandles.Lookup.ClassOption.NESTMATE);
            return (Resumer) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            // a class we cannot define next to the method (a security manager, an odd loader): a slower resumer
            return new HandleResumer(copy);
        }
    }

    /**
     * {@code final class <name> extends Resumer { public void resume(Carrier k) { <owner>.<copy>(k); } }}, by
     * hand: the runtime has no bytecode library, and the class is two five-byte methods.
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
        utf8(out, "()V");                                        // 6
        nameAndType(out, 5, 6);                                  // 7
        memberRef(out, 10, 4, 7);                                // 8: Resumer.<init>()V
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
        method(out, 0x0001, 5, 6, 1, new byte[] {0x2a, (byte) 0xb7, 0, 8, (byte) 0xb1});      // aload_0 invokespecial return
        method(out, 0x0011, 15, 12, 2, new byte[] {0x2b, (byte) 0xb8, 0, 14, (byte) 0xb1});   // aload_1 invokestatic return
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

    private static void method(DataOutputStream out, int access, int name, int desc, int maxLocals, byte[] code)
            throws IOException {
        out.writeShort(access);
        out.writeShort(name);
        out.writeShort(desc);
        out.writeShort(1); // attributes: Code
        out.writeShort(16);
        out.writeInt(2 + 2 + 4 + code.length + 2 + 2);
        out.writeShort(1); // max stack
        out.writeShort(maxLocals);
        out.writeInt(code.length);
        out.write(code);
        out.writeShort(0); // exception table
        out.writeShort(0); // attributes
    }

    /** The resumer when no class can be defined for it: calls the copy through its method handle. */
    private static final class HandleResumer extends Resumer {
        private final MethodHandle copy;

        HandleResumer(MethodHandle copy) {
            this.copy = copy.asType(MethodType.methodType(void.class, Carrier.class));
        }

        @Override
        public void resume(Carrier carrier) {
            try {
                copy.invokeExact(carrier);
            } catch (Throwable t) {
                throw Frames.sneaky(t);
            }
        }
    }
}
