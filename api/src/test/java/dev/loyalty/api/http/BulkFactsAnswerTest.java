package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.processor.OutcomeFacts;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sync bulk's answer rendered from its slots' flat facts ({@link BulkReply}: {@link JsonViews#bulkPooled(int,
 * ValidationError[], long, EventResult[], OutcomeFacts[])}) is byte for byte the answer rendered from the
 * {@link EventResult}s the facts stand for (the object path of before): random bulks of valid and invalid slots
 * (applied, rejected, unknown customers, text in any form) through a real engine's lean bulk submit, the slots'
 * waiters reused from bulk to bulk as a loop reuses its bulk replies, and per answer some slots told through their
 * facts, some as objects and some not told (a timed-out slot: {@code accepted}), so the errors count meets all three.
 */
@Timeout(120)
class BulkFactsAnswerTest {

    private static final int BULKS = 80;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(20261207L);
    private final String[] transactions = new String[8];

    @Test
    void shouldAnswerABulkFromItsSlotsFactsAsFromTheirResults() throws Exception {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(),
                Map.of("data-dir", dir.resolve("data").toString(), "partitions", "2"));
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            EventBodies bodies = new EventBodies(engine.config().rules());
            for (int t = 0; t < transactions.length; t++) {
                transactions[t] = RandomText.text(random);
            }
            FactsWaiter[] slots = new FactsWaiter[0];
            int rejected = 0;
            int invalidSlots = 0;
            int asObjects = 0;
            int untold = 0;
            for (int b = 0; b < BULKS; b++) {
                int size = random.nextInt(1, 41);
                StringBuilder body = new StringBuilder("{\"events\":[");
                for (int i = 0; i < size; i++) {
                    body.append(i == 0 ? "" : ",").append(random.nextInt(12) == 0 ? "{\"action\":\"opt_in\"}"
                            : event(engine.nowMs()));
                }
                BulkRecord record = bodies.bulkRecord();
                ValidationError envelope = bodies.bulk(body.append("]}").toString().getBytes(StandardCharsets.UTF_8),
                        engine.nowMs(), 1_000, record);
                assertThat(envelope).isNull();
                int events = record.count();
                int total = record.slots();
                ValidationError[] invalid = record.errorsCopy();
                invalidSlots += total - events;
                if (events == 0) {
                    continue;
                }
                if (slots.length < events) {
                    FactsWaiter[] more = Arrays.copyOf(slots, events);
                    for (int j = slots.length; j < events; j++) {
                        more[j] = new FactsWaiter();
                    }
                    slots = more;
                }
                for (int j = 0; j < events; j++) {
                    slots[j].again();
                }
                assertThat(engine.submit(record, slots)).as("bulk %d journaled as new", b).isNull();
                long firstSeq = record.firstSeq();
                OutcomeFacts[] facts = new OutcomeFacts[slots.length]; // longer than the bulk, as a reused reply's
                EventResult[] results = new EventResult[slots.length];
                EventResult[] before = new EventResult[events];
                for (int j = 0; j < events; j++) {
                    slots[j].told.get(10, TimeUnit.SECONDS);
                    EventResult result = slots[j].facts.toResult();
                    rejected += result.outcome().applied() ? 0 : 1;
                    switch (random.nextInt(6)) {
                        case 0 -> { // told as an object (a waiter without facts)
                            results[j] = result;
                            before[j] = result;
                            asObjects++;
                        }
                        case 1 -> untold++; // not told in time: accepted either way
                        default -> {
                            facts[j] = slots[j].facts;
                            before[j] = result;
                        }
                    }
                }
                ByteBuf lean = JsonViews.bulkPooled(total, invalid, firstSeq, results, facts);
                ByteBuf objects = JsonViews.bulkPooled(total, invalid, firstSeq, before);
                try {
                    assertThat(ByteBufUtil.getBytes(lean)).as("bulk %d", b)
                            .asString(StandardCharsets.UTF_8)
                            .isEqualTo(new String(ByteBufUtil.getBytes(objects), StandardCharsets.UTF_8));
                } finally {
                    lean.release();
                    objects.release();
                }
            }
            assertThat(rejected).isGreaterThan(BULKS / 2);
            assertThat(invalidSlots).isGreaterThan(BULKS / 2);
            assertThat(asObjects).isGreaterThan(BULKS / 2);
            assertThat(untold).isGreaterThan(BULKS / 2);
        }
    }

    private String event(long nowMs) throws Exception {
        String customer = random.nextInt(20) == 0 ? "nobody-" + random.nextInt(1000) : "c-" + random.nextInt(6);
        String head = "{\"customer\":\"" + customer + "\",\"action\":";
        String txn = ",\"transaction_id\":" + JSON.writeValueAsString(transactions[random.nextInt(transactions.length)]);
        String at = random.nextInt(4) > 0 ? "" : ",\"effective_timestamp\":"
                + (nowMs / 1000 - random.nextLong(0, 1_000L * 86_400));
        String points = ",\"points\":" + random.nextInt(1, 2_000);
        return switch (random.nextInt(9)) {
            case 0 -> head + "\"opt_in\"}";
            case 1 -> head + "\"opt_out\"}";
            case 2, 3 -> head + "\"checkout\",\"data\":{\"total\":" + random.nextInt(1, 100_000) / 100.0 + txn + at
                    + (random.nextBoolean() ? ",\"points_burned\":" + random.nextInt(1, 50) : "") + "}}";
            case 4 -> head + "\"checkout_accept\",\"data\":{" + txn.substring(1) + "}}";
            case 5 -> head + "\"point_spend\",\"data\":{" + points.substring(1) + "}}";
            case 6 -> head + "\"reserve_points\",\"data\":{" + points.substring(1) + txn + "}}";
            default -> head + (random.nextBoolean() ? "\"point_add\"" : "\"point_sub\"") + ",\"data\":{"
                    + points.substring(1) + at + (random.nextBoolean() ? ",\"reason\":"
                    + JSON.writeValueAsString(RandomText.text(random)) : "") + "}}";
        };
    }

    /** Text of ASCII, quotes, backslashes, control characters, two- and three-byte chars and surrogate pairs. */
    private static final class RandomText {
        static String text(SplittableRandom random) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(1, 24); i > 0; i--) {
                switch (random.nextInt(6)) {
                    case 0 -> b.append('"');
                    case 1 -> b.append('\\');
                    case 2 -> b.append((char) random.nextInt(0, 0x20));
                    case 3 -> b.append((char) random.nextInt(0x80, 0x800));
                    case 4 -> b.appendCodePoint(random.nextInt(0x10000, 0x10FFFF));
                    default -> b.append((char) random.nextInt(0x20, 0x7F));
                }
            }
            return b.toString();
        }
    }
}
