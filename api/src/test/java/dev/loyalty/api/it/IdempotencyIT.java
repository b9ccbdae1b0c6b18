package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 through the real program over HTTP (api.md, "Retrying with the same id" and {@code POST
 * /events/bulk}): an id is forgotten as soon as the ingest clock (moved by {@code /admin/clock}) passes its
 * retention, also after a restart; a bulk's duplicate slot answers the customer at its place in the bulk.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IdempotencyIT {
    private static final String KEY = "dev-key";
    private static final long EIGHT_DAYS = 8 * 86_400;
    private static final Map<String, String> ENV = Map.of("ENGINE_CLOCK_ADJUSTABLE", "true");

    @TempDir
    static Path dir;
    private static EngineProcess engine;

    @BeforeAll
    static void start() throws Exception {
        engine = new EngineProcess(dir.resolve("data"), ENV).start();
    }

    @AfterAll
    static void stop() throws Exception {
        engine.close();
    }

    @Test
    void shouldTreatAnIdPastItsRetentionAsANewEventAlsoWithAnotherBodyAndAfterARestart() throws Exception {
        post("/events", "{\"customer\":\"c1\",\"action\":\"opt_in\"}", 200);
        String add10 = "{\"customer\":\"c1\",\"action\":\"point_add\",\"id\":\"X\",\"data\":{\"points\":10}}";
        JsonNode first = post("/events", add10, 200);
        assertThat(first.path("duplicate").asBoolean()).isFalse();

        JsonNode retry = post("/events", add10, 200);
        assertThat(retry.path("duplicate").asBoolean()).as("within the retention").isTrue();
        assertThat(retry.path("seq").asLong()).isEqualTo(first.path("seq").asLong());
        post("/events", add10.replace("10", "11"), 409);

        advance(EIGHT_DAYS);
        JsonNode again = post("/events", add10, 200);
        assertThat(again.path("duplicate").asBoolean()).isFalse();
        assertThat(again.path("outcome").asText()).isEqualTo("applied");
        assertThat(again.path("seq").asLong()).isGreaterThan(first.path("seq").asLong());
        assertThat(balance(again)).isEqualTo(20);
        JsonNode stored = engine.get("/events/" + again.path("seq").asLong(), KEY).body();
        assertThat(stored.path("outcome").asText()).isEqualTo("applied");

        // The id is now remembered from its new use; past that, another body is a new event too, not a 409.
        assertThat(post("/events", add10, 200).path("seq").asLong()).isEqualTo(again.path("seq").asLong());
        assertThat(engine.stop()).isZero();
        engine = new EngineProcess(dir.resolve("data"), ENV).start();
        assertThat(post("/events", add10, 200).path("duplicate").asBoolean()).as("after a restart").isTrue();
        advance(EIGHT_DAYS);
        JsonNode other = post("/events", add10.replace("10", "15"), 200);
        assertThat(other.path("duplicate").asBoolean()).isFalse();
        assertThat(other.path("outcome").asText()).isEqualTo("applied");
        assertThat(balance(other)).isEqualTo(35);
    }

    @Test
    void shouldAnswerTheBulksDuplicateSlotWithTheCustomerAfterItsEarlierEventsAndBeforeItsLaterOnes()
            throws Exception {
        for (int round = 0; round < 15; round++) {
            String c = "b-" + round;
            post("/events", "{\"customer\":\"" + c + "\",\"action\":\"opt_in\"}", 200);
            String add32 = "{\"customer\":\"" + c + "\",\"action\":\"point_add\",\"id\":\"p-" + round
                    + "\",\"data\":{\"points\":32}}";
            JsonNode original = post("/events", add32, 200);
            JsonNode bulk = post("/events/bulk", "{\"events\":["
                    + "{\"customer\":\"" + c + "\",\"action\":\"point_spend\",\"data\":{\"points\":11}},"
                    + add32 + ","
                    + "{\"customer\":\"" + c + "\",\"action\":\"point_add\",\"data\":{\"points\":50}}]}", 200);
            JsonNode results = bulk.path("results");
            JsonNode dup = results.path(1);
            assertThat(dup.path("duplicate").asBoolean()).isTrue();
            assertThat(dup.path("seq").asLong()).isEqualTo(original.path("seq").asLong());
            assertThat(dup.path("effects")).isEqualTo(original.path("effects"));
            assertThat(balance(dup)).as("round %d: %s", round, bulk).isEqualTo(21);
            assertThat(balance(results.path(0))).isEqualTo(21);
            assertThat(balance(results.path(2))).isEqualTo(71);
        }
    }

    private static long balance(JsonNode result) {
        return result.path("customer").path("accounts").path("points").path("balance").asLong();
    }

    private static JsonNode post(String path, String json, int status) throws Exception {
        EngineProcess.Response r = engine.post(path, KEY, json);
        assertThat(r.status()).as(json + " → " + r.raw().body()).isEqualTo(status);
        return r.body();
    }

    private static void advance(long seconds) throws Exception {
        post("/admin/clock", "{\"advance_seconds\":" + seconds + "}", 200);
    }
}
