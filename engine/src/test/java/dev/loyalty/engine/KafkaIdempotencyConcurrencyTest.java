package dev.loyalty.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.RecordType;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IdempotencyConcurrencyTest} on the Kafka journal, where no shard lock is held across Kafka's round
 * trip: threads submit the same ids at once (one of two bodies, alone and in bulks with repeated ids), and every
 * id is in the topic exactly once, every other submission a duplicate of it (same seq, same body) or a mismatch.
 * Fails if an id's reservation does not keep a second request from journaling it while the first waits for
 * Kafka's acknowledgement.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaIdempotencyConcurrencyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 6;
    private static final int IDS = 60;
    private static final int ROUNDS = 3;

    @TempDir
    Path data;

    /** One submitted slot: its id, the hash of the body it carried, and the engine's answer. */
    private record Answer(String id, long hash, Submission submission) {
    }

    @Test
    void shouldJournalEachIdOnceWithoutHoldingTheIdLocksAcrossKafka() throws Exception {
        String topic = KafkaTestCluster.topic("ids");
        Map<String, String> overrides = new LinkedHashMap<>(KafkaTestCluster.journalOn(topic));
        overrides.putAll(Map.of("data-dir", data.toString(), "partitions", "2"));
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 2000 + t;
                done.add(pool.submit(() -> {
                    go.await();
                    submitAll(engine, new SplittableRandom(seed), answers);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
        Map<String, long[]> journaled = journaledIds(topic);
        Map<String, Integer> firsts = new HashMap<>();
        for (Answer a : answers) {
            Submission s = a.submission();
            long[] j = journaled.get(a.id());
            assertThat(j).as("id %s journaled", a.id()).isNotNull();
            assertThat(j[2]).as("times id %s was journaled", a.id()).isEqualTo(1);
            if (s.refusal() != null) {
                assertThat(s.refusal().code()).isEqualTo("idempotency_mismatch");
                assertThat(a.hash()).as("a mismatch of %s carried the other body", a.id()).isNotEqualTo(j[1]);
            } else if (s.duplicate()) {
                assertThat(s.seq()).as("duplicate of %s answers the journaled seq", a.id()).isEqualTo(j[0]);
                assertThat(a.hash()).as("a duplicate of %s carried the journaled body", a.id()).isEqualTo(j[1]);
            } else {
                assertThat(s.seq()).as("the journaled submission of %s", a.id()).isEqualTo(j[0]);
                assertThat(a.hash()).isEqualTo(j[1]);
                firsts.merge(a.id(), 1, Integer::sum);
            }
        }
        assertThat(firsts).hasSize(IDS);
        assertThat(firsts.values()).allMatch(n -> n == 1);
        assertThat(answers).hasSize(THREADS * ROUNDS * IDS);
    }

    /** Every id ROUNDS times, in random order, one body of two at random, alone or in bulks of up to 4. */
    private static void submitAll(LoyaltyEngine engine, SplittableRandom random, ConcurrentLinkedQueue<Answer> answers)
            throws Exception {
        List<String> order = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < IDS; i++) {
                order.add("id-" + i);
            }
        }
        for (int i = order.size() - 1; i > 0; i--) {
            int k = random.nextInt(i + 1);
            String x = order.get(i);
            order.set(i, order.get(k));
            order.set(k, x);
        }
        int at = 0;
        while (at < order.size()) {
            int n = Math.min(order.size() - at, 1 + random.nextInt(4));
            List<Submitted> batch = new ArrayList<>(n);
            List<Long> hashes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = order.get(at + i);
                int points = 1 + random.nextInt(2);
                String json = "{\"customer\":\"c-" + (id.hashCode() & 15) + "\",\"action\":\"point_add\",\"id\":\""
                        + id + "\",\"data\":{\"points\":" + points + "}}";
                Validated v = engine.validator().validate(JSON.readTree(json), engine.nowMs());
                assertThat(v.isOk()).as(json).isTrue();
                batch.add(new Submitted(v.event(), points));
                hashes.add((long) points);
            }
            List<Submission> out = engine.submit(batch, false);
            for (int i = 0; i < n; i++) {
                answers.add(new Answer(order.get(at + i), hashes.get(i), out.get(i)));
            }
            at += n;
        }
    }

    /** id → {seq, body hash, times journaled}, read from the topic itself. */
    private static Map<String, long[]> journaledIds(String topic) {
        Map<String, long[]> ids = new HashMap<>();
        try (KafkaJournal journal = KafkaJournal.open(new KafkaSettings(KafkaTestCluster.bootstrapServers(), topic,
                "reader", Map.of()), 2, System::currentTimeMillis, Duration.ofSeconds(10))) {
            long[] last = journal.lastOffsets();
            for (int p = 0; p < last.length; p++) {
                journal.read(p, -1, last[p], (pos, h, payload) -> {
                    if (h.type() != RecordType.EVENTS) {
                        return;
                    }
                    int count = (int) payload.readStopBit();
                    for (int i = 0; i < count; i++) {
                        payload.readInt();
                        payload.readInt();
                        EventCodec.WithHash e = EventCodec.readWithHash(payload);
                        String id = e.event().id();
                        if (id != null) {
                            long[] seen = ids.computeIfAbsent(id, k -> new long[] {h.firstSeq(), e.bodyHash(), 0});
                            seen[2]++;
                        }
                    }
                });
            }
        }
        return ids;
    }
}
