package dev.loyalty.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The partitions' states load side by side at start (EngineImpl.startProcessors): every partition comes back whole,
 * and a partition whose state cannot load refuses the start with its own error, as a serial load did.
 */
@Timeout(300)
class PartitionLoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static final int CUSTOMERS = 64;

    @TempDir
    Path dir;

    private EngineConfig config() {
        return config(Map.of());
    }

    private EngineConfig config(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("data-dir", dir.resolve("data").toString());
        settings.put("partitions", String.valueOf(PARTITIONS));
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), settings);
    }

    private static void post(LoyaltyEngine engine, String json) throws Exception {
        Validated v = engine.validator().validate(JSON.readTree(json), engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        Submission s = engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0);
        assertThat(s.refusal()).isNull();
        s.result().get(10, TimeUnit.SECONDS);
    }

    /** Customers c-0.. with i + 1 points each: spread over every partition. */
    private Map<String, Long> fill() throws Exception {
        Map<String, Long> points = new HashMap<>();
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(), new SimpleMeterRegistry()))) {
            for (int i = 0; i < CUSTOMERS; i++) {
                post(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}");
                post(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"point_add\",\"data\":{\"points\":" + (i + 1) + "}}");
                points.put("c-" + i, (long) i + 1);
            }
        }
        return points;
    }

    @Test
    void shouldBringEveryPartitionBackAfterARestart() throws Exception {
        Map<String, Long> points = fill();
        List<Integer> partitionsWithLedgers = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            if (lastSegment(p, "ledger") != null) {
                partitionsWithLedgers.add(p);
            }
        }
        assertThat(partitionsWithLedgers).as("partitions holding customers").hasSize(PARTITIONS);
        for (int round = 0; round < 2; round++) {
            try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(), new SimpleMeterRegistry()))) {
                for (Map.Entry<String, Long> e : points.entrySet()) {
                    CustomerView view = engine.customer(e.getKey()).get(10, TimeUnit.SECONDS);
                    assertThat(view).as(e.getKey()).isNotNull();
                    assertThat(view.accounts().values().iterator().next().balance()).as(e.getKey())
                            .isEqualTo(e.getValue());
                }
            }
        }
    }

    /**
     * The partitions load while the idempotency index opens, before the start journals changed rules: a partition
     * must still count that rules record in its catch-up ("caught up with the journal as of start"), or the engine
     * would report ready before every partition applies the new rules.
     */
    @Test
    void shouldCountTheRulesRecordJournaledAtStartInEveryPartitionsCatchUp() throws Exception {
        fill();
        // No heartbeats: the journal's last seq right after the start is the rules record's.
        try (LoyaltyEngine engine = Engine.start(config(Map.of("rules.earn.rate", "2", "journal.heartbeat", "1h")),
                new SimpleMeterRegistry())) {
            EngineImpl impl = (EngineImpl) engine;
            long rulesSeq = impl.journalLastSeqForTest();
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(impl.local(p).catchUpSeq()).as("partition " + p + " catch-up target")
                        .isEqualTo(rulesSeq);
            }
            Eventually.ready(engine);
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(impl.local(p).appliedSeq()).as("partition " + p + " applied when ready")
                        .isGreaterThanOrEqualTo(rulesSeq);
            }
        }
    }

    /**
     * The index's filter scan, deferred at open, starts once the partitions caught up and the program serves (its
     * HTTP start is not made to share the cores with it): new ids leave the disk then, not before.
     */
    @Test
    void shouldStartTheIdFilterOnceThePartitionsCaughtUpAndTheProgramServes() throws Exception {
        fill();
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(), new SimpleMeterRegistry()))) {
            EngineImpl impl = (EngineImpl) engine;
            // ready, not serving: the timer looks every 100 ms; a scan started now would answer within this window
            long until = System.nanoTime() + Duration.ofMillis(600).toNanos();
            while (System.nanoTime() < until) {
                assertThat(impl.idsForTest().inMemory("never-seen-" + System.nanoTime()))
                        .as("the filter before the program serves").isFalse();
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            engine.serving();
            Eventually.until("the id filter answers a new id from memory", Duration.ofSeconds(20),
                    () -> impl.idsForTest().inMemory("never-seen-" + System.nanoTime()));
        }
    }

    @Test
    void shouldRefuseTheStartWithTheErrorOfAPartitionThatCannotLoad() throws Exception {
        fill();
        Path segment = lastSegment(2, "ledger");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        // the derived log's own exception, not an ExecutionException of the loading pool; twice: the refused
        // start released the folder (a second start is not told the folder is in use)
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> Engine.start(config(), new SimpleMeterRegistry()).close())
                    .isInstanceOf(dev.loyalty.engine.derived.DerivedLogException.class)
                    .hasMessageContaining("restore a backup");
        }
    }

    private Path lastSegment(int partition, String log) throws IOException {
        Path folder = dir.resolve("data/state/p" + partition + "/derived").resolve(log);
        if (!Files.isDirectory(folder)) {
            return null;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted()
                    .reduce((x, y) -> y).orElse(null);
        }
    }
}
