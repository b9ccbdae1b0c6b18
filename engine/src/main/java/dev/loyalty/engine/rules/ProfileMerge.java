package dev.loyalty.engine.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;

/**
 * Merge of stored profile attributes, for these rules and for core v2: a JSON object merge, else the newest wins.
 * The result is what a Jackson tree merge gives ({@code readTree} both, {@code setAll}, {@code writeValueAsString});
 * an instance computes it in one pass over the chars, allocating only the result, for the JSON the API stores
 * (compact objects of strings without escapes, integers, booleans, nulls, arrays and objects of those), and hands
 * anything else (decimals, escapes, whitespace, duplicate keys below the top level, invalid JSON) to the tree
 * merge, whose number and string rewriting it does not repeat. One instance per thread (it keeps scratch arrays).
 */
public final class ProfileMerge {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Top-level members of either side beyond which the pass (quadratic in them) leaves it to the tree. */
    private static final int MAX_MEMBERS = 64;
    /** Keys of the open nested objects beyond which the pass leaves it to the tree. */
    private static final int MAX_NESTED_KEYS = 256;
    /** Nesting beyond which the pass leaves it to the tree (Jackson itself refuses past 1,000). */
    private static final int MAX_DEPTH = 64;
    /** Digits of an integer beyond which the pass leaves it to the tree (a long has 19; its text is the same). */
    private static final int MAX_DIGITS = 18;
    /** Chars of a key beyond which the pass leaves it to the tree (Jackson refuses names past 50,000). */
    private static final int MAX_NAME = 1_000;

    private char[] old = new char[256];
    private char[] add = new char[256];
    private char[] out = new char[512];
    private int outLength;
    /** Members of each side: key start, key end, value start, value end (offsets in {@code old}/{@code add}). */
    private final int[] oldMembers = new int[4 * MAX_MEMBERS];
    private final int[] addMembers = new int[4 * MAX_MEMBERS];
    private int oldCount;
    private int addCount;
    /** Result members: side (0 old, 1 add) and member index, in result order. */
    private final int[] resultSide = new int[2 * MAX_MEMBERS];
    private final int[] resultMember = new int[2 * MAX_MEMBERS];
    private int resultCount;
    /** Key spans (start, end) of the nested objects being scanned, for their duplicate check. */
    private final int[] nestedKeys = new int[2 * MAX_NESTED_KEYS];
    private int nestedKeyCount;
    /** Scan position; -1 once the input left what the pass handles. */
    private int pos;
    /** Merges handed to the tree (for tests: the pass must carry the common inputs). */
    private long treeMerges;

    /**
     * {@code incoming}'s keys set over {@code existing}'s when both are JSON objects; else {@code incoming}. A new
     * instance per call (its scratch arrays too): for the object rules, the reference model; core v2 keeps one.
     */
    public static String merge(String existing, String incoming) {
        return new ProfileMerge().merged(existing, incoming);
    }

    /**
     * {@link #merge(String, String)} of {@code incoming}'s chars (a reusable view is fine: it is read here only);
     * returns {@code existing} itself when the merge leaves it as it was.
     */
    public String merged(String existing, CharSequence incoming) {
        if (incoming == null) {
            return existing;
        }
        if (existing == null) {
            return incoming.toString();
        }
        int oldLength = existing.length();
        int addLength = incoming.length();
        old = room(old, oldLength);
        add = room(add, addLength);
        existing.getChars(0, oldLength, old, 0);
        for (int i = 0; i < addLength; i++) {
            add[i] = incoming.charAt(i);
        }
        oldCount = members(old, oldLength, oldMembers);
        addCount = oldCount < 0 ? -1 : members(add, addLength, addMembers);
        if (addCount < 0) {
            treeMerges++;
            return treeMerge(existing, incoming.toString());
        }
        resultCount = 0;
        for (int m = 0; m < oldCount; m++) {
            put(old, oldMembers, 0, m);
        }
        for (int m = 0; m < addCount; m++) {
            put(add, addMembers, 1, m);
        }
        write();
        return sameAs(existing) ? existing : new String(out, 0, outLength);
    }

