package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.api.HttpCalls.Answer;
import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP contract of api.md against the real program (real journal, state and HTTP on loopback), started
 * in-process from a temporary {@code --config} with keys of each scope. Every refused request is checked
 * for its status and error code AND for having journaled nothing: the seqs between two probe events
 * around it must all be unknown (heartbeats are 404 too) and {@code events_applied} must move by the
 * second probe only. The tests share the program but not an order: each stands on what start() set up.
 */
@Timeout(300)
class HttpContractIT {

    static final String ALL = "it-all-key";
    static final String READ = "it-read-key";
    static final String INGEST = "it-ingest-key";
    static final int MAX_BODY = 64 * 1024;
    static final int BULK_MAX = 5;
    static final String PROBE = "probe-1";
    static final String CUSTOMER = "c-it";

    private static Path home;
    private static Program program;
    private static HttpCalls http;
    private static HttpCalls management;
    /** The programme's clock before and the answer to the one clock advance of this class (see start). */
    private static Instant clockBefore;
    private static Answer clockAdvanced;

    @BeforeAll
    @Timeout(300)
    static void start() throws Exception {
        home = Files.createTempDirectory("http-contract-it");
        int port = TestFolders.freePort();
        int managementPort = TestFolders.freePort();
        program = TestPrograms.startReady(home, """
                api:
                  host: 127.0.0.1
                  max-body: 64KiB
                  bulk-max: 5
                  keys:
                    - name: all
                      key: it-all-key
                      scopes: [ingest, read, admin]
                    - name: reader
                      key: it-read-key
                      scopes: [read]
                    - name: writer
                      key: it-ingest-key
                      scopes: [ingest]
                clock:
                  adjustable: true
                partitions: 2
                """, port, managementPort);
        http = new HttpCalls(port);
        management = new HttpCalls(managementPort);
        assertThat(event(PROBE, "opt_in", null).status()).isEqualTo(200);
        assertThat(event(CUSTOMER, "opt_in", null).status()).isEqualTo(200);
        // The tests share one program and so one clock: it is moved here, once, before any test runs, so
        // no test sees a different clock depending on which tests ran before it.
        clockBefore = Instant.parse(http.get("/stats", READ).json().get("as_of").asText());
        clockAdvanced = http.post("/admin/clock", ALL, "{\"advance_seconds\":60}");
    }

    @AfterAll
    @Timeout(180)
    static void stop() {
        if (program != null) {
            program.close();
        }
        TestFolders.deleteRecursively(home);
    }

    // ---- helpers ----

    private static Answer event(String customer, String action, String data) {
        return http.post("/events", ALL, "{\"customer\":\"" + customer + "\",\"action\":\"" + action + "\""
                + (data == null ? "" : ",\"data\":" + data) + "}");
    }

    /** Journals and applies one event of the probe customer; returns its seq. */
    private static long probe() {
        Answer a = event(PROBE, "point_add", "{\"points\":1}");
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        return a.json().get("seq").asLong();
    }

    private static long eventsApplied() {
        return http.get("/stats", READ).json().get("events_applied").asLong();
    }

    private static void assertError(Answer a, int status, String code) {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        assertThat(a.json()).as(a.toString()).isNotNull();
        JsonNode error = a.json().get("error");
        assertThat(error).as(a.toString()).isNotNull();
        assertThat(error.get("status").asInt()).as(a.toString()).isEqualTo(status);
        assertThat(error.get("code").asText()).as(a.toString()).isEqualTo(code);
        assertThat(error.get("message").asText()).as(a.toString()).isNotBlank();
    }

    /** The call answers the error, carries no seq and journals nothing. */
    private static void assertRefusedBeforeJournal(int status, String code, Supplier<Answer> call) {
        long firstProbe = probe();
        long appliedBefore = eventsApplied();
        Answer answer = call.get();
        long secondProbe = probe();
        long appliedAfter = eventsApplied();
        assertError(answer, status, code);
        assertThat(answer.json().has("seq")).as(answer.toString()).isFalse();
        assertThat(answer.json().has("outcome")).as(answer.toString()).isFalse();
        assertThat(appliedAfter).as("events applied besides the probe").isEqualTo(appliedBefore + 1);
        for (long seq = firstProbe + 1; seq < secondProbe; seq++) {
            Answer stored = http.get("/events/" + seq, READ);
            assertThat(stored.status()).as("seq %d between the probes: %s", seq, stored).isEqualTo(404);
        }
    }

