package dev.loyalty.engine.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PartitionStore#beforeFlush}: the action runs as each flush begins (asked for, a checkpoint's, the
 * close's), not at commits; a failed action refuses the next commit, so the partition stops instead of going on
 * with marks RocksDB made durable before what they point into.
 */
class PartitionStoreFlushHookTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldRunTheActionBeforeEachFlushAndNeverAtACommit() {
        AtomicInteger runs = new AtomicInteger();
        try (PartitionStore store = PartitionStore.open(dir.resolve("s"), null, false)) {
            store.beforeFlush(runs::incrementAndGet);
            commit(store, "a");
            commit(store, "b");
            assertThat(runs.get()).as("commits alone").isZero();
            store.flush();
            assertThat(runs.get()).as("after a flush").isEqualTo(1);
            commit(store, "c");
            store.checkpointTo(dir.resolve("backup"));
            assertThat(runs.get()).as("a checkpoint flushes what is committed first").isEqualTo(2);
            commit(store, "d");
        }
        assertThat(runs.get()).as("the close flushes the last commit").isEqualTo(3);
    }

    @Test
    @Timeout(60)
    void shouldRefuseTheNextCommitOnceTheActionFailed() {
        try (PartitionStore store = PartitionStore.open(dir.resolve("s"), null, false)) {
            store.beforeFlush(() -> {
                throw new IllegalStateException("disk gone");
            });
            commit(store, "a");
            store.flush();
            assertThatThrownBy(() -> commit(store, "b")).isInstanceOf(StateException.class)
                    .hasMessageContaining("disk gone");
            store.beforeFlush(() -> { });
        }
    }

    private static void commit(PartitionStore store, String key) {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {1});
            store.commit(batch);
        } catch (RocksDBException e) {
            throw new AssertionError(e);
        }
    }
}
