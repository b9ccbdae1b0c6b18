package dev.loyalty.engine;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.EventReader;
import dev.loyalty.engine.journal.EventRecord;
import dev.loyalty.engine.processor.OutcomeWaiter;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-event submit of an encoded record ({@link LoyaltyEngine#submit(EventRecord, OutcomeWaiter)}) on a
 * real engine: journaled with its waiter told the outcome, a retry answered as a duplicate of the original, the
 * same id with another body refused, the id kept across a restart.
 */
@Timeout(120)
class EventRecordSubmitTest {

    @TempDir
    Path dir;

    /** A waiter completing a future, as the HTTP reply does. */
    private static final class Waiter extends OutcomeWaiter {
        final CompletableFuture<EventResult> done = new CompletableFuture<>();

        @Override
        protected void completed(EventResult result) {
            done.complete(result);
        }

        @Override
        protected void failed(Throwable failure) {
            done.completeExceptionally(failure);
        }
    }

    private EngineConfig config() {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir", dir.resolve("data").toString(),
                "partitions", "2"));
    }

    private static EventRecord record(LoyaltyEngine engine, String body) throws Exception {
        EventReader reader = new EventReader(engine.config().rules());
        assertThat(reader.readChecked(body.getBytes(StandardCharsets.UTF_8), engine.nowMs())).isNull();
        EventRecord record = new EventRecord();
        record.encode(reader.checked());
        return record;
    }

    @Test
    void shouldJournalAnswerDuplicatesAndRefuseMismatchesAsTheEventPathDoes() throws Exception {
        String optIn = "{\"customer\":\"c-1\",\"action\":\"opt_in\"}";
        String add = "{\"customer\":\"c-1\",\"action\":\"point_add\",\"id\":\"a-1\",\"data\":{\"points\":70}}";
        long firstSeq;
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(), new SimpleMeterRegistry()))) {
            Waiter joined = new Waiter();
            assertThat(engine.submit(record(engine, optIn), joined)).isNull();
            assertThat(joined.done.get(10, TimeUnit.SECONDS).outcome().applied()).isTrue();

            Waiter added = new Waiter();
            EventRecord first = record(engine, add);
            assertThat(engine.submit(first, added)).isNull();
            firstSeq = first.seq();
            assertThat(firstSeq).isGreaterThan(0);
            EventResult result = added.done.get(10, TimeUnit.SECONDS);
            assertThat(result.customer().accounts().get("points").balance()).isEqualTo(70);

            Waiter unused = new Waiter();
            Submission again = engine.submit(record(engine, add), unused);
            assertThat(again).isNotNull();
            assertThat(again.duplicate()).isTrue();
            assertThat(again.seq()).isEqualTo(firstSeq);
            assertThat(again.result().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(result.outcome());
            assertThat(unused.done).isNotDone();

            Submission changed = engine.submit(record(engine, add.replace("70", "71")), unused);
            assertThat(changed.refusal().code()).isEqualTo("idempotency_mismatch");
            assertThat(engine.customer("c-1").get(5, TimeUnit.SECONDS).accounts().get("points").balance())
                    .isEqualTo(70);
        }
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(), new SimpleMeterRegistry()))) {
            Submission afterRestart = engine.submit(record(engine, add), new Waiter());
            assertThat(afterRestart.duplicate()).isTrue();
            assertThat(afterRestart.seq()).isEqualTo(firstSeq);
        }
    }
}
