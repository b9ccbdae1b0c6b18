package dev.loyalty.engine.core;

import dev.loyalty.engine.config.RulesConfig.CustomAction;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The codec's commit path ({@link CoreCustomerCodec#encodeInto}: one buffer, ids copied from the table's chars)
 * writes exactly the stored format's bytes ({@link ReferenceCustomerEncoder}), for rows the random journals of
 * {@code CoreCustomerCodecTest} do not make: non-ASCII transaction ids, customer ids and attributes, lots whose
 * head has moved, extreme numbers, a row far larger than the buffer's first size, and one buffer reused from a
 * large row to a small one.
 */
class CoreCustomerCodecBytesTest {

    private static final List<CustomAction> ACTIONS = List.of(new CustomAction("review", 10, "points", true),
            new CustomAction("survé", 5, "points", true), new CustomAction("daily", 1, "points", false));

    @Test
    void shouldWriteTheReferenceBytesForUnusualRows() {
        CustomerTable table = new CustomerTable(8, 2);
        CoreCustomerCodec codec = new CoreCustomerCodec(ACTIONS);
        ReferenceCustomerEncoder reference = new ReferenceCustomerEncoder(ACTIONS);
        SplittableRandom random = new SplittableRandom(7);

        int big = fill(table.create("big-ü-\uD83D\uDE00"), table, random, 3000, "t-ä-");
        int plain = fill(table.create("plain"), table, random, 2, "T");
        int blank = table.create("never-opted-in");
        int edge = table.create("edge");
        table.exists(edge, true);
        table.optedInAtMs(edge, Long.MIN_VALUE);
        table.lastActivityAtMs(edge, Long.MAX_VALUE);
        table.counter(edge, 1, CustomerTable.COUNTERS - 1, Long.MIN_VALUE);
        table.attributesJson(edge, "{\"name\":\"Zoë \uD83D\uDE00\",\"lone\":\"\uD800\"}");
        table.transactions(edge).add(Transactions.SPEND, Transactions.OPEN, "ÿ", 1, -1, Long.MAX_VALUE,
                Long.MIN_VALUE, -5, true, Long.MIN_VALUE);
        table.lots(plain, 0).take(1, null); // the head moves: the record starts from it

        // a new codec's buffer grows inside encode: the copy must come from the grown one
        assertThat(new CoreCustomerCodec(ACTIONS).encode(table, big)).isEqualTo(reference.encode(table, big));
        for (int slot : new int[] {big, plain, blank, edge, big, plain}) {
            byte[] expected = reference.encode(table, slot);
            int length = codec.encodeInto(table, slot);
            assertThat(Arrays.copyOf(codec.buffer(), length)).as(table.id(slot)).isEqualTo(expected);
            assertThat(codec.encode(table, slot)).isEqualTo(expected);
        }
        assertThat(reference.encode(table, big).length).as("the big row outgrows the first buffer").isGreaterThan(10_000);

        // and the bytes read back into the same row
        CustomerTable copy = new CustomerTable(8, 2);
        CoreCustomerCodec reader = new CoreCustomerCodec(ACTIONS);
        for (int slot : new int[] {big, plain, edge}) {
            int to = reader.decode(codec.encode(table, slot), copy);
            assertThat(reference.encode(copy, to)).isEqualTo(reference.encode(table, slot));
        }
    }

    /**
     * The load path's decode under a known id ({@code PartitionState} reads the record by that id's key) reads the
     * same row as the plain decode, for ASCII and non-ASCII ids, and refuses a record stored under another id
     * (same length, other length, non-ASCII), a truncated one, and leaves no row behind when it refuses.
     */
    @Test
    void shouldDecodeUnderTheKnownIdAndRefuseAnotherId() {
        CustomerTable table = new CustomerTable(8, 2);
        CoreCustomerCodec codec = new CoreCustomerCodec(ACTIONS);
        ReferenceCustomerEncoder reference = new ReferenceCustomerEncoder(ACTIONS);
        SplittableRandom random = new SplittableRandom(9);
        int ascii = fill(table.create("c-123"), table, random, 20, "T");
        int other = fill(table.create("\u00fc-\uD83D\uDE00"), table, random, 5, "t-\u00e4-");
        byte[] asciiBytes = codec.encode(table, ascii);
        byte[] otherBytes = codec.encode(table, other);

        CustomerTable copy = new CustomerTable(8, 2);
        int to = codec.decode(asciiBytes, copy, "c-123");
        assertThat(copy.id(to)).isEqualTo("c-123");
        assertThat(reference.encode(copy, to)).isEqualTo(reference.encode(table, ascii));
        assertThat(copy.dirty(to)).as("loaded rows are clean").isFalse();
        to = codec.decode(otherBytes, copy, "\u00fc-\uD83D\uDE00");
        assertThat(reference.encode(copy, to)).isEqualTo(reference.encode(table, other));

        CustomerTable empty = new CustomerTable(8, 2);
        for (String wrong : new String[] {"c-124", "c-12", "c-1234", "c-12\u00e9", "\u00fc-\uD83D\uDE01", "\u00fc"}) {
            byte[] bytes = wrong.startsWith("c") ? asciiBytes : otherBytes;
            assertThatThrownBy(() -> codec.decode(bytes, empty, wrong)).as(wrong)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(asciiBytes, asciiBytes.length / 2), empty, "c-123"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(empty.size()).as("a refused record leaves no row").isZero();
    }

    private static int fill(int slot, CustomerTable table, SplittableRandom random, int n, String txnPrefix) {
        table.exists(slot, true);
        table.active(slot, true);
        table.optedInAtMs(slot, 1_700_000_000_000L);
        table.onceDone(slot, 0b011);
        table.attributesJson(slot, "{\"country\":\"DE\"}");
        PartBuffer parts = new PartBuffer();
        for (int i = 0; i < n; i++) {
            long t = 1_700_000_000_000L + random.nextLong(1L << 36);
            table.lots(slot, i & 1).insert(t, i, 1 + random.nextLong(1000));
            table.qualifying(slot).add(1_700_000_000_000L + i, i, random.nextLong(-50, 5000));
            Transactions txns = table.transactions(slot);
            int row = txns.add((byte) (i % 3), (byte) (i % 2), txnPrefix + i, i & 1, t, i, random.nextLong(1 << 20),
                    random.nextLong(1 << 16), (i & 4) != 0, i % 5 == 0 ? Long.MAX_VALUE : t + 1000);
            parts.clear();
            for (int p = 0; p < i % 4; p++) {
                parts.add(t - p, i - p, p + 1);
            }
            txns.setParts(row, parts);
        }
        return slot;
    }
}
