package dev.loyalty.engine.idempotency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The index on a real RocksDB: ids are seen at once, written behind, and kept across a reopen. */
class IdempotencyIndexTest {

    @TempDir
    Path dir;

    @Test
    void shouldFindAnIdAtOnceAndAfterItsWrite() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            IdempotencyIndex.Entry e = new IdempotencyIndex.Entry(7, 42, 1000, "c-1");
            index.put("e-1", e);
            assertThat(index.get("e-1")).isEqualTo(e);
            assertThat(index.flush()).isEqualTo(1);
            assertThat(index.flush()).isZero();
            assertThat(index.get("e-1")).isEqualTo(e);
            assertThat(index.get("e-2")).isNull();
        }
    }

    @Test
    void shouldKeepIdsPutBeforeACheckpointOrACloseAcrossAReopen() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("a", new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            index.checkpoint(123);
            index.put("b", new IdempotencyIndex.Entry(2, 22, 1001, "c-2"));
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            assertThat(index.checkpoint()).isEqualTo(123);
            assertThat(index.get("a")).isEqualTo(new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            assertThat(index.get("b")).isEqualTo(new IdempotencyIndex.Entry(2, 22, 1001, "c-2"));
        }
    }

    @Test
    void shouldExpireOnlyIdsFirstSeenBeforeTheCutOff() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("old", new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            index.put("new", new IdempotencyIndex.Entry(2, 22, 5000, "c-1"));
            index.flush();
            assertThat(index.expireBefore(2000)).isEqualTo(1);
            assertThat(index.get("old")).isNull();
            assertThat(index.get("new")).isNotNull();
            // an id reused after its expiry is kept under its new time
            index.put("old", new IdempotencyIndex.Entry(3, 33, 6000, "c-2"));
            index.flush();
            assertThat(index.expireBefore(5500)).isEqualTo(1);
            assertThat(index.get("old")).isEqualTo(new IdempotencyIndex.Entry(3, 33, 6000, "c-2"));
            assertThat(index.get("new")).isNull();
        }
    }

    @Test
    void shouldForgetAnIdAtLookupOnceTheClockPassesItsRetentionWithoutAnExpiryPass() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            IdempotencyIndex.Entry e = new IdempotencyIndex.Entry(1, 11, 1000, "c-1");
            index.put("a", e);
            assertThat(index.get("a", 1500, 500)).isEqualTo(e);
            assertThat(index.get("a", 1501, 500)).isNull();
            index.flush();
            assertThat(index.get("a", 1500, 500)).isEqualTo(e);
            assertThat(index.get("a", 1501, 500)).isNull();
            assertThat(index.get("a")).as("kept until an expiry pass collects it").isEqualTo(e);
        }
    }
}