    private static String padded(int totalBytes) {
        String head = "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1},\"pad\":\"";
        String tail = "\"}";
        return head + "x".repeat(totalBytes - head.length() - tail.length()) + tail;
    }

    // ---- validation: 400, nothing journaled ----

    @Test
    void shouldRefuseMalformedJsonWithoutJournaling() {
        for (String body : List.of("{\"customer\":", "{\"customer\":\"" + PROBE + "\",\"action\":\"opt_out\"} trailing",
                "{\"customer\":\"" + PROBE + "\",\"customer\":\"" + PROBE + "\",\"action\":\"opt_out\"}",
                "{customer: 1}", "nul")) {
            assertRefusedBeforeJournal(400, "malformed_json", () -> http.post("/events", ALL, body));
        }
    }

    @Test
    void shouldCallAnEmptyBodyMalformed() {
        assertRefusedBeforeJournal(400, "malformed_json", () -> http.post("/events", ALL, ""));
        assertRefusedBeforeJournal(400, "malformed_json", () -> http.post("/events", ALL, "  \n"));
    }

    @Test
    void shouldRefuseABodyThatIsNotAnObject() {
        for (String body : List.of("[1,2]", "\"text\"", "42", "null", "true",
                "[{\"customer\":\"" + PROBE + "\",\"action\":\"opt_out\"}]")) {
            assertRefusedBeforeJournal(400, "invalid_field", () -> http.post("/events", ALL, body));
        }
    }

    @Test
    void shouldRefuseAMissingCustomer() {
        assertRefusedBeforeJournal(400, "missing_field",
                () -> http.post("/events", ALL, "{\"action\":\"point_add\",\"data\":{\"points\":1}}"));
    }

    @Test
    void shouldRefuseInvalidCustomerIds() {
        for (String customer : List.of("\"c 1\"", "\"c/1\"", "\"\"", "\"" + "x".repeat(65) + "\"", "\"ü\"", "42",
                "{}")) {
            assertRefusedBeforeJournal(400, "invalid_field", () -> http.post("/events", ALL,
                    "{\"customer\":" + customer + ",\"action\":\"point_add\",\"data\":{\"points\":1}}"));
        }
        // api.md does not say whether an explicit null is missing or of the wrong type; the validator calls it missing.
        assertRefusedBeforeJournal(400, "missing_field", () -> http.post("/events", ALL,
                "{\"customer\":null,\"action\":\"point_add\",\"data\":{\"points\":1}}"));
    }

    @Test
    void shouldRefuseMissingAndUnknownActions() {
        assertRefusedBeforeJournal(400, "missing_field", () -> http.post("/events", ALL,
                "{\"customer\":\"" + PROBE + "\",\"data\":{\"points\":1}}"));
        assertRefusedBeforeJournal(400, "unknown_action", () -> http.post("/events", ALL,
                "{\"customer\":\"" + PROBE + "\",\"action\":\"teleport\"}"));
    }

    @Test
    void shouldRefuseAnUnconfiguredAccount() {
        assertRefusedBeforeJournal(400, "invalid_field", () -> http.post("/events", ALL,
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"account\":\"miles\",\"data\":{\"points\":1}}"));
    }

    @Test
    void shouldRefuseAnUnknownMode() {
        assertRefusedBeforeJournal(400, "invalid_field", () -> http.post("/events?mode=later", ALL,
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}"));
    }

    // ---- transport: 415, 413 ----

    @Test
    void shouldRefuseBodiesThatAreNotJson() {
        String valid = "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}";
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/jsonp")) {
            assertRefusedBeforeJournal(415, "unsupported_media_type", () -> http.post("/events", ALL, type, valid));
        }
        assertRefusedBeforeJournal(415, "unsupported_media_type", () -> http.post("/events", ALL, null, valid));
    }

