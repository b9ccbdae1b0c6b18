package dev.loyalty.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.RecordHeader;
import net.openhft.chronicle.bytes.Bytes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
 * A race of threads submitting the same ids at once (one of two bodies each, alone and in bulks with repeated
 * ids) and its check against what the journal holds: every id journaled exactly once, every other submission a
 * duplicate of it (same seq, same body) or a mismatch (the other body). Shared by the journals' concurrency tests.
 */
final class IdRace {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One submitted slot: its id, the hash of the body it carried, and the engine's answer. */
    record Answer(String id, long hash, Submission submission) {
    }

    private final int threads;
    private final int ids;
    private final int rounds;

    IdRace(int threads, int ids, int rounds) {
        this.threads = threads;
        this.ids = ids;
        this.rounds = rounds;
    }

    /** Runs the race on {@code engine}, thread t drawing from seed {@code seed + t}; returns every answer. */
    Collection<Answer> run(LoyaltyEngine engine, long seed) throws Exception {
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long s = seed + t;
                done.add(pool.submit(() -> {
                    go.await();
                    submitAll(engine, new SplittableRandom(s), answers);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return answers;
    }

    /** Checks the answers against {@code journaled}: id → {seq, body hash, times journaled}. */
    void check(Collection<Answer> answers, Map<String, long[]> journaled) {
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
        assertThat(firsts).hasSize(ids);
        assertThat(firsts.values()).allMatch(n -> n == 1);
        assertThat(answers).hasSize(threads * rounds * ids);
    }

    /** Adds the ids of one journal record to {@code ids} (id → {seq, body hash, times journaled}). */
    static void countIds(RecordHeader h, Bytes<?> payload, Map<String, long[]> ids) {
        EventCodec.forEachWithId(h, payload, (seq, id, customer, bodyHash) ->
                ids.computeIfAbsent(id, k -> new long[] {seq, bodyHash, 0})[2]++);
    }

    /** Every id {@code rounds} times, in random order, one body of two at random, alone or in bulks of up to 4. */
    private void submitAll(LoyaltyEngine engine, SplittableRandom random, ConcurrentLinkedQueue<Answer> answers)
            throws Exception {
        List<String> order = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < ids; i++) {
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
}
