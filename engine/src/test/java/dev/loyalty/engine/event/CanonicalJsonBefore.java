package dev.loyalty.engine.event;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.math.BigDecimal;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * {@link CanonicalJson} as it was before it wrote its UTF-8 bytes itself (a StringBuilder, encoded once for the
 * hash; 2026-12-07): the reference {@link CanonicalJsonTest} holds the new one to, text and hash. Not used by
 * the engine.
 */
final class CanonicalJsonBefore {

    /** Objects with more members than this are sorted by a library sort (allocates; hostile bodies only). */
    private static final int INSERTION_SORT_MAX = 32;

    /** Past this size a buffer grown by one hostile body is dropped at the next reset rather than kept. */
    private static final int KEEP_CHARS = 16 * 1024;

    private StringBuilder out = new StringBuilder(512);
    /** The members of the object being closed, copied out in bulk before they are written back sorted. */
    private char[] scratch = new char[512];
    private final MessageDigest sha256 = sha256();
    private final byte[] digest = new byte[32];
    private byte[] utf8 = new byte[1024];

    // one entry per open container
    private int depth;
    private int[] contentStart = new int[8];
    /** Index of the container's first member in {@link #memberKey}, or -1 for an array. */
    private int[] firstMember = new int[8];
    private int[] elements = new int[8];

    // members of all open objects, innermost last
    private int members;
    private int[] memberStart = new int[16];
    private String[] memberKey = new String[16];
    private int[] order = new int[16];

    /** Forgets everything: the next call starts a new value. */
    void reset() {
        if (out.capacity() > KEEP_CHARS) {
            out = new StringBuilder(512);
            scratch = new char[512];
            utf8 = new byte[1024];
        }
        out.setLength(0);
        depth = 0;
        members = 0;
    }

    void startObject() {
        beforeValue();
        out.append('{');
        push(members);
    }

    void startArray() {
        beforeValue();
        out.append('[');
        push(-1);
    }

    /** The name of the next member of the innermost object. */
    void field(String name) {
        if (members == memberKey.length) {
            memberStart = Arrays.copyOf(memberStart, members * 2);
            memberKey = Arrays.copyOf(memberKey, members * 2);
        }
        memberStart[members] = out.length();
        memberKey[members] = name;
        members++;
        quoted(name);
        out.append(':');
    }

    void endArray() {
        out.append(']');
        depth--;
    }

    /** Closes the innermost object, its members rewritten in key order with commas between. */
    void endObject() {
        depth--;
        int first = firstMember[depth];
        int count = members - first;
        if (count > 1) {
            int start = contentStart[depth];
            sortMembers(first, count);
            int regionEnd = out.length();
            if (scratch.length < regionEnd - start) {
                scratch = new char[Math.max(regionEnd - start, scratch.length * 2)];
            }
            out.getChars(start, regionEnd, scratch, 0);
            out.setLength(start);
            for (int i = 0; i < count; i++) {
                int m = order[i];
                int from = memberStart[m] - start;
                int to = (m + 1 < members ? memberStart[m + 1] : regionEnd) - start;
                if (i > 0) {
                    out.append(',');
                }
                out.append(scratch, from, to - from);
            }
        }
        for (int i = first; i < members; i++) {
            memberKey[i] = null;
        }
        members = first;
        out.append('}');
    }

    void string(String s) {
        beforeValue();
        quoted(s);
    }

    void bool(boolean b) {
        beforeValue();
        out.append(b);
    }

    void nul() {
        beforeValue();
        out.append("null");
    }

    /** An integer as {@code BigDecimal.valueOf(v).stripTrailingZeros().toString()} writes it, allocation-free. */
    void number(long v) {
        beforeValue();
        if (v % 10 != 0) {
            out.append(v);
            return;
        }
        if (v == 0) {
            out.append('0');
            return;
        }
        int zeros = 0;
        long m = v;
        while (m % 10 == 0) {
            m /= 10;
            zeros++;
        }
        // unscaled m, scale -zeros: BigDecimal writes d[.ddd]E+exponent
        int signStart = out.length();
        out.append(m);
        int digitsStart = signStart + (m < 0 ? 1 : 0);
        int digits = out.length() - digitsStart;
        if (digits > 1) {
            out.insert(digitsStart + 1, '.');
        }
        out.append("E+").append(zeros + digits - 1);
    }

