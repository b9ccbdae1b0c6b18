package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.kafka.KafkaJournal;
import dev.loyalty.engine.journal.kafka.KafkaSettings;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link IdempotencyConcurrencyTest} on the Kafka journal, where no shard lock is held across Kafka's round
 * trip: threads submit the same ids at once (one of two bodies, alone and in bulks with repeated ids), and every
 * id is in the topic exactly once, every other submission a duplicate of it (same seq, same body) or a mismatch.
 * Fails if an id's reservation does not keep a second request from journaling it while the first waits for
 * Kafka's acknowledgement.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaIdempotencyConcurrencyTest {
    private static final IdRace RACE = new IdRace(6, 60, 3);

    @TempDir
    Path data;

    @Test
    void shouldJournalEachIdOnceWithoutHoldingTheIdLocksAcrossKafka() throws Exception {
        String topic = KafkaTestCluster.topic("ids");
        Map<String, String> overrides = new LinkedHashMap<>(KafkaTestCluster.journalOn(topic));
        overrides.putAll(Map.of("data-dir", data.toString(), "partitions", "2"));
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
        Collection<IdRace.Answer> answers;
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            answers = RACE.run(engine, 2000);
        }
        RACE.check(answers, journaledIds(topic));
    }

    /** id → {seq, body hash, times journaled}, read from the topic itself. */
    private static Map<String, long[]> journaledIds(String topic) {
        Map<String, long[]> ids = new HashMap<>();
        try (KafkaJournal journal = KafkaJournal.open(new KafkaSettings(KafkaTestCluster.bootstrapServers(), topic,
                "reader", Map.of()), 2, System::currentTimeMillis, Duration.ofSeconds(10))) {
            long[] last = journal.lastOffsets();
            for (int p = 0; p < last.length; p++) {
                journal.read(p, -1, last[p], (pos, h, payload) -> IdRace.countIds(h, payload, ids));
            }
        }
        return ids;
    }
}
