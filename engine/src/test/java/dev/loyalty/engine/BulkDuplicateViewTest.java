package dev.loyalty.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The duplicate slot of a bulk answers the customer at its place in the bulk (api.md, {@code POST
 * /events/bulk}): after the bulk's earlier events of that customer, before its later ones; its outcome
 * and seq stay the original's. The engine applies a bulk record in one batch, so a view taken whenever
 * the duplicate is looked up is either before the whole bulk or after it, never in between.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BulkDuplicateViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;
    private LoyaltyEngine engine;

    @BeforeEach
    void start() throws InterruptedException {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir",
                data.toString(), "partitions", "2"));
        engine = Engine.start(config, new SimpleMeterRegistry());
        while (!engine.ready()) {
            Thread.sleep(5);
        }
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void shouldAnswerTheDuplicateSlotWithTheCustomerBetweenTheBulksEarlierAndLaterEvents() throws Exception {
        for (int round = 0; round < 20; round++) {
            String c = "c-" + round;
            one("{\"customer\":\"" + c + "\",\"action\":\"opt_in\"}");
            String add32 = "{\"customer\":\"" + c + "\",\"action\":\"point_add\",\"id\":\"add-" + round
                    + "\",\"data\":{\"points\":32}}";
            Submission original = one(add32);
            List<Submission> bulk = bulk(
                    "{\"customer\":\"" + c + "\",\"action\":\"point_spend\",\"data\":{\"points\":11}}",
                    add32,
                    "{\"customer\":\"" + c + "\",\"action\":\"point_add\",\"data\":{\"points\":50}}");
            Submission dup = bulk.get(1);
            assertThat(dup.duplicate()).isTrue();
            assertThat(dup.seq()).isEqualTo(original.seq());
            EventResult r = dup.result().get(10, TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(original.result().get().outcome());
            assertThat(balance(r)).as("round %d", round).isEqualTo(21);
            assertThat(balance(bulk.get(0).result().get(10, TimeUnit.SECONDS))).isEqualTo(21);
            assertThat(balance(bulk.get(2).result().get(10, TimeUnit.SECONDS))).isEqualTo(71);
        }
    }

    @Test
    void shouldTakeTheViewBeforeTheFirstLaterEventAfterTheLastEarlierOneOrNowWithNeither() throws Exception {
        one("{\"customer\":\"a\",\"action\":\"opt_in\"}");
        one("{\"customer\":\"b\",\"action\":\"opt_in\"}");
        String addA = "{\"customer\":\"a\",\"action\":\"point_add\",\"id\":\"a-1\",\"data\":{\"points\":40}}";
        String addB = "{\"customer\":\"b\",\"action\":\"point_add\",\"id\":\"b-1\",\"data\":{\"points\":7}}";
        one(addA);
        one(addB);
        String newId = "{\"customer\":\"a\",\"action\":\"point_add\",\"id\":\"a-2\",\"data\":{\"points\":5}}";
        List<Submission> bulk = bulk(
                addA,                                                                        // before the spend: 40
                addA,                                                                        // same place, shared: 40
                "{\"customer\":\"b\",\"action\":\"point_add\",\"data\":{\"points\":1}}",
                "{\"customer\":\"a\",\"action\":\"point_spend\",\"data\":{\"points\":10}}", // a: 30
                newId,                                                                       // a: 35
                "{\"customer\":\"a\",\"action\":\"point_add\",\"data\":{\"points\":100}}",  // a: 135
                newId,                                                                       // in-request retry: 135
                addB);                                                                       // after b's +1: 8
        assertThat(bulk.stream().map(Submission::duplicate).toList())
                .containsExactly(true, true, false, false, false, false, true, true);
        assertThat(balance(bulk.get(0).result().get(10, TimeUnit.SECONDS))).isEqualTo(40);
        assertThat(balance(bulk.get(1).result().get(10, TimeUnit.SECONDS))).isEqualTo(40);
        EventResult retry = bulk.get(6).result().get(10, TimeUnit.SECONDS);
        assertThat(bulk.get(6).seq()).isEqualTo(bulk.get(4).seq());
        assertThat(retry.outcome()).isEqualTo(bulk.get(4).result().get().outcome());
        assertThat(balance(retry)).isEqualTo(135);
        assertThat(balance(bulk.get(7).result().get(10, TimeUnit.SECONDS))).isEqualTo(8);

        // A bulk holding nothing else of the customer answers the view as it stands.
        List<Submission> alone = bulk("{\"customer\":\"b\",\"action\":\"point_add\",\"data\":{\"points\":2}}", addA);
        assertThat(balance(alone.get(1).result().get(10, TimeUnit.SECONDS))).isEqualTo(135);
    }

    private static long balance(EventResult r) {
        return r.customer().accounts().get("points").balance();
    }

    private Submission one(String json) throws IOException {
        return bulk(json).get(0);
    }

    private List<Submission> bulk(String... jsons) throws IOException {
        List<Submitted> events = new ArrayList<>();
        for (String json : jsons) {
            Validated v = engine.validator().validate(JSON.readTree(json), engine.nowMs());
            assertThat(v.isOk()).as(json).isTrue();
            events.add(new Submitted(v.event(), json.hashCode()));
        }
        return engine.submit(events, true);
    }
}
