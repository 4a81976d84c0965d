package dev.spindle.io;

import java.nio.ByteBuffer;

/**
 * Read buffers that a loop lends to its connections while they have input to parse, so that an idle connection
 * (a kept-alive HTTP client between requests) holds none: a few are enough for any number of connections,
 * since a connection gives its buffer back before it waits for more input. Loop thread only.
 */
final class BufferCache {
    private final ByteBuffer[] free = new ByteBuffer[16];
    private int size;

    /** A cleared heap buffer of exactly {@code capacity} bytes. */
    ByteBuffer take(int capacity) {
        while (size > 0) {
            ByteBuffer b = free[--size];
            free[size] = null;
            if (b.capacity() == capacity) return b.clear();
        }
        return ByteBuffer.allocate(capacity);
    }

    /** Takes back {@code b}, which its borrower must not touch any more. */
    void give(ByteBuffer b) {
        if (size < free.length) free[size++] = b;
    }
}
