package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.CustomerDetail;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Refusal;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.RuleError;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonViewsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long T0 = Instant.parse("2026-11-26T13:40:00Z").toEpochMilli();

    private static JsonNode read(Buffer buffer) throws Exception {
        return MAPPER.readTree(buffer.toString());
    }

    private static CustomerView customer() {
        Map<String, AccountView> accounts = new LinkedHashMap<>();
        accounts.put("points", new AccountView(900, 850, 50, 120, 1320, 400, 20, 0));
        accounts.put("bonus", AccountView.ZERO);
        return new CustomerView("c-1001", true, T0, T0 + 1234, "silver", T0 + 86_400_000L, 1320, accounts);
    }

    private static LedgerEntry entry(long id) {
        return new LedgerEntry(id, 42, T0, "checkout", "points", LedgerKind.PENDING, 120, "T-1", null);
    }

    @Test
    void shouldRenderACustomerAsApiMdShowsIt() throws Exception {
        JsonNode json = read(JsonViews.customer(customer()));
        assertThat(json.toString()).isEqualTo("""
                {"id":"c-1001","status":"active","opted_in_at":"2026-11-26T13:40:00Z",\
                "last_activity_at":"2026-11-26T13:40:01.234Z","tier":"silver",\
                "tier_valid_until":"2026-11-27T13:40:00Z","qualifying_points":1320,\
                "accounts":{"points":{"balance":900,"spendable":850,"reserved":50,"pending":120,"earned":1320,\
                "spent":400,"expired":20,"deducted":0},\
                "bonus":{"balance":0,"spendable":0,"reserved":0,"pending":0,"earned":0,"spent":0,"expired":0,\
                "deducted":0}}}""");
    }

    @Test
    void shouldRenderEachAccountsExpiringListLastWhenAsked() throws Exception {
        Map<String, List<ExpiringPoints>> expiring = new LinkedHashMap<>();
        expiring.put("points", List.of(new ExpiringPoints(T0 + 86_400_000L, 300),
                new ExpiringPoints(Instant.parse("2027-12-31T23:59:59.999Z").toEpochMilli(), 550)));
        expiring.put("bonus", List.of());
        JsonNode json = read(JsonViews.customer(new CustomerDetail(customer(), expiring)));
        assertThat(fieldNames(json.get("accounts").get("points"))).endsWith("deducted", "expiring");
        assertThat(json.get("accounts").get("points").get("expiring").toString()).isEqualTo("""
                [{"at":"2026-11-27T13:40:00Z","points":300},{"at":"2027-12-31T23:59:59.999Z","points":550}]""");
        assertThat(json.get("accounts").get("bonus").get("expiring").toString()).isEqualTo("[]");
    }

    @Test
    void shouldRenderNullTimesAndOptedOut() throws Exception {
        CustomerView c = new CustomerView("c-2", false, T0, CustomerView.NONE, "bronze", CustomerView.NONE, 0,
                Map.of("points", AccountView.ZERO));
        JsonNode json = read(JsonViews.customer(c));
        assertThat(json.get("status").asText()).isEqualTo("opted_out");
        assertThat(json.get("last_activity_at").isNull()).isTrue();
        assertThat(json.get("tier_valid_until").isNull()).isTrue();
    }

    @Test
    void shouldRenderAnAppliedEvent() throws Exception {
        EventOutcome outcome = new EventOutcome(42, "c-1001", null, List.of(entry(7)));
        JsonNode json = read(JsonViews.eventResult(42, false, new EventResult(outcome, customer())));
        assertThat(fieldNames(json)).containsExactly("seq", "outcome", "duplicate", "effects", "customer");
        assertThat(json.get("seq").asLong()).isEqualTo(42);
        assertThat(json.get("outcome").asText()).isEqualTo("applied");
        assertThat(json.get("duplicate").asBoolean()).isFalse();
        assertThat(json.get("effects").get(0).toString()).isEqualTo("""
                {"id":7,"seq":42,"at":"2026-11-26T13:40:00Z","action":"checkout","account":"points",\
                "kind":"pending","points":120,"transaction_id":"T-1","reason":null}""");
        assertThat(json.get("customer").get("id").asText()).isEqualTo("c-1001");
    }

    @Test
    void shouldRenderARejectedDuplicate() throws Exception {
        EventOutcome outcome = new EventOutcome(43, "c-1001",
                RuleError.conflict("insufficient_points", "not enough"), List.of());
        JsonNode json = read(JsonViews.eventResult(43, true, new EventResult(outcome, customer())));
        assertThat(json.toString()).isEqualTo("""
                {"seq":43,"outcome":"rejected","duplicate":true,\
                "error":{"status":409,"code":"insufficient_points","message":"not enough"}}""");
    }

    @Test
    void shouldRenderStoredOutcomes() throws Exception {
        EventOutcome applied = new EventOutcome(5, "c", null, List.of(entry(1)));
        assertThat(fieldNames(read(JsonViews.eventStatus(5, new EventStatus(EventStatus.Kind.DONE, applied)))))
                .containsExactly("seq", "outcome", "effects");
        EventOutcome rejected = new EventOutcome(6, "c", RuleError.notFound("c"), List.of());
        JsonNode json = read(JsonViews.eventStatus(6, new EventStatus(EventStatus.Kind.DONE, rejected)));
        assertThat(json.get("outcome").asText()).isEqualTo("rejected");
        assertThat(json.get("error").get("code").asText()).isEqualTo("customer_not_found");
        assertThat(read(JsonViews.eventStatus(7, new EventStatus(EventStatus.Kind.PENDING, null))).toString())
                .isEqualTo("{\"seq\":7,\"outcome\":\"pending\"}");
    }

    @Test
    void shouldRenderErrorsAndAccepted() throws Exception {
        assertThat(read(JsonViews.error(415, "unsupported_media_type", "json please")).toString())
                .isEqualTo("{\"error\":{\"status\":415,\"code\":\"unsupported_media_type\",\"message\":\"json please\"}}");
        assertThat(read(JsonViews.accepted(9)).toString()).isEqualTo("{\"seq\":9,\"outcome\":\"accepted\"}");
    }

    @Test
    void shouldRenderLedgerPages() throws Exception {
        JsonNode more = read(JsonViews.ledger(new LedgerPage(List.of(entry(3), entry(2)), 2)));
        assertThat(more.get("entries")).hasSize(2);
        assertThat(more.get("next_before").asLong()).isEqualTo(2);
        JsonNode last = read(JsonViews.ledger(new LedgerPage(List.of(), -1)));
        assertThat(last.toString()).isEqualTo("{\"entries\":[],\"next_before\":null}");
    }

    @Test
    void shouldRenderStats() throws Exception {
        Map<Integer, Long> windows = new LinkedHashMap<>();
        windows.put(30, 420L);
        windows.put(90, 610L);
        windows.put(365, 800L);
        Map<String, Long> tiers = new LinkedHashMap<>();
        tiers.put("bronze", 890L);
        tiers.put("silver", 80L);
        tiers.put("gold", 20L);
        Map<String, Long> liability = new LinkedHashMap<>();
        liability.put("points", 1234567L);
        liability.put("bonus", 4000L);
        Map<Integer, Map<String, Long>> expiring = new LinkedHashMap<>();
        expiring.put(30, new LinkedHashMap<>(Map.of("points", 23000L)));
        expiring.get(30).put("bonus", 100L);
        expiring.put(90, new LinkedHashMap<>(Map.of("points", 61000L)));
        expiring.get(90).put("bonus", 900L);
        JsonNode json = read(JsonViews.stats(new ProgramStats(T0, 123456, 1000, 990, 10, windows, tiers, liability,
                expiring)));
        assertThat(json.toString()).isEqualTo("""
                {"as_of":"2026-11-26T13:40:00Z","events_applied":123456,\
                "members":{"total":1000,"active":990,"opted_out":10},\
                "active_members":{"30d":420,"90d":610,"365d":800},\
                "tiers":{"bronze":890,"silver":80,"gold":20},\
                "liability":{"points":1234567,"bonus":4000},\
                "expiring":{"30d":{"points":23000,"bonus":100},"90d":{"points":61000,"bonus":900}}}""");
    }

    @Test
    void shouldRenderBulkAndCountErrors() throws Exception {
        EventOutcome applied = new EventOutcome(10, "c", null, List.of());
        EventOutcome rejected = new EventOutcome(11, "c", RuleError.notFound("c"), List.of());
        JsonNode json = read(JsonViews.bulk(List.of(
                new BulkSlot.Done(10, false, new EventResult(applied, customer())),
                new BulkSlot.Invalid(ValidationError.missing("customer")),
                new BulkSlot.Done(11, false, new EventResult(rejected, null)),
                new BulkSlot.Refused(new Refusal(409, "idempotency_mismatch", "other body")),
                new BulkSlot.Accepted(12))));
        assertThat(fieldNames(json)).containsExactly("total", "errors", "results");
        assertThat(json.get("total").asInt()).isEqualTo(5);
        assertThat(json.get("errors").asInt()).isEqualTo(3);
        JsonNode results = json.get("results");
        assertThat(results.get(0).get("outcome").asText()).isEqualTo("applied");
        assertThat(results.get(1).toString())
                .isEqualTo("{\"error\":{\"status\":400,\"code\":\"missing_field\",\"message\":\"'customer' is required\"}}");
        assertThat(results.get(2).get("error").get("status").asInt()).isEqualTo(404);
        assertThat(results.get(3).get("error").get("code").asText()).isEqualTo("idempotency_mismatch");
        assertThat(results.get(4).toString()).isEqualTo("{\"seq\":12,\"outcome\":\"accepted\"}");
    }

    @Test
    void shouldFormatTimesAsUtcWithMillisOnlyWhenNeeded() {
        assertThat(JsonViews.isoTime(T0)).isEqualTo("2026-11-26T13:40:00Z");
        assertThat(JsonViews.isoTime(T0 + 5)).isEqualTo("2026-11-26T13:40:00.005Z");
    }

    @Test
    void shouldFormatEveryInstantAsIsoInstantDoes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long[] edges = {0, 1, 999, 1000, 951_782_400_000L /* 2000-02-29 */, 4_107_456_000_000L /* 2100-03-01 */,
            253_402_300_799_999L, 253_402_300_800_000L, -1, -86_400_001L, Long.MAX_VALUE / 1000};
        for (long ms : edges) {
            assertThat(JsonViews.isoTime(ms)).as("%d", ms)
                    .isEqualTo(java.time.format.DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.ofEpochMilli(ms)));
        }
        for (int i = 0; i < 200_000; i++) {
            long ms = random.nextLong(-100_000_000_000_000L, 300_000_000_000_000L);
            if ((i & 1) == 0) {
                ms -= ms % 1000;
            }
            assertThat(JsonViews.isoTime(ms)).as("%d", ms)
                    .isEqualTo(java.time.format.DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.ofEpochMilli(ms)));
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
