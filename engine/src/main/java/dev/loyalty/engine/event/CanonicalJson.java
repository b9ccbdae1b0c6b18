package dev.loyalty.engine.event;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Builds the canonical JSON of one value while it is streamed, and its 64-bit idempotency hash: object keys
 * sorted (by {@link String#compareTo}), no whitespace, numbers by value ({@code 1}, {@code 1.0}, {@code 1e0} are
 * one number, written as {@code BigDecimal.stripTrailingZeros().toString()}, zero as {@code 0}), strings quoted
 * as Jackson's {@link JsonStringEncoder} does. The same text, hence the same hash, as the tree-based
 * {@code dev.loyalty.api.http.BodyHash}: the id index of existing data folders holds those hashes. The text
 * is written as the UTF-8 bytes the hash reads ({@code String.getBytes(UTF_8)}'s, a lone surrogate as
 * {@code '?'}), members of an object with commas as they come, and rewritten only when their keys were not in
 * order: no char buffer, no second encoding pass. Reused for every value of one thread; not thread-safe.
 */
final class CanonicalJson {

    /** Objects with more members than this are sorted by a library sort (allocates; hostile bodies only). */
    private static final int INSERTION_SORT_MAX = 32;

    /** Past this size a buffer grown by one hostile body is dropped at the next reset rather than kept. */
    private static final int KEEP_BYTES = 48 * 1024;

    /** The canonical text as UTF-8, {@code [0, length)}. */
    private byte[] out = new byte[1024];
    private int length;
    /** The members of an object whose keys came out of order, copied out before they are written back sorted. */
    private byte[] scratch = new byte[512];
    /** A string that needs escapes, as Jackson escapes it (rare: control chars, quotes, backslashes). */
    private final StringBuilder escaped = new StringBuilder();
    private final MessageDigest sha256 = sha256();
    private final byte[] digest = new byte[32];

    // one entry per open container
    private int depth;
    private int[] contentStart = new int[8];
    /** Index of the container's first member in {@link #memberKey}, or -1 for an array. */
    private int[] firstMember = new int[8];
    private int[] elements = new int[8];

    // members of all open objects, innermost last
    private int members;
    /** Where each member's key starts (its quote); the comma before it, if any, is the byte before. */
    private int[] memberStart = new int[16];
    private String[] memberKey = new String[16];
    private int[] order = new int[16];

    /** Forgets everything: the next call starts a new value. */
    void reset() {
        if (out.length > KEEP_BYTES) {
            out = new byte[1024];
            scratch = new byte[512];
        }
        if (escaped.capacity() > KEEP_BYTES) {
            escaped.setLength(0);
            escaped.trimToSize();
        }
        length = 0;
        depth = 0;
        members = 0;
    }

    void startObject() {
        beforeValue();
        put('{');
        push(members);
    }

    void startArray() {
        beforeValue();
        put('[');
        push(-1);
    }

    /** The name of the next member of the innermost object. */
    void field(String name) {
        if (members == memberKey.length) {
            memberStart = Arrays.copyOf(memberStart, members * 2);
            memberKey = Arrays.copyOf(memberKey, members * 2);
        }
        if (members > firstMember[depth - 1]) {
            put(',');
        }
        memberStart[members] = length;
        memberKey[members] = name;
        members++;
        quoted(name);
        put(':');
    }

    void endArray() {
        put(']');
        depth--;
    }

    /** Closes the innermost object, its members rewritten in key order when they came in another. */
    void endObject() {
        depth--;
        int first = firstMember[depth];
        int count = members - first;
        if (count > 1 && !sortMembers(first, count)) {
            int start = contentStart[depth];
            int regionEnd = length;
            if (scratch.length < regionEnd - start) {
                scratch = new byte[Math.max(regionEnd - start, scratch.length * 2)];
            }
            System.arraycopy(out, start, scratch, 0, regionEnd - start);
            int at = start;
            for (int i = 0; i < count; i++) {
                int m = order[i];
                int from = memberStart[m] - start;
                int to = (m + 1 < members ? memberStart[m + 1] - 1 : regionEnd) - start; // less the next comma
                if (i > 0) {
                    out[at++] = ',';
                }
                System.arraycopy(scratch, from, out, at, to - from);
                at += to - from;
            }
        }
        for (int i = first; i < members; i++) {
            memberKey[i] = null;
        }
        members = first;
        put('}');
    }

    void string(String s) {
        beforeValue();
        quoted(s);
    }

    void bool(boolean b) {
        beforeValue();
        ascii(b ? "true" : "false");
    }

    void nul() {
        beforeValue();
        ascii("null");
    }

    /** An integer as {@code BigDecimal.valueOf(v).stripTrailingZeros().toString()} writes it, allocation-free. */
    void number(long v) {
        beforeValue();
        if (v % 10 != 0) {
            decimal(v);
            return;
        }
        if (v == 0) {
            put('0');
            return;
        }
        int zeros = 0;
        long m = v;
        while (m % 10 == 0) {
            m /= 10;
            zeros++;
        }
        // unscaled m, scale -zeros: BigDecimal writes d[.ddd]E+exponent
        int signStart = length;
        decimal(m);
        int digitsStart = signStart + (m < 0 ? 1 : 0);
        int digits = length - digitsStart;
        if (digits > 1) {
            insert(digitsStart + 1, '.');
        }
        put('E');
        put('+');
        decimal(zeros + digits - 1);
    }

    /**
     * A decimal {@code unscaled} × 10^-{@code scale} with trailing zeros stripped, written as
     * {@code BigDecimal.valueOf(unscaled, scale).toString()} would be, by hand in the plain-notation cases.
     */
    void number(long unscaled, int scale) {
        if (unscaled == 0) {
            beforeValue();
            put('0');
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
            put('-');
        }
        long magnitude = Math.abs(unscaled);
        if (scale == 0) {
            decimal(magnitude);
        } else if (digits > scale) {
            int start = length;
            decimal(magnitude);
            insert(start + digits - scale, '.');
        } else {
            put('0');
            put('.');
            for (int z = digits; z < scale; z++) {
                put('0');
            }
            decimal(magnitude);
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
            put('0');
        } else {
            ascii(d.stripTrailingZeros().toString());
        }
    }

    /** The canonical text so far (for tests and diagnostics; a lone surrogate reads as {@code '?'}). */
    String text() {
        return new String(out, 0, length, StandardCharsets.UTF_8);
    }

    /** SHA-256 of the canonical text as UTF-8, first 8 bytes big-endian; never 0 (reserved for "no id"). */
    long hash() {
        sha256.reset();
        sha256.update(out, 0, length);
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
                put(',');
            }
        }
    }

    private void push(int first) {
        if (depth == contentStart.length) {
            contentStart = Arrays.copyOf(contentStart, depth * 2);
            firstMember = Arrays.copyOf(firstMember, depth * 2);
            elements = Arrays.copyOf(elements, depth * 2);
        }
        contentStart[depth] = length;
        firstMember[depth] = first;
        elements[depth] = 0;
        depth++;
    }

    private void put(char c) {
        if (length == out.length) {
            grow(1);
        }
        out[length++] = (byte) c;
    }

    private void grow(int more) {
        out = Arrays.copyOf(out, Math.max(length + more, out.length * 2));
    }

    /** An ASCII text as it is (literals, numbers). */
    private void ascii(String s) {
        int n = s.length();
        if (length + n > out.length) {
            grow(n);
        }
        for (int i = 0; i < n; i++) {
            out[length++] = (byte) s.charAt(i);
        }
    }

    /** {@code v} as {@link StringBuilder#append(long)} writes it. */
    private void decimal(long v) {
        if (v == Long.MIN_VALUE) {
            ascii("-9223372036854775808");
            return;
        }
        if (length + 20 > out.length) {
            grow(20);
        }
        if (v < 0) {
            out[length++] = '-';
            v = -v;
        }
        int end = length + digits(v);
        for (int at = end - 1; at >= length; at--) {
            out[at] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length = end;
    }

    /** Inserts {@code c} at {@code at}, as {@link StringBuilder#insert(int, char)}. */
    private void insert(int at, char c) {
        if (length == out.length) {
            grow(1);
        }
        System.arraycopy(out, at, out, at + 1, length - at);
        out[at] = (byte) c;
        length++;
    }

    /**
     * {@code s} quoted: as it is when no char needs an escape (the common case), else as Jackson's
     * {@link JsonStringEncoder#quoteAsString} escapes it; as UTF-8.
     */
    private void quoted(String s) {
        put('"');
        int n = s.length();
        if (length + n > out.length) {
            grow(n);
        }
        int mark = length;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                length = mark;
                escaped.setLength(0);
                JsonStringEncoder.getInstance().quoteAsString(s, escaped);
                utf8(escaped, 0);
                break;
            }
            if (c >= 0x80) {
                if (needsEscape(s, i)) {
                    length = mark;
                    escaped.setLength(0);
                    JsonStringEncoder.getInstance().quoteAsString(s, escaped);
                    utf8(escaped, 0);
                } else {
                    utf8(s, i);
                }
                break;
            }
            out[length++] = (byte) c;
        }
        put('"');
    }

    /** Whether {@link JsonStringEncoder#quoteAsString} would escape a char of {@code s} from {@code from} on. */
    private static boolean needsEscape(String s, int from) {
        for (int i = from, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    /**
     * Fills {@link #order} with member indexes {@code first..first+count-1} sorted by key; true when that is
     * the order they came in (nothing to rewrite).
     */
    private boolean sortMembers(int first, int count) {
        if (order.length < count) {
            order = new int[Math.max(count, order.length * 2)];
        }
        if (count <= INSERTION_SORT_MAX) {
            boolean inOrder = true;
            for (int i = 0; i < count; i++) {
                int m = first + i;
                int j = i;
                while (j > 0 && memberKey[order[j - 1]].compareTo(memberKey[m]) > 0) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = m;
                inOrder &= j == i;
            }
            return inOrder;
        }
        Integer[] boxed = new Integer[count];
        for (int i = 0; i < count; i++) {
            boxed[i] = first + i;
        }
        Arrays.sort(boxed, (a, b) -> memberKey[a].compareTo(memberKey[b]));
        for (int i = 0; i < count; i++) {
            order[i] = boxed[i];
        }
        return false;
    }

    /**
     * Appends {@code s} from {@code from} on as UTF-8, exactly as {@code String.getBytes(UTF_8)} would: a lone
     * surrogate becomes {@code '?'}. (A surrogate pair never spans two calls: every string is quoted.)
     */
    private void utf8(CharSequence s, int from) {
        int n = s.length();
        if (length + (n - from) * 3 > out.length) {
            grow((n - from) * 3);
        }
        byte[] b = out;
        int at = length;
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[at++] = (byte) c;
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
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
        length = at;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
