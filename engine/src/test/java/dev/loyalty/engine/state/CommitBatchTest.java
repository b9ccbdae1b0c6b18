package dev.loyalty.engine.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commit batch's direct puts (reused buffers) store exactly the keys and values of the array puts with
 * {@link Keys}: customer rows (ASCII ids, non-ASCII ids, ids and values too long for the buffers), due keys put and
 * deleted at negative and positive times, over two commits of one batch object, read back after a reopen.
 */
class CommitBatchTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldStoreWhatTheArrayPutsStore() {
        String longId = "x".repeat(CommitBatch.DIRECT_KEY + 5);
        String[] ids = {"c-1", "c-2", "zoë", longId, "big", "c-3"};
        byte[] big = new byte[CommitBatch.DIRECT_VALUE + 1];
        Arrays.fill(big, (byte) 7);
        try (PartitionStore direct = PartitionStore.open(dir.resolve("direct"), null, false);
             PartitionStore arrays = PartitionStore.open(dir.resolve("arrays"), null, false);
             CommitBatch batch = new CommitBatch()) {
            for (int round = 0; round < 2; round++) {
                try (org.rocksdb.WriteBatch plain = new org.rocksdb.WriteBatch()) {
                    for (int i = 0; i < ids.length; i++) {
                        byte[] value = ids[i].equals("big") ? big : row(i, round);
                        // a longer buffer than the value: only the first length bytes are the row
                        byte[] padded = Arrays.copyOf(value, value.length + 9);
                        batch.putCustomer(ids[i], padded, value.length);
                        plain.put(Keys.customer(ids[i]), value);
                        long due = (i - 2) * 86_400_000L + round;
                        batch.putDue(due, ids[i]);
                        plain.put(Keys.due(due, ids[i]), new byte[0]);
                        if (round == 1) {
                            batch.deleteDue(due - 1, ids[i]); // round 0's key of this id
                            plain.delete(Keys.due(due - 1, ids[i]));
                        }
                    }
                    batch.commitTo(direct);
                    arrays.commit(plain);
                } catch (org.rocksdb.RocksDBException e) {
                    throw new AssertionError(e);
                }
            }
            assertThat(direct.firstDifference(arrays)).isNull();
            AtomicInteger keys = new AtomicInteger();
            direct.forEach((k, v) -> keys.incrementAndGet() > 0);
            assertThat(keys.get()).as("rows and the second round's due keys").isEqualTo(2 * ids.length);
            assertThat(direct.get(Keys.customer("zoë"))).isEqualTo(row(2, 1));
            assertThat(direct.get(Keys.customer("big"))).isEqualTo(big);
        }
        try (PartitionStore reopened = PartitionStore.open(dir.resolve("direct"), null, false)) {
            assertThat(reopened.get(Keys.customer("c-3"))).as("after a reopen").isEqualTo(row(5, 1));
            assertThat(reopened.get(Keys.due(-2 * 86_400_000L + 1, "c-1"))).isEqualTo(new byte[0]);
            assertThat(reopened.get(Keys.due(-2 * 86_400_000L, "c-1"))).as("deleted in round 1").isNull();
        }
    }

    private static byte[] row(int i, int round) {
        byte[] b = new byte[40 + i];
        for (int j = 0; j < b.length; j++) {
            b[j] = (byte) (i * 31 + j + round);
        }
        return b;
    }
}
