package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expiring points over HTTP (api.md, "Expiring points" and GET /stats {@code expiring}) against the real
 * program: the per-account lists and {@code ?expiring=N}, its validation, and the forecast windows.
 */
@Timeout(180)
class ExpiringPointsIT {
    private static final String KEY = "dev-key";
    private static final long DAY = 86_400;

    @TempDir
    static Path dir;
    private static EngineProcess engine;

    @BeforeAll
    static void start() throws Exception {
        engine = new EngineProcess(dir.resolve("data"), Map.of("ENGINE_CLOCK_ADJUSTABLE", "true")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        engine.close();
    }

    private static JsonNode post(String json) throws Exception {
        EngineProcess.Response r = engine.post("/events", KEY, json);
        assertThat(r.status()).as(json + " → " + r.raw().body()).isEqualTo(200);
        return r.body();
    }

    private static EngineProcess.Response get(String path) throws Exception {
        return engine.get(path, KEY);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void shouldListExpiringPointsPerAccountAndForecastThemInStats() throws Exception {
        long backdated = System.currentTimeMillis() / 1000 - 300 * DAY;
        post("{\"customer\":\"x-1\",\"action\":\"opt_in\"}");
        post("{\"customer\":\"x-1\",\"action\":\"point_add\",\"data\":{\"points\":300,\"effective_timestamp\":"
                + backdated + "}}");
        JsonNode added = post("{\"customer\":\"x-1\",\"action\":\"point_add\",\"data\":{\"points\":200}}");
        post("{\"customer\":\"x-1\",\"action\":\"point_add\",\"account\":\"bonus\",\"data\":{\"points\":50}}");
        post("{\"customer\":\"x-1\",\"action\":\"reserve_points\",\"data\":{\"transaction_id\":\"R-1\","
                + "\"points\":20}}");
        assertThat(fieldNames(added.path("customer").path("accounts").path("points")))
                .as("event answers keep the plain view").doesNotContain("expiring");

        JsonNode c = get("/customers/x-1").body();
        JsonNode points = c.path("accounts").path("points");
        assertThat(fieldNames(points)).endsWith("deducted", "expiring");
        JsonNode list = points.path("expiring");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).toString()).as("the backdated lot, less the 20 reserved from it").isEqualTo(
                "{\"at\":\"" + Instant.ofEpochSecond(backdated + 365 * DAY) + "\",\"points\":280}");
        assertThat(list.get(1).path("points").asLong()).isEqualTo(200);
        assertThat(Instant.parse(list.get(1).path("at").asText()))
                .isAfter(Instant.parse(list.get(0).path("at").asText()));
        assertThat(list.get(0).path("points").asLong() + list.get(1).path("points").asLong())
                .as("entries add up to spendable").isEqualTo(points.path("spendable").asLong());
        assertThat(c.path("accounts").path("bonus").path("expiring").get(0).path("points").asLong()).isEqualTo(50);

        JsonNode one = get("/customers/x-1?expiring=1").body();
        assertThat(one.path("accounts").path("points").path("expiring")).hasSize(1);
        JsonNode none = get("/customers/x-1?expiring=0").body();
        assertThat(fieldNames(none.path("accounts").path("points"))).doesNotContain("expiring");
        assertThat(get("/customers/x-1?expiring=100").status()).isEqualTo(200);

        JsonNode stats = get("/stats").body().path("expiring");
        assertThat(fieldNames(stats)).containsExactly("30d", "90d");
        assertThat(stats.path("30d").toString()).isEqualTo("{\"points\":0,\"bonus\":0}");
        assertThat(stats.path("90d").toString()).as("65 days left; reserved points apart")
                .isEqualTo("{\"points\":280,\"bonus\":0}");

        EngineProcess.Response r = engine.post("/admin/clock", KEY, "{\"advance_seconds\":" + 40 * DAY + "}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(get("/stats").body().path("expiring").path("30d").toString())
                .isEqualTo("{\"points\":280,\"bonus\":0}");
    }

    @Test
    void shouldAnswer400ForAnExpiringCountOutOf0To100() throws Exception {
        post("{\"customer\":\"x-2\",\"action\":\"opt_in\"}");
        for (String bad : List.of("-1", "101", "x", "1.5", "", "99999999999")) {
            for (String customer : List.of("x-2", "nobody")) {
                EngineProcess.Response r = get("/customers/" + customer + "?expiring=" + bad);
                assertThat(r.status()).as("expiring=" + bad + " → " + r.raw().body()).isEqualTo(400);
                assertThat(r.body().path("error").path("code").asText()).isEqualTo("invalid_field");
                assertThat(r.body().path("error").path("message").asText()).contains("expiring");
            }
        }
    }
}
