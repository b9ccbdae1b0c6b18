package dev.loyalty.engine;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.EventReader;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.processor.FutureWaiter;
import dev.loyalty.engine.rules.LedgerEntry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LoyaltyEngine#submit(BulkRecord, dev.loyalty.engine.processor.OutcomeWaiter[])} (the lean bulk path,
 * and its fallback to the general one) against {@link LoyaltyEngine#submit(List, boolean)} on a second engine:
 * the same random bulks, with ids repeated within and across bulks, some with another body, and invalid slots,
 * give the same seqs, duplicates, refusals, outcomes and customer views slot by slot.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BulkRecordSubmitTest {

    @TempDir
    Path data;

    private static LoyaltyEngine start(Path dir) throws InterruptedException {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir",
                dir.toString(), "partitions", "2"));
        return Eventually.ready(Engine.start(config, new SimpleMeterRegistry()));
    }

    /** A random event of a small pool of customers and ids, so that ids repeat with the same or another body. */
    private static String event(Random random, int bulk, int slot) {
        String customer = "c-" + random.nextInt(6);
        int kind = random.nextInt(10);
        if (kind == 0) {
            return "{\"customer\":\"" + customer + "\",\"action\":\"point_add\",\"data\":{\"points\":-1}}"; // invalid
        }
        if (kind == 1) {
            return "{\"customer\":\"" + customer + "\",\"action\":\"point_spend\",\"data\":{\"points\":3}}";
        }
        // A third of the bulks have fresh ids only (the lean path), a third new ids repeated within the bulk, a
        // third ids of a pool of 12 (repeated across bulks).
        String id = switch (bulk % 3) {
            case 0 -> "f-" + bulk + "-" + slot;
            case 1 -> "r-" + bulk + "-" + random.nextInt(3);
            default -> "id-" + random.nextInt(12);
        };
        int points = 1 + random.nextInt(2);
        return "{\"customer\":\"" + customer + "\",\"action\":\"point_add\",\"id\":\"" + id
                + "\",\"data\":{\"points\":" + points + "}}";
    }

    /**
     * What a slot answers, without ingest times (the two engines journal at different instants) and with each seq
     * named by the request slot that journaled it (each engine's heartbeats take seqs of their own).
     */
    private static List<Object> answer(Submission s, Map<Long, String> names) throws Exception {
        if (s.refusal() != null) {
            return List.of("refused", s.refusal());
        }
        EventResult r = s.result().get(30, TimeUnit.SECONDS);
        List<Object> effects = new ArrayList<>();
        for (LedgerEntry e : r.outcome().effects()) {
            effects.add(Arrays.asList(names.get(e.seq()), e.action(), e.account(), e.kind(), e.points(),
                    e.transactionId(), e.reason()));
        }
        return Arrays.asList(names.get(s.seq()), s.duplicate(), names.get(r.outcome().seq()),
                String.valueOf(r.outcome().error()), effects, r.customer() == null ? "none" : r.customer().accounts());
    }

    /** Names the seqs the bulk journaled (not its duplicates) by bulk and slot. */
    private static void name(List<Submission> subs, int bulk, Map<Long, String> names) {
        for (int j = 0; j < subs.size(); j++) {
            Submission s = subs.get(j);
            if (s.refusal() == null && !s.duplicate()) {
                assertThat(names.put(s.seq(), bulk + "/" + j)).as("seq %d journaled twice", s.seq()).isNull();
            }
        }
    }

    @Test
    void shouldAnswerEveryBulkAsTheGeneralSubmitDoes() throws Exception {
        EventReader reader = new EventReader(ConfigLoader.loadShipped(Path.of(".."), null, Map.of(),
                Map.of("data-dir", data.toString())).rules());
        BulkRecord record = new BulkRecord();
        Random random = new Random(11);
        int lean = 0;
        int general = 0;
        try (LoyaltyEngine a = start(data.resolve("a")); LoyaltyEngine b = start(data.resolve("b"))) {
            StringBuilder optIns = new StringBuilder("{\"events\":[");
            for (int c = 0; c < 6; c++) {
                optIns.append(c == 0 ? "" : ",").append("{\"customer\":\"c-").append(c)
                        .append("\",\"action\":\"opt_in\"},{\"customer\":\"c-").append(c)
                        .append("\",\"action\":\"point_add\",\"data\":{\"points\":5}}");
            }
            List<String> bodies = new ArrayList<>();
            bodies.add(optIns.append("]}").toString());
            for (int bulk = 1; bulk <= 60; bulk++) {
                List<String> slots = new ArrayList<>();
                for (int i = 1 + random.nextInt(15); i > 0; i--) {
                    slots.add(event(random, bulk, i));
                }
                bodies.add("{\"events\":[" + String.join(",", slots) + "]}");
            }
            Map<Long, String> namesA = new HashMap<>();
            Map<Long, String> namesB = new HashMap<>();
            for (int bulk = 0; bulk < bodies.size(); bulk++) {
                String body = bodies.get(bulk);
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                BulkRead read = reader.readBulk(bytes, b.nowMs(), 1000);
                List<Submitted> events = new ArrayList<>();
                for (ReadEvent slot : read.slots()) {
                    if (slot.validated().isOk()) {
                        events.add(new Submitted(slot.validated().event(), slot.bodyHash()));
                    }
                }
                if (events.isEmpty()) {
                    continue;
                }
                List<Submission> expected = b.submit(events, true);

                assertThat(reader.readBulk(bytes, a.nowMs(), 1000, record)).isNull();
                a.lookupsInMemory(record); // as the route asks first: the ids' hashes are kept for the submit
                FutureWaiter[] waiters = new FutureWaiter[record.count()];
                Arrays.setAll(waiters, j -> new FutureWaiter(new CompletableFuture<>()));
                List<Submission> actual = a.submit(record, waiters);
                if (actual == null) {
                    lean++;
                    actual = new ArrayList<>();
                    for (int j = 0; j < record.count(); j++) {
                        actual.add(new Submission(record.firstSeq() + j, false, waiters[j].future(), null));
                    }
                } else {
                    general++;
                    for (FutureWaiter w : waiters) {
                        assertThat(w.future()).as("a waiter of the general path is never told").isNotDone();
                    }
                }
                assertThat(actual).hasSameSizeAs(expected);
                name(expected, bulk, namesB);
                name(actual, bulk, namesA);
                for (int j = 0; j < expected.size(); j++) {
                    assertThat(answer(actual.get(j), namesA)).as("%s slot %d", body, j)
                            .isEqualTo(answer(expected.get(j), namesB));
                }
            }
        }
        assertThat(lean).as("bulks journaled on the lean path").isGreaterThan(15);
        assertThat(general).as("bulks with a duplicate or a mismatch").isGreaterThan(25);
    }
}