    /**
     * A decimal {@code unscaled} × 10^-{@code scale} with trailing zeros stripped, written as
     * {@code BigDecimal.valueOf(unscaled, scale).toString()} would be, by hand in the plain-notation cases.
     */
    void number(long unscaled, int scale) {
        if (unscaled == 0) {
            beforeValue();
            out.append('0');
            return;
        }
        int digits = digits(Math.abs(unscaled));
        // BigDecimal writes plain notation when the scale is not negative and the adjusted exponent >= -6.
        if (scale < 0 || digits - 1 - (long) scale < -6) {
            number(BigDecimal.valueOf(unscaled, scale));
            return;
        }
        beforeValue();
        if (unscaled < 0) {
            out.append('-');
        }
        long magnitude = Math.abs(unscaled);
        if (scale == 0) {
            out.append(magnitude);
        } else if (digits > scale) {
            int start = out.length();
            out.append(magnitude);
            out.insert(start + digits - scale, '.');
        } else {
            out.append("0.");
            for (int z = digits; z < scale; z++) {
                out.append('0');
            }
            out.append(magnitude);
        }
    }

    private static int digits(long positive) {
        int n = 1;
        for (long v = positive; v >= 10; v /= 10) {
            n++;
        }
        return n;
    }

    void number(BigDecimal d) {
        beforeValue();
        if (d.signum() == 0) {
            out.append('0');
        } else {
            out.append(d.stripTrailingZeros().toString());
        }
    }

    /** The canonical text so far (for tests and diagnostics). */
    String text() {
        return out.toString();
    }

    /** SHA-256 of the canonical text as UTF-8, first 8 bytes big-endian; never 0 (reserved for "no id"). */
    long hash() {
        int length = encodeUtf8();
        sha256.reset();
        sha256.update(utf8, 0, length);
        try {
            sha256.digest(digest, 0, digest.length);
        } catch (DigestException impossible) {
            throw new IllegalStateException("a 32-byte buffer holds a SHA-256 digest", impossible);
        }
        long hash = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            hash = (hash << 8) | (digest[i] & 0xFF);
        }
        return hash == 0 ? 1 : hash;
    }

    private void beforeValue() {
        if (depth > 0 && firstMember[depth - 1] < 0) {
            if (elements[depth - 1]++ > 0) {
                out.append(',');
            }
        }
    }

    private void push(int first) {
        if (depth == contentStart.length) {
            contentStart = Arrays.copyOf(contentStart, depth * 2);
            firstMember = Arrays.copyOf(firstMember, depth * 2);
            elements = Arrays.copyOf(elements, depth * 2);
        }
        contentStart[depth] = out.length();
        firstMember[depth] = first;
        elements[depth] = 0;
        depth++;
    }

    private void quoted(String s) {
        out.append('"');
        if (needsEscape(s)) {
            JsonStringEncoder.getInstance().quoteAsString(s, out);
        } else {
            out.append(s); // the common case in one copy: the encoder appends char by char
        }
        out.append('"');
    }

    /** Whether {@link JsonStringEncoder#quoteAsString} would escape a char of {@code s} (control chars, quote, backslash). */
    private static boolean needsEscape(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    /** Fills {@link #order} with member indexes {@code first..first+count-1} sorted by key. */
    private void sortMembers(int first, int count) {
        if (order.length < count) {
            order = new int[Math.max(count, order.length * 2)];
        }
        if (count <= INSERTION_SORT_MAX) {
            for (int i = 0; i < count; i++) {
                int m = first + i;
                int j = i;
                while (j > 0 && memberKey[order[j - 1]].compareTo(memberKey[m]) > 0) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = m;
            }
            return;
        }
        Integer[] boxed = new Integer[count];
        for (int i = 0; i < count; i++) {
            boxed[i] = first + i;
        }
        Arrays.sort(boxed, (a, b) -> memberKey[a].compareTo(memberKey[b]));
        for (int i = 0; i < count; i++) {
            order[i] = boxed[i];
        }
    }

    /**
     * Encodes {@link #out} into {@link #utf8} exactly as {@code String.getBytes(UTF_8)} would: a lone
     * surrogate becomes {@code '?'}.
     */
    private int encodeUtf8() {
        int n = out.length();
        if (utf8.length < n * 3) {
            utf8 = new byte[Math.max(n * 3, utf8.length * 2)];
        }
        byte[] b = utf8;
        int at = 0;
        for (int i = 0; i < n; i++) {
            char c = out.charAt(i);
            if (c < 0x80) {
                b[at++] = (byte) c;
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(out.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, out.charAt(++i));
                b[at++] = (byte) (0xF0 | (cp >> 18));
                b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                b[at++] = '?';
            } else {
                b[at++] = (byte) (0xE0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return at;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
