package dev.loyalty.api;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract check itself, with no server: docs/openapi.yaml reads cleanly and names api.md's routes, and
 * the check accepts answers the spec allows and rejects each kind of drift (so the checked integration tests
 * can fail).
 */
class OpenApiContractTest {

    private static final OpenApiContract CONTRACT = OpenApiContract.get();
    private static final Map<String, List<String>> KEY = Map.of("Authorization", List.of("Bearer k"));
    private static final Map<String, List<String>> JSON_KEY = Map.of("Authorization", List.of("Bearer k"),
            "Content-Type", List.of("application/json; charset=utf-8"));
    private static final Map<String, List<String>> JSON_TYPE = Map.of("Content-Type", List.of("application/json"));

    private static final String VIEW = "{\"id\":\"c-1\",\"status\":\"active\",\"opted_in_at\":\"2026-11-26T13:40:00Z\","
            + "\"last_activity_at\":\"2026-11-26T13:40:00.120Z\",\"tier\":\"bronze\",\"tier_valid_until\":null,"
            + "\"qualifying_points\":10,\"accounts\":{\"points\":{\"balance\":10,\"spendable\":10,\"reserved\":0,"
            + "\"pending\":0,\"earned\":10,\"spent\":0,\"expired\":0,\"deducted\":0}}}";
    private static final String ENTRY = "{\"id\":1,\"seq\":7,\"at\":\"2026-11-26T13:40:00Z\",\"action\":\"point_add\","
            + "\"account\":\"points\",\"kind\":\"earn\",\"points\":10,\"transaction_id\":null,\"reason\":null}";
    private static final String APPLIED = "{\"seq\":7,\"outcome\":\"applied\",\"duplicate\":false,\"effects\":[" + ENTRY
            + "],\"customer\":" + VIEW + "}";
    private static final String EVENT = "{\"customer\":\"c-1\",\"action\":\"point_add\",\"data\":{\"points\":10}}";

    private static List<String> post(String path, String body, int status, String answer) {
        return CONTRACT.violations("POST", URI.create("http://h" + path), JSON_KEY,
                body.getBytes(StandardCharsets.UTF_8), status, JSON_TYPE, answer);
    }

    private static List<String> get(String path, int status, Map<String, List<String>> headers, String answer) {
        return CONTRACT.violations("GET", URI.create("http://h" + path), KEY, null, status, headers, answer);
    }

    @Test
    void shouldDocumentEveryRouteOfApiMd() {
        assertThat(CONTRACT.paths()).contains("/events", "/events/bulk", "/events/{seq}", "/customers/{id}",
                "/customers/{id}/ledger", "/stats", "/admin/clock", "/openapi.json", "/metrics", "/health/live",
                "/health/ready");
        assertThat(OpenApiContract.document()).startsWith("openapi: 3.1.");
    }

    @Test
    void shouldAcceptAnswersTheSpecAllows() {
        assertThat(post("/events", EVENT, 200, APPLIED)).isEmpty();
        assertThat(post("/events?mode=async", EVENT, 202, "{\"seq\":8,\"outcome\":\"accepted\"}")).isEmpty();
        assertThat(post("/events", EVENT, 409, "{\"seq\":9,\"outcome\":\"rejected\",\"duplicate\":true,\"error\":"
                + "{\"status\":409,\"code\":\"insufficient_points\",\"message\":\"not enough\"}}")).isEmpty();
        assertThat(get("/customers/c-1", 200, JSON_TYPE, VIEW)).isEmpty();
        assertThat(get("/events/7", 200, JSON_TYPE, "{\"seq\":7,\"outcome\":\"pending\"}")).isEmpty();
        assertThat(get("/stats", 429, Map.of("Content-Type", List.of("application/json"), "retry-after", List.of("2")),
                "{\"error\":{\"status\":429,\"code\":\"overloaded\",\"message\":\"slow down\"}}")).isEmpty();
        assertThat(get("/nowhere", 404, JSON_TYPE,
                "{\"error\":{\"status\":404,\"code\":\"not_found\",\"message\":\"no such resource\"}}")).isEmpty();
    }

    @Test
    void shouldRejectABodyThatDriftsFromItsSchema() {
        assertThat(post("/events", EVENT, 200, APPLIED.replace("\"duplicate\":false,", ""))).singleElement()
                .asString().contains("duplicate");
        assertThat(post("/events", EVENT, 200, APPLIED.replace("\"seq\":7,", "\"seq\":7,\"extra\":1,")))
                .isNotEmpty();
        assertThat(post("/events", EVENT, 200, APPLIED.replace("\"kind\":\"earn\"", "\"kind\":\"gift\"")))
                .isNotEmpty();
        assertThat(get("/customers/c-1", 200, JSON_TYPE, VIEW.replace("13:40:00Z", "13:40:00+01:00"))).isNotEmpty();
    }

    @Test
    void shouldRejectAnErrorCodeOrStatusTheDocumentDoesNotGive() {
        assertThat(post("/events", EVENT, 401, "{\"error\":{\"status\":401,\"code\":\"forbidden\",\"message\":\"x\"}}"))
                .isNotEmpty();
        assertThat(post("/events", EVENT, 502, "{\"error\":{\"status\":502,\"code\":\"internal\",\"message\":\"x\"}}"))
                .singleElement().asString().contains("status 502 is not documented");
        assertThat(post("/events", EVENT, 500, "{\"error\":{\"status\":500,\"code\":\"oops\",\"message\":\"x\"}}"))
                .isNotEmpty();
        assertThat(get("/stats", 429, JSON_TYPE,
                "{\"error\":{\"status\":429,\"code\":\"overloaded\",\"message\":\"slow down\"}}"))
                .singleElement().asString().contains("Retry-After");
        assertThat(get("/nowhere", 200, JSON_TYPE, "{}")).isNotEmpty();
        assertThat(get("/stats", 200, Map.of("Content-Type", List.of("text/plain")), "x")).isNotEmpty();
    }

    @Test
    void shouldRejectAnInvalidRequestThatWasAccepted() {
        assertThat(post("/events", "{\"action\":\"point_add\"}", 200, APPLIED)).singleElement().asString()
                .contains("invalid");
        assertThat(post("/events", "{\"action\":\"point_add\"}", 400,
                "{\"error\":{\"status\":400,\"code\":\"missing_field\",\"message\":\"'customer' is required\"}}"))
                .isEmpty();
        assertThat(get("/customers/c-1/ledger?limit=0", 200, JSON_TYPE, "{\"entries\":[],\"next_before\":null}"))
                .isNotEmpty();
        assertThat(CONTRACT.violations("GET", URI.create("http://h/stats"), Map.of(), null, 200, JSON_TYPE, "{}"))
                .anySatisfy(v -> assertThat(v).contains("needs a key"));
        String bulk = "{\"events\":[" + EVENT + ",{\"customer\":\"bad id\",\"action\":\"opt_in\"}]}";
        String invalidSlot = "{\"error\":{\"status\":400,\"code\":\"invalid_field\",\"message\":\"'customer' bad\"}}";
        assertThat(post("/events/bulk", bulk, 200, "{\"total\":2,\"errors\":1,\"results\":[" + APPLIED + ","
                + invalidSlot + "]}")).isEmpty();
        assertThat(post("/events/bulk", bulk, 200, "{\"total\":2,\"errors\":0,\"results\":[" + APPLIED + ","
                + APPLIED + "]}")).singleElement().asString().contains("bulk slot 1");
    }
}