    /** Sets one member into the result: over an equal key where there is one (its place kept), else at the end. */
    private void put(char[] side, int[] members, int sideIndex, int m) {
        int ks = members[4 * m];
        int ke = members[4 * m + 1];
        for (int r = 0; r < resultCount; r++) {
            char[] rs = resultSide[r] == 0 ? old : add;
            int[] rm = resultSide[r] == 0 ? oldMembers : addMembers;
            int rk = 4 * resultMember[r];
            if (Arrays.equals(side, ks, ke, rs, rm[rk], rm[rk + 1])) {
                resultSide[r] = sideIndex;
                resultMember[r] = m;
                return;
            }
        }
        resultSide[resultCount] = sideIndex;
        resultMember[resultCount++] = m;
    }

    private void write() {
        outLength = 0;
        append('{');
        for (int r = 0; r < resultCount; r++) {
            if (r > 0) {
                append(',');
            }
            char[] side = resultSide[r] == 0 ? old : add;
            int[] members = resultSide[r] == 0 ? oldMembers : addMembers;
            int at = 4 * resultMember[r];
            append('"');
            append(side, members[at], members[at + 1]);
            append('"');
            append(':');
            append(side, members[at + 2], members[at + 3]);
        }
        append('}');
    }

    private boolean sameAs(String existing) {
        if (existing.length() != outLength) {
            return false;
        }
        for (int i = 0; i < outLength; i++) {
            if (existing.charAt(i) != out[i]) {
                return false;
            }
        }
        return true;
    }

    private void append(char c) {
        out = room(out, outLength + 1);
        out[outLength++] = c;
    }

    private void append(char[] from, int start, int end) {
        out = room(out, outLength + end - start);
        System.arraycopy(from, start, out, outLength, end - start);
        outLength += end - start;
    }

