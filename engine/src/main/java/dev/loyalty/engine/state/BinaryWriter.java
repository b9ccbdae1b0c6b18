package dev.loyalty.engine.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer for the state codecs; reused by its single owning thread. */
public final class BinaryWriter {
    private byte[] buf;
    private int len;

    public BinaryWriter(int initial) {
        buf = new byte[initial];
    }

    public BinaryWriter reset() {
        len = 0;
        return this;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    public BinaryWriter writeByte(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public BinaryWriter writeLong(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[len + i] = (byte) v;
            v >>>= 8;
        }
        len += 8;
        return this;
    }

    /** Variable-length unsigned int (7 bits a byte). */
    public BinaryWriter writeVarInt(int v) {
        ensure(5);
        while ((v & ~0x7f) != 0) {
            buf[len++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
        return this;
    }

    /** A nullable string: length+1 (0 = null) then UTF-8 bytes. */
    public BinaryWriter writeString(CharSequence s) {
        if (s == null) {
            return writeVarInt(0);
        }
        int n = s.length();
        if (ascii(s, n)) {
            // the common case, without the array getBytes makes: one char is one byte, the same bytes
            writeVarInt(n + 1);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len + i] = (byte) s.charAt(i);
            }
            len += n;
            return this;
        }
        byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
        writeVarInt(b.length + 1);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    private static boolean ascii(CharSequence s, int n) {
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The buffer holding the {@link #length()} bytes written (valid until the next write or reset). */
    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return len;
    }

    public byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }
}
