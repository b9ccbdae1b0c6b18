package dev.loyalty.engine.rules;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-pass profile merge gives what the Jackson tree merge ({@link ReferenceProfileMerge}) gives, for random
 * pairs of inputs: compact objects as the API stores them (the pass's own inputs: nested objects and arrays,
 * non-ASCII and lone surrogates, DEL, duplicate keys at the top level, long integers) and everything it hands to the
 * tree (duplicate nested keys, decimals, {@code -0}, escapes, whitespace, trailing content, invalid JSON, other roots).
 */
class ProfileMergeTest {

    private static final String[] KEYS = {"country", "newsletter", "a", "b", "", "ünï", "k\uD83D\uDE00", "\uD800x"};

    @Test
    void shouldMergeAsTheJacksonTreeOnRandomInputs() {
        SplittableRandom random = new SplittableRandom(42);
        ProfileMerge merge = new ProfileMerge();
        int compared = 0;
        for (int i = 0; i < 200_000; i++) {
            String existing = random.nextInt(50) == 0 ? null : document(random);
            String incoming = random.nextInt(50) == 0 ? null : document(random);
            String expected = ReferenceProfileMerge.merge(existing, incoming);
            // a view, as the journal's bytes give it, and a plain string
            CharSequence view = incoming == null ? null : new StringBuilder(incoming);
            assertThat(merge.merged(existing, view)).as("merge of %s and %s", existing, incoming).isEqualTo(expected);
            assertThat(ProfileMerge.merge(existing, incoming)).as("merge of %s and %s", existing, incoming)
                    .isEqualTo(expected);
            compared++;
        }
        assertThat(compared).isEqualTo(200_000);
        // the pass, not the tree, must have answered most of them, or this test compares the tree with itself
        assertThat(merge.treeMerges()).as("merges left to the tree").isLessThan(100_000);
    }

    @Test
    void shouldMergeTheCommonCasesInOnePass() {
        ProfileMerge merge = new ProfileMerge();
        assertThat(merge.merged("{\"country\":\"DE\"}", "{\"newsletter\":true}"))
                .isEqualTo("{\"country\":\"DE\",\"newsletter\":true}");
        assertThat(merge.merged("{\"a\":1,\"b\":[1,{\"c\":null}],\"a\":2}", "{\"b\":{},\"d\":-5}"))
                .isEqualTo("{\"a\":2,\"b\":{},\"d\":-5}");
        String same = "{\"country\":\"DE\"}";
        assertThat(merge.merged(same, "{\"country\":\"DE\"}")).as("an unchanged merge keeps the stored string")
                .isSameAs(same);
        assertThat(merge.treeMerges()).isZero();
        assertThat(merge.merged("{\"x\":1.50}", "{\"y\":1}")).isEqualTo("{\"x\":1.5,\"y\":1}");
        assertThat(merge.merged("[1]", "{\"y\":1}")).isEqualTo("{\"y\":1}");
        assertThat(merge.merged("{\"x\":1}", "{\"y\"")).isEqualTo("{\"y\"");
        assertThat(merge.treeMerges()).isEqualTo(3);
    }

    /** Mostly a compact object; sometimes a variation the pass leaves to the tree or an invalid document. */
    private static String document(SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        int kind = random.nextInt(40);
        if (kind == 0) {
            value(random, b, 2, false);
            return b.toString();
        }
        object(random, b, 0, kind == 1, kind == 2);
        if (kind == 3) {
            b.append(random.nextBoolean() ? " " : "}x");
        } else if (kind == 4 && b.length() > 1) {
            b.setLength(random.nextInt(b.length()));
        } else if (kind == 5) {
            b.insert(random.nextInt(b.length() + 1), "\",:[]{}1-. \\\t".charAt(random.nextInt(13)));
        }
        return b.toString();
    }

    private static void object(SplittableRandom random, StringBuilder b, int depth, boolean odd, boolean space) {
        b.append('{');
        int n = random.nextInt(depth == 0 ? 5 : 3);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(space ? ", " : ",");
            }
            // duplicates at every level: the top level's are the pass's, nested ones go to the tree
            string(random, b, depth > 0 && !odd && random.nextInt(5) != 0 ? KEYS[i] + depth : key(random), odd);
            b.append(space ? ": " : ":");
            value(random, b, depth + 1, odd);
        }
        b.append('}');
    }

    private static String key(SplittableRandom random) {
        return KEYS[random.nextInt(KEYS.length)];
    }

    private static void value(SplittableRandom random, StringBuilder b, int depth, boolean odd) {
        int kind = random.nextInt(depth > 3 ? 6 : 8);
        switch (kind) {
            case 0 -> string(random, b, text(random, odd), odd);
            case 1 -> b.append(random.nextBoolean() ? "true" : "false");
            case 2 -> b.append("null");
            case 3 -> b.append(random.nextLong() >> random.nextInt(64));
            case 4 -> b.append(odd ? new String[] {"-0", "1.50", "1e3", "0.1", "123456789012345678901", "-0.0",
                    "1E+3", "007"}[random.nextInt(8)] : Long.toString(random.nextInt(1000) - 500));
            case 5 -> string(random, b, Integer.toString(random.nextInt(100)), odd);
            case 6 -> object(random, b, depth, odd, false);
            default -> {
                b.append('[');
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    value(random, b, depth + 1, odd);
                }
                b.append(']');
            }
        }
    }

    private static String text(SplittableRandom random, boolean odd) {
        StringBuilder t = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            int c = switch (random.nextInt(odd ? 8 : 6)) {
                case 0 -> 'a' + random.nextInt(26);
                case 1 -> 0x7F;
                case 2 -> 0xA0 + random.nextInt(0x700);
                case 3 -> 0xD800 + random.nextInt(0x800); // lone surrogates, high and low
                case 4 -> 0x2028 + random.nextInt(2);
                case 5 -> '/';
                case 6 -> random.nextInt(0x20); // control chars: invalid unescaped
                default -> "\\\"".charAt(random.nextInt(2));
            };
            t.append((char) c);
        }
        return t.toString();
    }

    /** A JSON string of {@code s}: escaped where the odd variant asks (then the tree unescapes it). */
    private static void string(SplittableRandom random, StringBuilder b, String s, boolean odd) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (odd && (c == '"' || c == '\\' || random.nextInt(10) == 0)) {
                b.append(random.nextBoolean() ? String.format("\\u%04x", (int) c) : c == '/' ? "\\/" : "\\" + c);
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
