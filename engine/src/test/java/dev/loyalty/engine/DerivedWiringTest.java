package dev.loyalty.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The partitions' outcomes and ledger entries live in their derived logs (state format 3): pages follow the
 * head the customer's record keeps, across restarts; RocksDB holds no outcome or ledger keys; a log that lost
 * committed bytes refuses the start; a replay compares the logs byte for byte.
 */
@Timeout(300)
class DerivedWiringTest {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final int ADDS = 230;

    @TempDir
    Path dir;

    private EngineConfig config() {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", dir.resolve("data").toString(), "partitions", "1"));
    }

    private static LoyaltyEngine start(EngineConfig config) throws Exception {
        return Eventually.ready(Engine.start(config, new SimpleMeterRegistry()));
    }

    private static EventResult post(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        Submission s = engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0);
        assertThat(s.refusal()).isNull();
        return s.result().get(10, TimeUnit.SECONDS);
    }

    /** Two customers' entries interleaved in one log; returns the seq of b's first point_add. */
    private static long fill(LoyaltyEngine engine) throws Exception {
        post(engine, "{\"customer\":\"a\",\"action\":\"opt_in\"}");
        post(engine, "{\"customer\":\"b\",\"action\":\"opt_in\"}");
        post(engine, "{\"customer\":\"quiet\",\"action\":\"opt_in\"}");
        long first = 0;
        for (int i = 1; i <= ADDS; i++) {
            post(engine, "{\"customer\":\"a\",\"action\":\"point_add\",\"data\":{\"points\":" + i + "}}");
            EventResult r = post(engine, "{\"customer\":\"b\",\"action\":\"point_add\",\"data\":{\"points\":"
                    + (1000 + i) + "}}");
            if (i == 1) {
                first = r.outcome().seq();
            }
        }
        return first;
    }

    /** Every entry of the customer, newest first, through pages of 100 (`before` = the previous `next_before`). */
    private static List<LedgerEntry> allPages(LoyaltyEngine engine, String customer) throws Exception {
        List<LedgerEntry> all = new ArrayList<>();
        long before = Long.MAX_VALUE;
        while (true) {
            LedgerPage page = engine.ledger(customer, 100, before).get(10, TimeUnit.SECONDS);
            all.addAll(page.entries());
            if (page.nextBefore() < 0) {
                return all;
            }
            assertThat(page.entries()).hasSize(100);
            before = page.nextBefore();
        }
    }

    @Test
    void shouldPageLedgersFromTheDerivedLogAcrossRestartsWithoutRocksDbKeys() throws Exception {
        long firstOfB;
        List<LedgerEntry> a;
        List<LedgerEntry> b;
        try (LoyaltyEngine engine = start(config())) {
            firstOfB = fill(engine);
            a = allPages(engine, "a");
            b = allPages(engine, "b");
        }
        assertThat(a).extracting(LedgerEntry::points).contains((long) ADDS, 1L).doesNotContain(1001L);
        assertThat(a.stream().filter(e -> e.action().equals("point_add")).count()).isEqualTo(ADDS);
        assertThat(b.stream().filter(e -> e.action().equals("point_add")).count()).isEqualTo(ADDS);
        assertThat(a).extracting(LedgerEntry::id).isSortedAccordingTo((x, y) -> Long.compare(y, x));

        try (LoyaltyEngine engine = start(config())) {
            // the heads come back from the customers' stored records
            assertThat(allPages(engine, "a")).isEqualTo(a);
            assertThat(allPages(engine, "b")).isEqualTo(b);
            LedgerPage quiet = engine.ledger("quiet", 100, Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
            assertThat(quiet.entries()).isEqualTo(allPages(engine, "quiet"));
            assertThat(quiet.nextBefore()).isEqualTo(-1);
            assertThat(engine.ledger("nobody", 100, Long.MAX_VALUE).get(10, TimeUnit.SECONDS)).isNull();
            EventStatus status = engine.event(firstOfB).get(10, TimeUnit.SECONDS);
            assertThat(status.kind()).isEqualTo(EventStatus.Kind.DONE);
            assertThat(status.outcome().customer()).isEqualTo("b");
            assertThat(status.outcome().effects()).extracting(LedgerEntry::points).containsExactly(1001L);
        }
        try (PartitionStore store = PartitionStore.openReadOnly(dir.resolve("data/state/p0"))) {
            List<String> derivedKeys = new ArrayList<>();
            store.forEach((k, v) -> {
                if (k[0] == Keys.OUTCOME || k[0] == Keys.LEDGER) {
                    derivedKeys.add(new String(k));
                }
                return true;
            });
            assertThat(derivedKeys).as("outcome or ledger keys in RocksDB").isEmpty();
        }
    }

    @Test
    void shouldRefuseToStartWhenTheLedgerLogLostCommittedBytes() throws Exception {
        try (LoyaltyEngine engine = start(config())) {
            fill(engine);
        }
        Path segment = lastSegment("ledger");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertThatThrownBy(() -> Engine.start(config(), new SimpleMeterRegistry()).close())
                .hasStackTraceContaining("restore a backup");
    }

    @Test
    void shouldReportADifferenceInTheDerivedLogsOnReplay() throws Exception {
        try (LoyaltyEngine engine = start(config())) {
            fill(engine);
        }
        Replay.Report same = Replay.run(config(), dir.resolve("rebuilt"), n -> { });
        assertThat(same.firstDifference()).isNull();
        assertThat(same.identical()).isTrue();

        // one changed byte at the end of the newest ledger record (its entry's last string)
        Path segment = lastSegment("ledger");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, ch.size() - 1);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            ch.write(one, ch.size() - 1);
        }
        Replay.Report changed = Replay.run(config(), dir.resolve("rebuilt-2"), n -> { });
        assertThat(changed.identical()).isFalse();
        assertThat(changed.firstDifference()).contains("ledger log");
    }

    private Path lastSegment(String log) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("data/state/p0/derived").resolve(log))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted()
                    .reduce((x, y) -> y).orElseThrow();
        }
    }
}
