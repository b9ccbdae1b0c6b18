package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.EventRecord;
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
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lean sync answer rendered from the processor's flat facts ({@link JsonViews#eventFactsPooled}) is byte for
 * byte the answer rendered from the {@link EventResult} the facts stand for: random events (applied with effects,
 * rejected, unknown customers, spends, reservations, backdated lots that expire, transaction ids and reasons in any text) through a real engine's lean submit, one
 * waiter reused throughout as a loop reuses its {@link SyncReply}. With {@code OutcomeFactsTest} (the facts equal
 * the processor's objects), the lean answer is the answer the object path gives.
 */
@Timeout(120)
class SyncFactsAnswerTest {

    private static final int EVENTS = 1_500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(20261207L);
    /** A few transaction ids in any text, shared by the events so that accepts, releases and repeats meet them. */
    private final String[] transactions = new String[8];

    @Test
    void shouldAnswerFromTheFactsAsFromTheResult() throws Exception {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(),
                Map.of("data-dir", dir.resolve("data").toString(), "partitions", "2"));
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            EventBodies bodies = new EventBodies(engine.config().rules());
            for (int t = 0; t < transactions.length; t++) {
                transactions[t] = text();
            }
            long[] figureSeen = new long[OutcomeFacts.FIGURES];
            FactsWaiter waiter = new FactsWaiter();
            int applied = 0;
            int rejected = 0;
            int unknown = 0;
            for (int i = 0; i < EVENTS; i++) {
                EventRecord record;
                try {
                    record = bodies.record(body(engine.nowMs()).getBytes(StandardCharsets.UTF_8), engine.nowMs());
                } catch (ApiException invalid) {
                    continue; // a random text the validator refuses: not this test's matter
                }
                waiter.again();
                assertThat(engine.submit(record, waiter)).as("event %d journaled as new", i).isNull();
                long seq = record.seq();
                waiter.told.get(10, TimeUnit.SECONDS);
                OutcomeFacts f = waiter.facts;
                EventResult result = f.toResult();
                ByteBuf lean = JsonViews.eventFactsPooled(seq, f);
                try {
                    assertThat(new String(ByteBufUtil.getBytes(lean), StandardCharsets.UTF_8)).as("event %d", i)
                            .isEqualTo(JsonViews.eventResult(seq, false, result).toString(StandardCharsets.UTF_8));
                } finally {
                    lean.release();
                }
                assertThat(f.httpStatus()).isEqualTo(result.outcome().httpStatus());
                applied += f.error() == null ? 1 : 0;
                rejected += f.error() == null ? 0 : 1;
                unknown += f.hasCustomer() ? 0 : 1;
                for (int a = 0; f.hasCustomer() && a < f.accounts(); a++) {
                    for (int k = 0; k < OutcomeFacts.FIGURES; k++) {
                        figureSeen[k] += f.figure(a, k) != 0 ? 1 : 0;
                    }
                }
            }
            // Every figure of the answer was rendered non-zero somewhere (a swap of two would show).
            for (int k = 0; k < OutcomeFacts.FIGURES; k++) {
                assertThat(figureSeen[k]).as("answers with figure %d not zero", k).isGreaterThan(10);
            }
            assertThat(applied).isGreaterThan(EVENTS / 4);
            assertThat(rejected).isGreaterThan(EVENTS / 10);
            assertThat(unknown).isGreaterThan(10);
        }
    }

    private String body(long nowMs) throws Exception {
        String customer = random.nextInt(20) == 0 ? "nobody-" + random.nextInt(1000) : "c-" + random.nextInt(6);
        String head = "{\"customer\":\"" + customer + "\",\"action\":";
        String txn = ",\"transaction_id\":" + JSON.writeValueAsString(transactions[random.nextInt(transactions.length)]);
        // Now and then backdated by up to three years: lots that expire at once, overdue acceptances.
        String at = random.nextInt(4) > 0 ? "" : ",\"effective_timestamp\":"
                + (nowMs / 1000 - random.nextLong(0, 1_000L * 86_400));
        String points = ",\"points\":" + random.nextInt(1, 2_000);
        return switch (random.nextInt(10)) {
            case 0 -> head + "\"opt_in\"}";
            case 1 -> head + "\"opt_out\"}";
            case 2 -> head + "\"checkout\",\"data\":{\"total\":" + random.nextInt(1, 100_000) / 100.0 + txn + at
                    + (random.nextBoolean() ? ",\"points_burned\":" + random.nextInt(1, 50) : "") + "}}";
            case 3 -> head + "\"checkout_accept\",\"data\":{" + txn.substring(1) + "}}";
            case 4 -> head + "\"point_spend\",\"data\":{" + points.substring(1) + "}}";
            case 5 -> head + "\"reserve_points\",\"data\":{" + points.substring(1) + txn + "}}";
            case 6 -> head + "\"release_points\",\"data\":{" + txn.substring(1) + "}}";
            default -> head + (random.nextBoolean() ? "\"point_add\"" : "\"point_sub\"") + ",\"data\":{"
                    + points.substring(1) + at + (random.nextBoolean() ? ",\"reason\":" + JSON.writeValueAsString(text())
                    : "") + "}}";
        };
    }

    /** Text of ASCII, quotes, backslashes, control characters, two- and three-byte chars and surrogate pairs. */
    private String text() {
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
