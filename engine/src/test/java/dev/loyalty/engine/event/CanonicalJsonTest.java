package dev.loyalty.engine.event;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CanonicalJson} writes the same canonical bytes, hence the same idempotency hash, as the builder it
 * replaced ({@link CanonicalJsonBefore}): the id index and the journal hold those hashes. Random values of
 * every shape the reader streams: nested objects with keys in and out of order (past the insertion sort's 32
 * members too), escapes, non-ASCII text with pairs and lone surrogates, and every kind of number.
 */
class CanonicalJsonTest {

    @Property(tries = 2000)
    void shouldWriteTheBytesAndHashOfTheBuilderItReplaced(@ForAll long seed) {
        CanonicalJson now = new CanonicalJson();
        CanonicalJsonBefore before = new CanonicalJsonBefore();
        SplittableRandom random = new SplittableRandom(seed);
        for (int value = 0; value < 3; value++) { // reused, as on an event loop
            now.reset();
            before.reset();
            writeValue(random, 0, now, before);
            assertThat(now.text().getBytes(StandardCharsets.UTF_8))
                    .isEqualTo(before.text().getBytes(StandardCharsets.UTF_8));
            assertThat(now.hash()).isEqualTo(before.hash());
        }
    }

    private static void writeValue(SplittableRandom random, int depth, CanonicalJson now, CanonicalJsonBefore before) {
        int kind = random.nextInt(depth < 4 ? 9 : 7);
        switch (kind) {
            case 0 -> {
                String s = text(random);
                now.string(s);
                before.string(s);
            }
            case 1 -> {
                long v = random.nextInt(4) == 0 ? random.nextLong()
                        : random.nextLong(-1_000_000, 1_000_000) * (long) Math.pow(10, random.nextInt(8));
                now.number(v);
                before.number(v);
            }
            case 2 -> {
                long unscaled = random.nextInt(8) == 0 ? random.nextLong() : random.nextLong(-100_000, 100_000);
                int scale = random.nextInt(-3, 12);
                now.number(unscaled, scale);
                before.number(unscaled, scale);
            }
            case 3 -> {
                BigDecimal d = new BigDecimal(random.nextLong()).scaleByPowerOfTen(random.nextInt(-30, 30));
                now.number(d);
                before.number(d);
            }
            case 4 -> {
                boolean b = random.nextBoolean();
                now.bool(b);
                before.bool(b);
            }
            case 5 -> {
                now.nul();
                before.nul();
            }
            case 6 -> {
                long v = random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
                now.number(v);
                before.number(v);
            }
            case 7 -> {
                now.startArray();
                before.startArray();
                for (int i = random.nextInt(5); i > 0; i--) {
                    writeValue(random, depth + 1, now, before);
                }
                now.endArray();
                before.endArray();
            }
            default -> {
                now.startObject();
                before.startObject();
                int members = random.nextInt(10) == 0 ? random.nextInt(30, 45) : random.nextInt(7);
                boolean sorted = random.nextBoolean();
                for (int i = 0; i < members; i++) {
                    String key = sorted ? "k" + (char) ('a' + i) : random.nextInt(3) == 0 ? text(random)
                            : "k" + random.nextInt(50);
                    now.field(key);
                    before.field(key);
                    writeValue(random, depth + 1, now, before);
                }
                now.endObject();
                before.endObject();
            }
        }
    }

    /** Mostly ASCII; sometimes escapes, 2- and 3-byte chars, surrogate pairs and lone surrogates. */
    private static String text(SplittableRandom random) {
        int n = random.nextInt(12);
        StringBuilder s = new StringBuilder(n);
        int mix = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            int pick = mix == 0 ? 0 : random.nextInt(8);
            switch (pick) {
                case 1 -> s.append((char) random.nextInt(0x20));
                case 2 -> s.append(random.nextBoolean() ? '"' : '\\');
                case 3 -> s.append((char) random.nextInt(0x80, 0x800));
                case 4 -> s.append((char) random.nextInt(0x800, 0xD800));
                case 5 -> s.appendCodePoint(random.nextInt(0x10000, 0x110000));
                case 6 -> s.append((char) random.nextInt(0xD800, 0xE000)); // lone surrogate
                default -> s.append((char) random.nextInt(0x20, 0x7F));
            }
        }
        return s.toString();
    }
}