    private static char[] room(char[] a, int n) {
        return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    // ---------------------------------------------------------------- the scan

    /** Top-level members of the object in {@code s[0, n)} into {@code into}; -1 when the pass does not handle it. */
    private int members(char[] s, int n, int[] into) {
        pos = 0;
        nestedKeyCount = 0;
        if (n < 2 || s[0] != '{') {
            return -1;
        }
        pos = 1;
        int count = 0;
        if (s[pos] == '}') {
            pos++;
            return pos == n ? 0 : -1;
        }
        while (true) {
            if (count == MAX_MEMBERS) {
                return -1;
            }
            int ks = pos + 1;
            string(s, n);
            if (pos < 0 || pos - 1 - ks > MAX_NAME || !expect(s, n, ':')) {
                return -1;
            }
            int vs = pos;
            value(s, n, 1);
            if (pos < 0) {
                return -1;
            }
            into[4 * count] = ks;
            into[4 * count + 1] = vs - 2; // before the closing quote and the colon
            into[4 * count + 2] = vs;
            into[4 * count + 3] = pos;
            count++;
            if (pos >= n) {
                return -1;
            }
            char c = s[pos++];
            if (c == '}') {
                return pos == n ? count : -1; // trailing content: Jackson's reading of it is left to Jackson
            }
            if (c != ',') {
                return -1;
            }
        }
    }

    private boolean expect(char[] s, int n, char c) {
        if (pos < n && s[pos] == c) {
            pos++;
            return true;
        }
        pos = -1;
        return false;
    }

    /** A string without escapes or control chars, from its opening quote to after its closing one. */
    private void string(char[] s, int n) {
        if (pos >= n || s[pos] != '"') {
            pos = -1;
            return;
        }
        for (int i = pos + 1; i < n; i++) {
            char c = s[i];
            if (c == '"') {
                pos = i + 1;
                return;
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
        }
        pos = -1;
    }

    private void value(char[] s, int n, int depth) {
        if (pos >= n) {
            pos = -1;
            return;
        }
        char c = s[pos];
        switch (c) {
            case '"' -> string(s, n);
            case '{' -> object(s, n, depth + 1);
            case '[' -> array(s, n, depth + 1);
            case 't' -> literal(s, n, "true");
            case 'f' -> literal(s, n, "false");
            case 'n' -> literal(s, n, "null");
            default -> integer(s, n);
        }
    }

    private void literal(char[] s, int n, String word) {
        if (pos + word.length() > n) {
            pos = -1;
            return;
        }
        for (int i = 0; i < word.length(); i++) {
            if (s[pos + i] != word.charAt(i)) {
                pos = -1;
                return;
            }
        }
        pos += word.length();
    }

    /** An integer as Jackson writes it back unchanged: no {@code -0}, no fraction or exponent, at most 18 digits. */
    private void integer(char[] s, int n) {
        int i = pos;
        if (i < n && s[i] == '-') {
            i++;
        }
        int digits = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        int count = i - digits;
        boolean valid = count > 0 && count <= MAX_DIGITS && (s[digits] != '0' || count == 1)
                && !(count == 1 && s[digits] == '0' && digits > pos)
                && (i == n || (s[i] != '.' && s[i] != 'e' && s[i] != 'E'));
        pos = valid ? i : -1;
    }

    private void object(char[] s, int n, int depth) {
        if (depth > MAX_DEPTH) {
            pos = -1;
            return;
        }
        pos++;
        if (pos < n && s[pos] == '}') {
            pos++;
            return;
        }
        int firstKey = nestedKeyCount;
        while (pos >= 0) {
            int ks = pos + 1;
            string(s, n);
            if (pos < 0) {
                return;
            }
            int ke = pos - 1;
            for (int k = firstKey; k < nestedKeyCount; k++) {
                if (Arrays.equals(s, ks, ke, s, nestedKeys[2 * k], nestedKeys[2 * k + 1])) {
                    pos = -1; // a duplicate key: the tree keeps its first place and last value
                    return;
                }
            }
            if (nestedKeyCount == MAX_NESTED_KEYS || ke - ks > MAX_NAME || !expect(s, n, ':')) {
                pos = -1;
                return;
            }
            nestedKeys[2 * nestedKeyCount] = ks;
            nestedKeys[2 * nestedKeyCount + 1] = ke;
            nestedKeyCount++;
            value(s, n, depth);
            if (pos < 0 || pos >= n) {
                pos = -1;
                return;
            }
            char c = s[pos++];
            if (c == '}') {
                nestedKeyCount = firstKey;
                return;
            }
            if (c != ',') {
                pos = -1;
            }
        }
    }

    private void array(char[] s, int n, int depth) {
        if (depth > MAX_DEPTH) {
            pos = -1;
            return;
        }
        pos++;
        if (pos < n && s[pos] == ']') {
            pos++;
            return;
        }
        while (pos >= 0) {
            value(s, n, depth);
            if (pos < 0 || pos >= n) {
                pos = -1;
                return;
            }
            char c = s[pos++];
            if (c == ']') {
                return;
            }
            if (c != ',') {
                pos = -1;
            }
        }
    }

    /** Merges this instance handed to the Jackson tree. */
    long treeMerges() {
        return treeMerges;
    }

    // ---------------------------------------------------------------- the tree merge

    /** The merge as a Jackson tree: the definition of the result, and what the pass leaves to it. */
    private static String treeMerge(String existing, String incoming) {
        try {
            JsonNode old = JSON.readTree(existing);
            JsonNode add = JSON.readTree(incoming);
            if (!(old instanceof ObjectNode) || !(add instanceof ObjectNode)) {
                return incoming;
            }
            ObjectNode merged = ((ObjectNode) old).deepCopy();
            merged.setAll((ObjectNode) add);
            return JSON.writeValueAsString(merged);
        } catch (JsonProcessingException e) {
            return incoming;
        }
    }
}
