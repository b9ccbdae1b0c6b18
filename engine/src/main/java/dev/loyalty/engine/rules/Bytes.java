package dev.loyalty.engine.rules;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Compact binary writer and reader for {@link CustomerCodec}: zig-zag varints and length-prefixed UTF-8. */
final class Bytes {

    private Bytes() {
    }

    /** Growable output buffer. */
    static final class Writer {
        private byte[] buf = new byte[512];
        private int len;

        /** Empties the buffer for the next record, keeping its capacity. */
        Writer reset() {
            len = 0;
            return this;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void byteValue(int b) {
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[len++] = (byte) b;
        }

        void bool(boolean b) {
            byteValue(b ? 1 : 0);
        }

        /** Zig-zag varint: small magnitudes of either sign take few bytes. */
        void varLong(long v) {
            long z = (v << 1) ^ (v >> 63);
            while ((z & ~0x7FL) != 0) {
                byteValue((int) ((z & 0x7F) | 0x80));
                z >>>= 7;
            }
            byteValue((int) z);
        }

        void string(String s) {
            if (s == null) {
                varLong(-1);
                return;
            }
            int n = s.length();
            int i = 0;
            while (i < n && s.charAt(i) < 0x80) {
                i++;
            }
            if (i == n) {
                // ASCII (ids, transaction ids, most attributes): its UTF-8 bytes are its chars
                varLong(n);
                ensure(n);
                for (int k = 0; k < n; k++) {
                    buf[len++] = (byte) s.charAt(k);
                }
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varLong(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    /** Reader over a byte array; throws {@link IllegalArgumentException} on truncated or corrupt input. */
    static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        int byteValue() {
            if (pos >= buf.length) {
                throw new IllegalArgumentException("customer record truncated");
            }
            return buf[pos++] & 0xFF;
        }

        boolean bool() {
            return byteValue() != 0;
        }

        long varLong() {
            long z = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                int b = byteValue();
                z |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (z >>> 1) ^ -(z & 1);
                }
            }
            throw new IllegalArgumentException("customer record: varint too long");
        }

        int count() {
            long n = varLong();
            if (n < 0 || n > buf.length - pos) {
                throw new IllegalArgumentException("customer record: bad count " + n);
            }
            return (int) n;
        }

        String string() {
            long n = varLong();
            if (n == -1) {
                return null;
            }
            if (n < 0 || n > buf.length - pos) {
                throw new IllegalArgumentException("customer record: bad string length " + n);
            }
            String s = new String(buf, pos, (int) n, StandardCharsets.UTF_8);
            pos += (int) n;
            return s;
        }

        boolean atEnd() {
            return pos == buf.length;
        }
    }
}
