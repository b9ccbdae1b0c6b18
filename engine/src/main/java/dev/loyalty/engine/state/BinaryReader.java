package dev.loyalty.engine.state;

import java.nio.charset.StandardCharsets;

/** Reads what {@link BinaryWriter} wrote. */
public final class BinaryReader {
    private final byte[] buf;
    private int pos;

    public BinaryReader(byte[] buf) {
        this.buf = buf;
    }

    public int readByte() {
        return buf[pos++];
    }

    public long readLong() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xff);
        }
        return v;
    }

    public int readVarInt() {
        int v = 0;
        int shift = 0;
        while (true) {
            int b = buf[pos++];
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }

    public String readString() {
        int n = readVarInt();
        if (n == 0) {
            return null;
        }
        String s = new String(buf, pos, n - 1, StandardCharsets.UTF_8);
        pos += n - 1;
        return s;
    }

    public boolean hasMore() {
        return pos < buf.length;
    }
}
