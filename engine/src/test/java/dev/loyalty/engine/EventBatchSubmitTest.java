package dev.loyalty.engine;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.EventReader;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.EventBatch;
import dev.loyalty.engine.journal.EventRecord;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.RecordType;
import dev.loyalty.engine.processor.FutureWaiter;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.testing.Eventually;
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
 * {@link LoyaltyEngine#submit(EventBatch)} (one event loop turn's sync events, the new ones in one journal record)
 * against the same events submitted one by one ({@link LoyaltyEngine#submit(EventRecord,
 * dev.loyalty.engine.processor.OutcomeWaiter)}) on a second engine: random turns with ids repeated within the turn
 * (same and other body), ids of earlier turns, no ids and rejected events give each slot the same seq (named by the
 * slot that journaled it), duplicate flag, refusal, outcome and customer view; the journal holds each new event
 * once, in one record per turn.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventBatchSubmitTest {

    @TempDir
    Path data;

    private static EngineConfig config(Path dir) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir", dir.toString(),
                "partitions", "2"));
    }

    /** A random event of a small pool of customers and ids, so that ids repeat with the same or another body. */
    private static String event(Random random, int turn, int slot) {
        String customer = "c-" + random.nextInt(6);
        int kind = random.nextInt(10);
        if (kind == 0) {
            return "{\"customer\":\"" + customer + "\",\"action\":\"point_spend\",\"data\":{\"points\":3}}";
        }
        if (kind == 1) {
            return "{\"customer\":\"nobody-" + slot + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}";
        }
        String id = switch (turn % 3) {
            case 0 -> "f-" + turn + "-" + slot; // fresh: the whole turn in one record
            case 1 -> "r-" + turn + "-" + random.nextInt(3); // repeated within the turn
            default -> "id-" + random.nextInt(12); // repeated across turns
        };
        return "{\"customer\":\"" + customer + "\",\"action\":\"point_add\",\"id\":\"" + id
                + "\",\"data\":{\"points\":" + (1 + random.nextInt(2)) + "}}";
    }

    private static void encode(EventReader reader, String body, long nowMs, EventRecord into) throws Exception {
        assertThat(reader.readChecked(body.getBytes(StandardCharsets.UTF_8), nowMs)).as(body).isNull();
        into.encode(reader.checked());
    }

    /** What a slot answers, with each seq named by the slot that journaled it (the engines' heartbeats differ). */
    private static List<Object> answer(Submission s, Map<Long, String> names) throws Exception {
        if (s.refusal() != null) {
            return List.of("refused", s.refusal());
        }
        if (s.result() == null) {
            return List.of("accepted", String.valueOf(names.get(s.seq())), s.duplicate());
        }
        EventResult r = s.result().get(30, TimeUnit.SECONDS);
        List<Object> effects = new ArrayList<>();
        for (LedgerEntry e : r.outcome().effects()) {
            effects.add(Arrays.asList(names.get(e.seq()), e.action(), e.account(), e.kind(), e.points()));
        }
        return Arrays.asList(names.get(s.seq()), s.duplicate(), names.get(r.outcome().seq()),
                String.valueOf(r.outcome().error()), effects, r.customer() == null ? "none" : r.customer().accounts());
    }

    @Test
    void shouldAnswerEverySlotAsSingleSubmitsOneAfterAnotherDo() throws Exception {
        Random random = new Random(7);
        EventBatch batch = new EventBatch();
        int journaled = 0;
        int repeatsInTurn = 0;
        try (LoyaltyEngine a = Eventually.ready(Engine.start(config(data.resolve("a")), new SimpleMeterRegistry()));
             LoyaltyEngine b = Eventually.ready(Engine.start(config(data.resolve("b")), new SimpleMeterRegistry()))) {
            EventReader reader = new EventReader(a.config().rules());
            List<List<String>> turns = new ArrayList<>();
            List<String> joins = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                joins.add("{\"customer\":\"c-" + c + "\",\"action\":\"opt_in\"}");
                joins.add("{\"customer\":\"c-" + c + "\",\"action\":\"point_add\",\"data\":{\"points\":5}}");
            }
            turns.add(joins);
            for (int turn = 1; turn <= 30; turn++) {
                List<String> bodies = new ArrayList<>();
                for (int i = 1 + random.nextInt(12); i > 0; i--) {
                    bodies.add(event(random, turn, i));
                }
                turns.add(bodies);
            }
            Map<Long, String> namesA = new HashMap<>();
            Map<Long, String> namesB = new HashMap<>();
            for (int turn = 0; turn < turns.size(); turn++) {
                List<String> bodies = turns.get(turn);
                List<Submission> expected = new ArrayList<>();
                for (int i = 0; i < bodies.size(); i++) {
                    EventRecord record = new EventRecord();
                    encode(reader, bodies.get(i), b.nowMs(), record);
                    FutureWaiter w = new FutureWaiter(new CompletableFuture<>());
                    Submission s = b.submit(record, w);
                    expected.add(s != null ? s : new Submission(record.seq(), false, w.future(), null));
                    if (s == null) {
                        assertThat(namesB.put(record.seq(), turn + "/" + i)).isNull();
                    }
                }

                batch.clear();
                for (String body : bodies) {
                    encode(reader, body, a.nowMs(), batch.next());
                    batch.add(new FutureWaiter(new CompletableFuture<>()));
                }
                a.submit(batch);
                assertThat(batch.count()).isEqualTo(bodies.size());
                List<Submission> actual = new ArrayList<>();
                for (int i = 0; i < bodies.size(); i++) {
                    assertThat(batch.failure(i)).as("slot %d of turn %d", i, turn).isNull();
                    if (batch.journaled(i)) {
                        long seq = batch.record(i).seq();
                        actual.add(new Submission(seq, false, ((FutureWaiter) batch.waiter(i)).future(), null));
                        assertThat(namesA.put(seq, turn + "/" + i)).as("seq %d journaled twice", seq).isNull();
                        journaled++;
                    } else {
                        actual.add(batch.answer(i));
                        assertThat(((FutureWaiter) batch.waiter(i)).future()).as("an unregistered waiter")
                                .isNotDone();
                        if (turn % 3 == 1) {
                            repeatsInTurn++;
                        }
                    }
                }
                for (int i = 0; i < bodies.size(); i++) {
                    assertThat(answer(actual.get(i), namesA)).as("turn %d slot %d: %s", turn, i, bodies.get(i))
                            .isEqualTo(answer(expected.get(i), namesB));
                }
            }
        }
        assertThat(repeatsInTurn).as("retries meeting an earlier slot of their turn").isGreaterThan(5);
        // The journal holds every journaled event once, the events of a turn in one record.
        int[] events = {0};
        int[] records = {0};
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(data.resolve("a").resolve("journal"));
             JournalReader r = journal.reader()) {
            while (r.next((pos, h, payload) -> {
                if (h.type() == RecordType.EVENTS) {
                    records[0]++;
                    events[0] += (int) (h.lastSeq() - h.firstSeq() + 1);
                }
            })) {
                // keep reading
            }
        }
        assertThat(events[0]).isEqualTo(journaled);
        assertThat(records[0]).as("records of %d events", journaled).isLessThan(journaled / 2);
    }
}
