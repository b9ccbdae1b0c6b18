package dev.loyalty.engine.idempotency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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

    /** A clean close leaves its ids in table files: the next open has no WAL to replay (a start waited for that). */
    @Test
    void shouldLeaveNoWalToReplayAfterACleanClose() throws IOException {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            for (int i = 0; i < 1000; i++) {
                index.put("id-" + i, new IdempotencyIndex.Entry(i, i, 1000 + i, "c-" + i));
            }
            index.checkpoint(999);
        }
        try (Stream<Path> files = Files.list(dir)) {
            long walBytes = files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .mapToLong(IdempotencyIndexTest::size).sum();
            assertThat(walBytes).as("bytes of WAL left for the next open to replay").isZero();
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            assertThat(index.checkpoint()).isEqualTo(999);
            assertThat(index.get("id-500")).isEqualTo(new IdempotencyIndex.Entry(500, 500, 1500, "c-500"));
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    @Test
    void shouldAnswerNewIdsFromMemoryAndStillFindTheIdsOfAnEarlierRunOnDisk() throws InterruptedException {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("kept", new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            assertThat(index.inMemory("kept")).as("put, not written yet").isTrue();
            index.flush();
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            assertThat(index.awaitFilter(10_000)).as("the filter read the stored ids").isTrue();
            // The filter must know the stored id, else get would deny it without reading RocksDB.
            assertThat(index.inMemory("kept")).as("stored by an earlier run: may need the disk").isFalse();
            assertThat(index.get("kept")).isEqualTo(new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            int fromMemory = 0;
            for (int i = 0; i < 1000; i++) {
                if (index.inMemory("new-" + i)) {
                    fromMemory++;
                }
                assertThat(index.get("new-" + i)).isNull();
            }
            assertThat(fromMemory).as("new ids answered without the disk").isGreaterThan(990);
        }
    }

    /**
     * Opened without the filter scan (the engine's start): every lookup may read the disk until the scan is
     * started; ids put before it and written, or still unwritten, are in the filter it builds.
     */
    @Test
    void shouldBuildTheFilterOnlyWhenTheDeferredScanIsStarted() throws InterruptedException {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("earlier-run", new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, false)) {
            assertThat(index.awaitFilter(1_000)).as("no scan before it is started").isFalse();
            assertThat(index.inMemory("new-1")).as("no filter: a new id may need the disk").isFalse();
            index.put("written-before-scan", new IdempotencyIndex.Entry(2, 22, 2000, "c-2"));
            index.flush();
            index.put("unwritten-at-scan", new IdempotencyIndex.Entry(3, 33, 3000, "c-3"));
            index.startFilterScan();
            index.startFilterScan(); // once: a second call changes nothing
            assertThat(index.awaitFilter(10_000)).as("the started scan made the filter").isTrue();
            assertThat(index.inMemory("new-1")).as("new id answered from the filter").isTrue();
            index.flush();
            for (String id : new String[] {"earlier-run", "written-before-scan", "unwritten-at-scan"}) {
                assertThat(index.inMemory(id)).as(id + " is in the filter: a lookup reads the disk").isFalse();
                assertThat(index.get(id)).as(id).isNotNull();
            }
        }
    }

    @Test
    void shouldDropExpiredIdsFromTheFilterAtARescanAndKeepTheOthers() throws InterruptedException {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, 10)) {
            assertThat(index.awaitFilter(10_000)).isTrue();
            for (int i = 0; i < 100; i++) {
                index.put("id-" + i, new IdempotencyIndex.Entry(i, i, i < 80 ? 1000 : 5000, "c-1"));
            }
            index.flush();
            assertThat(index.expireBefore(2000)).isEqualTo(80);
            assertThat(index.inMemory("id-1")).as("expired, but still in the old filter").isFalse();
            index.rescanFilterWhenWorthIt();
            assertThat(index.awaitFilter(10_000)).isTrue();
            int expiredFromMemory = 0;
            for (int i = 0; i < 100; i++) {
                if (i < 80) {
                    expiredFromMemory += index.inMemory("id-" + i) ? 1 : 0;
                    assertThat(index.get("id-" + i)).isNull();
                } else {
                    assertThat(index.inMemory("id-" + i)).as("kept id-%d needs the disk", i).isFalse();
                    assertThat(index.get("id-" + i)).isNotNull();
                }
            }
            assertThat(expiredFromMemory).as("expired ids answered from memory again").isGreaterThan(75);
        }
    }

    @Test
    void shouldNeverLoseAnIdPutWhileAFilterScanRuns() throws Exception {
        int n = 200_000;
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, 1000)) {
            Thread writer = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    index.put("w-" + i, new IdempotencyIndex.Entry(i, i, 1000, "c-1"));
                    if (i % 1000 == 0) {
                        index.flush();
                    }
                }
            });
            writer.start();
            int scans = 0;
            while (writer.isAlive()) {
                index.rescanFilterWhenWorthIt();
                index.awaitFilter(10);
                scans++;
            }
            writer.join();
            index.flush();
            index.rescanFilterWhenWorthIt();
            assertThat(index.awaitFilter(10_000)).isTrue();
            assertThat(scans).isGreaterThan(1);
            for (int i = 0; i < n; i++) {
                assertThat(index.get("w-" + i)).as("w-%d", i).isNotNull();
            }
        }
    }
}
