package dev.loyalty.engine.core;

import java.nio.charset.StandardCharsets;

/**
 * ASCII bytes read as chars, a reusable view (one per field of a {@code journal.JournalEvent}): the rules read a
 * journaled transaction id or attributes through it without a {@code String} per event. Valid until its owner
 * refills it (the next event); whoever keeps the value past that keeps its {@link #toString()}. Owned by one thread.
 */
public final class AsciiChars implements CharSequence {

    private byte[] bytes = new byte[64];
    private int length;

    /** Room for {@code n} bytes, to be filled by the caller and then {@link #length(int)} set; the array itself. */
    public byte[] room(int n) {
        if (bytes.length < n) {
            bytes = new byte[Math.max(n, bytes.length * 2)];
        }
        return bytes;
    }

    /** The number of bytes filled (each below 0x80). */
    public void length(int n) {
        length = n;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) bytes[index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    /** Whether {@code b[0, n)} is ASCII. */
    public static boolean ascii(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