    @Test
    void shouldAcceptACharsetParameter() {
        Answer a = http.post("/events", ALL, "application/json; charset=utf-8",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}");
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
    }

    @Test
    void shouldRefuseOversizeBodies() {
        String body = padded(MAX_BODY + 1);
        assertRefusedBeforeJournal(413, "payload_too_large", () -> http.post("/events", ALL, body));
        assertRefusedBeforeJournal(413, "payload_too_large",
                () -> http.postChunked("/events", ALL, body.getBytes(StandardCharsets.UTF_8)));
        assertRefusedBeforeJournal(413, "payload_too_large", () -> http.post("/events/bulk", ALL,
                "{\"events\":[" + body + "]}"));
    }

    @Test
    void shouldReadABodyOfExactlyTheLimit() {
        Answer a = http.post("/events", ALL, padded(MAX_BODY));
        assertThat(a.status()).as(a.toString()).isNotEqualTo(413).isLessThan(500);
    }

    // ---- authentication and scopes: 401, 403 ----

    @Test
    void shouldRefuseRequestsWithoutAKnownKey() {
        String valid = "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}";
        assertRefusedBeforeJournal(401, "unauthenticated", () -> http.post("/events", null, valid));
        assertRefusedBeforeJournal(401, "unauthenticated", () -> http.post("/events", "not-a-key", valid));
        assertRefusedBeforeJournal(401, "unauthenticated", () -> http.send(http.request("/events")
                .header("Authorization", "Basic aXQ6aXQ=").header("Content-Type", HttpCalls.JSON)
                .POST(HttpRequest.BodyPublishers.ofString(valid))));
        assertError(http.get("/stats", null), 401, "unauthenticated");
        assertError(http.get("/customers/" + CUSTOMER, ALL + "x"), 401, "unauthenticated");
    }

    @Test
    void shouldAcceptTheKeyInEitherHeader() {
        assertThat(http.send(http.request("/stats").header("X-Api-Key", READ).GET()).status()).isEqualTo(200);
        assertThat(http.send(http.request("/stats").header("Authorization", "Bearer " + READ).GET()).status())
                .isEqualTo(200);
    }

    @Test
    void shouldRefuseKeysWithoutTheScope() {
        String valid = "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}";
        assertRefusedBeforeJournal(403, "forbidden", () -> http.post("/events", READ, valid));
        assertRefusedBeforeJournal(403, "forbidden", () -> http.post("/events/bulk", READ, "{\"events\":[" + valid + "]}"));
        assertRefusedBeforeJournal(403, "forbidden", () -> http.post("/admin/clock", READ, "{\"advance_seconds\":1}"));
        assertRefusedBeforeJournal(403, "forbidden", () -> http.post("/admin/clock", INGEST, "{\"advance_seconds\":1}"));
        assertError(http.get("/stats", INGEST), 403, "forbidden");
        assertError(http.get("/customers/" + CUSTOMER, INGEST), 403, "forbidden");
        assertError(http.get("/customers/" + CUSTOMER + "/ledger", INGEST), 403, "forbidden");
        assertError(http.get("/events/1", INGEST), 403, "forbidden");
    }

    @Test
    void shouldCheckInApiMdOrder() {
        String big = padded(MAX_BODY + 1);
        // authentication before content type, size and JSON
        assertRefusedBeforeJournal(401, "unauthenticated", () -> http.post("/events", null, "text/plain", "{"));
        assertRefusedBeforeJournal(403, "forbidden", () -> http.post("/events", READ, "text/plain", big));
        // content type before size, size before JSON
        assertRefusedBeforeJournal(415, "unsupported_media_type", () -> http.post("/events", ALL, "text/plain", big));
        assertRefusedBeforeJournal(413, "payload_too_large", () -> http.post("/events", ALL, "{" + big));
    }

    // ---- idempotency ----

