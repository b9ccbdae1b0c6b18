package dev.loyalty.engine.idempotency;

import dev.loyalty.engine.state.BinaryWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    /** The expiry order is one key per flush: an old flush's ids expire, a newer flush's ids stay. */
    @Test
    void shouldExpireTheIdsOfAnOldFlushAndKeepTheIdsOfANewerOne() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("old-1", new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            index.put("old-2", new IdempotencyIndex.Entry(2, 22, 1001, "c-2"));
            assertThat(index.flush()).isEqualTo(2);
            index.put("new-1", new IdempotencyIndex.Entry(3, 33, 5000, "c-1"));
            assertThat(index.flush()).isEqualTo(1);
            assertThat(index.expireBefore(1001)).as("only the id older than the cut-off").isEqualTo(1);
            assertThat(index.get("old-1")).isNull();
            assertThat(index.get("old-2")).isNotNull();
            assertThat(index.expireBefore(2000)).as("the rest of the old flush").isEqualTo(1);
            assertThat(index.get("old-2")).isNull();
            assertThat(index.get("new-1")).isEqualTo(new IdempotencyIndex.Entry(3, 33, 5000, "c-1"));
            assertThat(index.expireBefore(2000)).as("nothing left that old").isZero();
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            assertThat(index.get("new-1")).as("kept across a reopen").isNotNull();
            assertThat(index.expireBefore(5001)).isEqualTo(1);
            assertThat(index.get("new-1")).isNull();
        }
    }

    /**
     * Flush keys are numbered across runs: a flush of a new run whose oldest id has the same time as one of an
     * earlier run must not replace that run's list (whose ids would then never be collected).
     */
    @Test
    void shouldExpireIdsOfFlushesOfTwoRunsWithTheSameOldestTime() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("first-run", new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            index.flush();
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("second-run", new IdempotencyIndex.Entry(2, 22, 1000, "c-2"));
            index.flush();
            assertThat(index.expireBefore(2000)).isEqualTo(2);
            assertThat(index.get("first-run")).isNull();
            assertThat(index.get("second-run")).isNull();
        }
    }

    /** One pass reads a bounded number of ids and says when older ones are left; the next pass goes on. */
    @Test
    void shouldExpireABacklogLargerThanOnePassOverSeveralPasses() {
        int n = IdempotencyIndex.MAX_EXPIRED_PER_PASS + 10_000;
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            for (int i = 0; i < n; i++) {
                index.put("id-" + i, new IdempotencyIndex.Entry(i, i, 1000, "c-1"));
                if (i % 5000 == 4999) {
                    index.flush();
                }
            }
            index.put("kept", new IdempotencyIndex.Entry(n, n, 3000, "c-1"));
            index.flush();
            int first = index.expireBefore(2000);
            assertThat(first).isBetween(IdempotencyIndex.MAX_EXPIRED_PER_PASS, n - 1);
            assertThat(index.expiryBehind()).isTrue();
            assertThat(index.expireBefore(2000)).isEqualTo(n - first);
            assertThat(index.expiryBehind()).isFalse();
            assertThat(index.get("id-0")).isNull();
            assertThat(index.get("id-" + (n - 1))).isNull();
            assertThat(index.get("kept")).isNotNull();
        }
    }

    /**
     * An index written before the flush keys (one {@code T ingest id} key per id, as main wrote it) is read as
     * it is: its ids are found and expire exactly as before, beside ids written in the new layout.
     */
    @Test
    void shouldReadAndExpireAnIndexWrittenWithOneTimeKeyPerId() throws RocksDBException {
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
            legacyPut(db, "legacy-old", new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            legacyPut(db, "legacy-new", new IdempotencyIndex.Entry(2, 22, 5000, "c-2"));
            db.put(new byte[] {'P'}, new BinaryWriter(8).writeLong(77).toBytes());
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            assertThat(index.checkpoint()).isEqualTo(77);
            assertThat(index.get("legacy-old")).isEqualTo(new IdempotencyIndex.Entry(1, 11, 1000, "c-1"));
            index.put("current", new IdempotencyIndex.Entry(3, 33, 1500, "c-3"));
            index.flush();
            assertThat(index.expireBefore(2000)).as("the legacy id and the new one").isEqualTo(2);
            assertThat(index.get("legacy-old")).isNull();
            assertThat(index.get("current")).isNull();
            assertThat(index.get("legacy-new")).isEqualTo(new IdempotencyIndex.Entry(2, 22, 5000, "c-2"));
            assertThat(index.expireBefore(6000)).isEqualTo(1);
            assertThat(index.get("legacy-new")).isNull();
        }
    }

    /** {@code I id -> seq hash ingest customer} and {@code T ingest id -> ""}: the layout before the flush keys. */
    private static void legacyPut(RocksDB db, String id, IdempotencyIndex.Entry e) throws RocksDBException {
        byte[] s = id.getBytes(StandardCharsets.UTF_8);
        byte[] idKey = new byte[s.length + 1];
        idKey[0] = 'I';
        System.arraycopy(s, 0, idKey, 1, s.length);
        db.put(idKey, new BinaryWriter(64).writeLong(e.seq()).writeLong(e.bodyHash()).writeLong(e.ingestMs())
                .writeString(e.customer()).toBytes());
        byte[] time = new BinaryWriter(8).writeLong(e.ingestMs() ^ Long.MIN_VALUE).toBytes();
        byte[] timeKey = new byte[9 + s.length];
        timeKey[0] = 'T';
        System.arraycopy(time, 0, timeKey, 1, 8);
        System.arraycopy(s, 0, timeKey, 9, s.length);
        db.put(timeKey, new byte[0]);
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
