package dev.loyalty.engine.derived;

import java.nio.ByteBuffer;

/**
 * UTF-8 of a string straight into a buffer, without the array {@link String#getBytes} makes. Gives the same
 * bytes as {@code getBytes(UTF_8)}, an unpaired surrogate included (it becomes {@code '?'}).
 */
final class Utf8 {

    private Utf8() {
    }

    private static boolean pairAt(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
    }

    static int length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (pairAt(s, i)) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static void put(String s, ByteBuffer b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b.put((byte) c);
            } else if (c < 0x800) {
                b.put((byte) (0xc0 | (c >> 6))).put((byte) (0x80 | (c & 0x3f)));
            } else if (pairAt(s, i)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b.put((byte) (0xf0 | (cp >> 18))).put((byte) (0x80 | ((cp >> 12) & 0x3f)))
                        .put((byte) (0x80 | ((cp >> 6) & 0x3f))).put((byte) (0x80 | (cp & 0x3f)));
            } else if (Character.isSurrogate(c)) {
                b.put((byte) '?');
            } else {
                b.put((byte) (0xe0 | (c >> 12))).put((byte) (0x80 | ((c >> 6) & 0x3f))).put((byte) (0x80 | (c & 0x3f)));
            }
        }
    }
}