    @Test
    void shouldAnswerARetryAsADuplicateAndRefuseAnotherBody() {
        String first = "{\"customer\":\"" + CUSTOMER + "\",\"action\":\"point_add\",\"id\":\"it-retry-1\","
                + "\"data\":{\"points\":5,\"reason\":\"welcome\"}}";
        String reordered = "{\"data\":{\"reason\":\"welcome\",\"points\":5},\"id\":\"it-retry-1\","
                + "\"action\":\"point_add\",\"customer\":\"" + CUSTOMER + "\"}";
        Answer original = http.post("/events", ALL, first);
        assertThat(original.status()).as(original.toString()).isEqualTo(200);
        assertThat(original.json().get("duplicate").asBoolean()).isFalse();

        Answer retry = http.post("/events", ALL, reordered);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.json().get("duplicate").asBoolean()).isTrue();
        assertThat(retry.json().get("seq").asLong()).isEqualTo(original.json().get("seq").asLong());
        assertThat(retry.json().get("effects")).isEqualTo(original.json().get("effects"));

        assertRefusedBeforeJournal(409, "idempotency_mismatch", () -> http.post("/events", ALL,
                first.replace("\"points\":5", "\"points\":6")));
    }

    // ---- bulk ----

    @Test
    void shouldRefuseMalformedBulkEnvelopes() {
        assertRefusedBeforeJournal(400, "missing_field", () -> http.post("/events/bulk", ALL, "{}"));
        assertRefusedBeforeJournal(400, "missing_field", () -> http.post("/events/bulk", ALL, "{\"event\":[]}"));
        assertRefusedBeforeJournal(400, "invalid_field", () -> http.post("/events/bulk", ALL, "{\"events\":{}}"));
        assertRefusedBeforeJournal(400, "invalid_field", () -> http.post("/events/bulk", ALL, "{\"events\":\"x\"}"));
        assertRefusedBeforeJournal(400, "invalid_field", () -> http.post("/events/bulk", ALL, "[]"));
        assertRefusedBeforeJournal(400, "malformed_json", () -> http.post("/events/bulk", ALL, "{\"events\":["));
        assertRefusedBeforeJournal(400, "malformed_json", () -> http.post("/events/bulk", ALL, ""));
        assertRefusedBeforeJournal(415, "unsupported_media_type",
                () -> http.post("/events/bulk", ALL, "text/plain", "{\"events\":[]}"));
    }

    @Test
    void shouldRefuseMoreEventsThanBulkMax() {
        String one = "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}";
        String tooMany = "{\"events\":[" + String.join(",", java.util.Collections.nCopies(BULK_MAX + 1, one)) + "]}";
        long before = probe();
        Answer a = http.post("/events/bulk", ALL, tooMany);
        long after = probe();
        assertError(a, 400, "invalid_field");
        assertThat(a.json().get("error").get("message").asText()).contains("events");
        for (long seq = before + 1; seq < after; seq++) {
            assertThat(http.get("/events/" + seq, READ).status()).isEqualTo(404);
        }
    }

    @Test
    void shouldAnswerEachBulkSlotInOrder() {
        String applied = "{\"customer\":\"" + CUSTOMER + "\",\"action\":\"point_add\",\"data\":{\"points\":3}}";
        String invalid = "{\"customer\":\"bad id\",\"action\":\"point_add\",\"data\":{\"points\":3}}";
        String rejected = "{\"customer\":\"nobody-" + System.nanoTime() + "\",\"action\":\"point_add\",\"data\":{\"points\":3}}";
        Answer a = http.post("/events/bulk", ALL, "{\"events\":[" + applied + "," + invalid + "," + rejected + "]}");
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        assertThat(fieldNames(a.json())).containsExactly("total", "errors", "results");
        assertThat(a.json().get("total").asInt()).isEqualTo(3);
        assertThat(a.json().get("errors").asInt()).isEqualTo(2);
        JsonNode results = a.json().get("results");
        assertThat(results.get(0).get("outcome").asText()).isEqualTo("applied");
        assertThat(results.get(0).get("customer").get("id").asText()).isEqualTo(CUSTOMER);
        assertThat(fieldNames(results.get(1))).containsExactly("error");
        assertThat(results.get(1).get("error").get("code").asText()).isEqualTo("invalid_field");
        assertThat(results.get(2).get("outcome").asText()).isEqualTo("rejected");
        assertThat(results.get(2).get("error").get("code").asText()).isEqualTo("customer_not_found");
        assertThat(results.get(2).get("seq").asLong()).isGreaterThan(results.get(0).get("seq").asLong());
    }

    @Test
    void shouldAnswerAnEmptyBulk() {
        Answer a = http.post("/events/bulk", ALL, "{\"events\":[]}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().toString()).isEqualTo("{\"total\":0,\"errors\":0,\"results\":[]}");
    }

    @Test
    void shouldAcceptAsyncBulks() {
        String one = "{\"customer\":\"" + CUSTOMER + "\",\"action\":\"point_add\",\"data\":{\"points\":1}}";
        Answer a = http.post("/events/bulk?mode=async", ALL, "{\"events\":[" + one + "," + one + "]}");
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        for (JsonNode slot : a.json().get("results")) {
            assertThat(fieldNames(slot)).containsExactly("seq", "outcome");
            assertThat(slot.get("outcome").asText()).isEqualTo("accepted");
            awaitDone(slot.get("seq").asLong());
        }
    }

    // ---- events ----

    @Test
    void shouldAnswerAnAppliedEventWithEffectsAndCustomer() {
        Answer a = event(CUSTOMER, "point_add", "{\"points\":10,\"reason\":\"it\"}");
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        assertThat(fieldNames(a.json())).containsExactly("seq", "outcome", "duplicate", "effects", "customer");
        assertThat(a.json().get("outcome").asText()).isEqualTo("applied");
        JsonNode effect = a.json().get("effects").get(0);
        assertThat(fieldNames(effect)).containsExactly(
                "id", "seq", "at", "action", "account", "kind", "points", "transaction_id", "reason");
        assertThat(effect.get("kind").asText()).isEqualTo("earn");
        assertThat(effect.get("points").asLong()).isEqualTo(10);
        assertThat(effect.get("seq").asLong()).isEqualTo(a.json().get("seq").asLong());
        assertThat(effect.get("at").asText()).endsWith("Z");
        assertThat(fieldNames(a.json().get("customer"))).containsExactly("id", "status", "opted_in_at",
                "last_activity_at", "tier", "tier_valid_until", "qualifying_points", "accounts");
    }

    @Test
    void shouldAnswerBusinessRejectionsWithTheirSeq() {
        Answer a = event(CUSTOMER, "point_spend", "{\"points\":999999999}");
        assertThat(a.status()).as(a.toString()).isEqualTo(409);
        assertThat(fieldNames(a.json())).containsExactly("seq", "outcome", "duplicate", "error");
        assertThat(a.json().get("outcome").asText()).isEqualTo("rejected");
        assertThat(a.json().get("error").get("code").asText()).isEqualTo("insufficient_points");
        Answer unknown = event("nobody-" + System.nanoTime(), "point_add", "{\"points\":1}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").get("code").asText()).isEqualTo("customer_not_found");
        assertThat(unknown.json().has("seq")).isTrue();

        Answer stored = http.get("/events/" + a.json().get("seq").asLong(), READ);
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.json().get("outcome").asText()).isEqualTo("rejected");
        assertThat(stored.json().get("error").get("code").asText()).isEqualTo("insufficient_points");
    }

    @Test
    void shouldAcceptAsyncEventsAndKeepTheirOutcome() {
        Answer a = http.post("/events?mode=async", ALL,
                "{\"customer\":\"" + CUSTOMER + "\",\"action\":\"point_add\",\"data\":{\"points\":2}}");
        assertThat(a.status()).as(a.toString()).isEqualTo(202);
        assertThat(fieldNames(a.json())).containsExactly("seq", "outcome");
        assertThat(a.json().get("outcome").asText()).isEqualTo("accepted");
        JsonNode stored = awaitDone(a.json().get("seq").asLong());
        assertThat(stored.get("outcome").asText()).isEqualTo("applied");
        assertThat(stored.get("effects").get(0).get("points").asLong()).isEqualTo(2);
    }

    @Test
    void shouldAnswerUnknownSeqsNotFound() {
        for (String seq : List.of("abc", "-1", "9007199254740992", "1.5", "99999999999")) {
            assertError(http.get("/events/" + seq, READ), 404, "not_found");
        }
    }

    // ---- customers, ledger, stats ----

    @Test
    void shouldAnswerCustomersAndTheirLedger() {
        event(CUSTOMER, "point_add", "{\"points\":4}");
        event(CUSTOMER, "point_add", "{\"points\":5}");
        Answer c = http.get("/customers/" + CUSTOMER, READ);
        assertThat(c.status()).isEqualTo(200);
        assertThat(c.json().get("status").asText()).isEqualTo("active");
        assertThat(fieldNames(c.json().get("accounts"))).containsExactly("points", "bonus");
        assertThat(fieldNames(c.json().get("accounts").get("bonus"))).containsExactly(
                "balance", "spendable", "reserved", "pending", "earned", "spent", "expired", "deducted", "expiring");

        Answer page = http.get("/customers/" + CUSTOMER + "/ledger?limit=1", READ);
        assertThat(page.status()).isEqualTo(200);
        assertThat(fieldNames(page.json())).containsExactly("entries", "next_before");
        assertThat(page.json().get("entries")).hasSize(1);
        long newest = page.json().get("entries").get(0).get("id").asLong();
        long next = page.json().get("next_before").asLong();
        Answer older = http.get("/customers/" + CUSTOMER + "/ledger?limit=1&before=" + next, READ);
        assertThat(older.json().get("entries").get(0).get("id").asLong()).isLessThan(newest);

        assertError(http.get("/customers/nobody-here", READ), 404, "customer_not_found");
        assertError(http.get("/customers/bad%20id", READ), 404, "customer_not_found");
        assertError(http.get("/customers/nobody-here/ledger", READ), 404, "customer_not_found");
        for (String query : List.of("limit=0", "limit=1001", "limit=x", "limit=-1", "before=0", "before=x",
                "before=-5")) {
            assertError(http.get("/customers/" + CUSTOMER + "/ledger?" + query, READ), 400, "invalid_field");
        }
    }

    @Test
    void shouldAnswerStats() {
        Answer s = http.get("/stats", READ);
        assertThat(s.status()).isEqualTo(200);
        assertThat(fieldNames(s.json())).containsExactly(
                "as_of", "events_applied", "members", "active_members", "tiers", "liability", "expiring");
        assertThat(fieldNames(s.json().get("members"))).containsExactly("total", "active", "opted_out");
        assertThat(fieldNames(s.json().get("active_members"))).containsExactly("30d", "90d", "365d");
        assertThat(fieldNames(s.json().get("tiers"))).containsExactly("bronze", "silver", "gold");
        assertThat(fieldNames(s.json().get("liability"))).containsExactly("points", "bonus");
        assertThat(fieldNames(s.json().get("expiring"))).containsExactly("30d", "90d");
        assertThat(fieldNames(s.json().get("expiring").get("30d"))).containsExactly("points", "bonus");
        assertThat(s.json().get("members").get("total").asLong()).isGreaterThanOrEqualTo(2);
    }

    // ---- administration ----

    @Test
    void shouldAdvanceTheClock() {
        Answer a = clockAdvanced;
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        assertThat(fieldNames(a.json())).containsExactly("clock");
        assertThat(a.json().get("clock").asText()).endsWith("Z");
        assertThat(Instant.parse(a.json().get("clock").asText())).as("moved by 60 s at least")
                .isAfterOrEqualTo(clockBefore.plusSeconds(60));
        // refused bodies below move nothing
        for (String body : List.of("{\"advance_seconds\":0}", "{\"advance_seconds\":-5}",
                "{\"advance_seconds\":\"60\"}", "{\"advance_seconds\":1.5}", "{\"advance_seconds\":null}", "[]")) {
            assertError(http.post("/admin/clock", ALL, body), 400, "invalid_field");
        }
        assertError(http.post("/admin/clock", ALL, "{}"), 400, "missing_field");
        assertError(http.post("/admin/clock", ALL, "{"), 400, "malformed_json");
        assertError(http.post("/admin/clock", ALL, "text/plain", "{\"advance_seconds\":60}"), 415,
                "unsupported_media_type");
    }

    // ---- routes ----

    @Test
    void shouldAnswerUnknownRoutesAndMethods() {
        assertError(http.get("/nowhere", ALL), 404, "not_found");
        assertError(http.get("/", null), 404, "not_found");
        assertError(http.post("/customers/" + CUSTOMER, ALL, "{}"), 405, "method_not_allowed");
        assertError(http.send(http.request("/events").DELETE().header("Authorization", "Bearer " + ALL)), 405,
                "method_not_allowed");
        assertError(http.send(http.request("/stats").PUT(HttpRequest.BodyPublishers.ofString("{}"))), 405,
                "method_not_allowed");
    }

    @Test
    void shouldNeverAnswerAServerErrorToClientInput() {
        List<String> bodies = new ArrayList<>(List.of(
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":1e400}}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":99999999999999999999999}}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":{\"points\":-1}}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"data\":[]}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"checkout\",\"data\":{\"transaction_id\":\"T\",\"total\":\"x\"}}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"checkout\",\"data\":{\"transaction_id\":\"T\",\"items\":[{}]}}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"checkout\",\"data\":{\"effective_timestamp\":\"yesterday\"}}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"id\":\"\",\"data\":{\"points\":1}}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"point_add\",\"id\":" + "\"" + "i".repeat(200) + "\"}",
                "{\"customer\":\"" + PROBE + "\",\"action\":null}",
                "{\"customer\":\"\\u0000\",\"action\":\"opt_in\"}",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"profile\",\"data\":{\"points\":5}}",
                "[".repeat(200) + "]".repeat(200),
                "\"\\ud800\"",
                "{\"customer\":\"" + PROBE + "\",\"action\":\"opt_in\",\"data\":" + "{\"a\":".repeat(60) + "1"
                        + "}".repeat(60) + "}"));
        for (String body : bodies) {
            Answer a = http.post("/events", ALL, body);
            assertThat(a.status()).as(body + " → " + a).isLessThan(500);
            if (a.status() >= 400) {
                assertThat(a.json().get("error").get("status").asInt()).isEqualTo(a.status());
            }
            Answer b = http.post("/events/bulk", ALL, "{\"events\":[" + body + "]}");
            assertThat(b.status()).as("bulk " + body + " → " + b).isLessThan(500);
        }
    }

    // ---- the contract itself ----

    @Test
    void shouldServeTheOpenApiDocumentWithoutAKey() throws Exception {
        Answer a = http.get("/openapi.json", null);
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        assertThat(a.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        assertThat(a.json()).as("parsed body").isNotNull();
        assertThat(a.json().get("openapi").asText()).matches("3\\.1\\.[0-9]+");
        JsonNode source = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(OpenApiContract.document());
        assertThat(a.json()).as("the served document is docs/openapi.yaml").isEqualTo(source);
        assertThat(http.get("/openapi.json", "not-a-key").status()).isEqualTo(200);
        assertError(http.post("/openapi.json", ALL, "{}"), 405, "method_not_allowed");
    }

    // ---- management ----

    @Test
    void shouldServeHealthAndMetrics() {
        Answer live = management.get("/health/live", null);
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().get("status").asText()).isEqualTo("up");
        assertThat(management.get("/health/ready", null).status()).isEqualTo(200);

        http.get("/customers/" + CUSTOMER, READ);
        http.get("/no/such/path/c-it-raw", READ);
        Answer metrics = management.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type"))
                .hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body())
                .contains("http_server_requests_seconds_bucket{")
                .contains("route=\"/customers/:id\"")
                .contains("route=\"unmatched\"")
                .doesNotContain("c-it-raw")
                .doesNotContain("route=\"/customers/" + CUSTOMER)
                .contains("jvm_memory_used_bytes")
                .doesNotContain("process_cpu_time_ns_total");
    }

    // ---- utilities ----

    /** Polls GET /events/{seq} until it is no longer pending; returns the stored outcome. */
    private static JsonNode awaitDone(long seq) {
        return Eventually.until("seq " + seq + " no longer pending", Duration.ofSeconds(10), () -> {
            Answer a = http.get("/events/" + seq, READ);
            assertThat(a.status()).as(a.toString()).isEqualTo(200);
            return a.json();
        }, json -> !"pending".equals(json.get("outcome").asText()));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
