package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A year and more of one programme through the real program over HTTP, with backdated events and clock
 * advances: expiry of an already-expired lot, earliest-expiry spending, an upgrade to gold skipping silver,
 * the gold multiplier, a refund of a pending checkout, auto-accept, expiries in earliest-expiry order, a
 * tier review dropping gold to bronze and one renewing silver. Every number is worked out by hand below.
 */
@Timeout(600)
class LoyaltyScenarioIT {
    private static final String KEY = "dev-key";
    private static final long DAY = 86_400;

    @TempDir
    static Path dir;
    private static EngineProcess engine;

    @BeforeAll
    @Timeout(300)
    static void start() throws Exception {
        engine = new EngineProcess(dir.resolve("data"), Map.of("ENGINE_CLOCK_ADJUSTABLE", "true")).start();
    }

    @AfterAll
    @Timeout(180)
    static void stop() throws Exception {
        engine.close();
    }

    private static JsonNode post(String json, int status) throws Exception {
        EngineProcess.Response r = engine.post("/events", KEY, json);
        assertThat(r.status()).as(json + " → " + r.raw().body()).isEqualTo(status);
        return r.body();
    }

    private static String event(String customer, String action, String data) {
        return "{\"customer\":\"" + customer + "\",\"action\":\"" + action + "\""
                + (data == null ? "" : ",\"data\":" + data) + "}";
    }

    private static long daysAgo(long days) {
        return System.currentTimeMillis() / 1000 - days * DAY;
    }

    private static JsonNode points(JsonNode customer) {
        return customer.path("accounts").path("points");
    }

    private static void advance(long days) throws Exception {
        EngineProcess.Response r = engine.post("/admin/clock", KEY, "{\"advance_seconds\":" + days * DAY + "}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    }

    private static List<String> kinds(JsonNode effects) {
        List<String> out = new ArrayList<>();
        effects.forEach(e -> out.add(e.path("kind").asText() + " " + e.path("points").asLong()));
        return out;
    }

    private static JsonNode customer(String id) throws Exception {
        EngineProcess.Response r = engine.get("/customers/" + id, KEY);
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    @Test
    void shouldComputeEveryBalanceOfALongScenarioAsWorkedOutByHand() throws Exception {
        post(event("alice", "opt_in", "{\"name\":\"Alice\"}"), 200);
        post(event("bob", "opt_in", null), 200);
        // Lots: B 200 expiring in 65 days, F 50 in 165 days, C 300 in 265 days.
        post(event("alice", "point_add", "{\"points\":200,\"effective_timestamp\":" + daysAgo(300) + "}"), 200);
        post(event("alice", "point_add", "{\"points\":50,\"effective_timestamp\":" + daysAgo(200) + "}"), 200);
        post(event("alice", "point_add", "{\"points\":300,\"effective_timestamp\":" + daysAgo(100) + "}"), 200);
        // A lot that expired 35 days ago expires at once, within the event's own effects.
        JsonNode old = post(event("alice", "point_add", "{\"points\":100,\"effective_timestamp\":"
                + daysAgo(400) + "}"), 200);
        assertThat(kinds(old.path("effects"))).containsExactly("earn 100", "expire 100");
        assertThat(points(old.path("customer")).path("balance").asLong()).isEqualTo(550);
        assertThat(old.path("customer").path("qualifying_points").asLong()).isEqualTo(550);

        // Spending takes the earliest-expiring lot first: B 200 → 80 left.
        JsonNode spend = post(event("alice", "point_spend", "{\"points\":120}"), 200);
        assertThat(points(spend.path("customer")).path("spendable").asLong()).isEqualTo(430);
        post(event("alice", "point_spend", "{\"points\":431}"), 409);

        // 5000 earned at bronze (x1.0) while pending; qualifying 550 + 5000 reaches gold at once.
        JsonNode big = post(event("alice", "checkout", "{\"transaction_id\":\"T-1\",\"total\":5000.00}"), 200);
        assertThat(kinds(big.path("effects"))).containsExactly("pending 5000");
        assertThat(big.path("customer").path("tier").asText()).isEqualTo("gold");
        assertThat(big.path("customer").path("tier_valid_until").isNull()).isFalse();
        // The next checkout earns with gold's multiplier: floor(100 x 1.5) = 150.
        JsonNode small = post(event("alice", "checkout", "{\"transaction_id\":\"T-2\",\"items\":["
                + "{\"product_id\":\"a\",\"price\":30.00,\"quantity\":3},"
                + "{\"product_id\":\"b\",\"price\":15.00,\"quantity\":1,\"discount\":5.00}]}"), 200);
        assertThat(kinds(small.path("effects"))).containsExactly("pending 150");
        // Refunding the pending checkout drops its points; the tier stays until its review.
        JsonNode refund = post(event("alice", "refund", "{\"transaction_id\":\"T-1\"}"), 200);
        assertThat(kinds(refund.path("effects"))).containsExactly("refund 5000");
        assertThat(points(refund.path("customer")).path("pending").asLong()).isEqualTo(150);
        assertThat(refund.path("customer").path("qualifying_points").asLong()).isEqualTo(700);
        assertThat(refund.path("customer").path("tier").asText()).isEqualTo("gold");
        post(event("alice", "refund", "{\"transaction_id\":\"T-1\"}"), 409);

        // Bob: 1200 points now make him silver.
        JsonNode bob = post(event("bob", "point_add", "{\"points\":1200}"), 200);
        assertThat(bob.path("customer").path("tier").asText()).isEqualTo("silver");

        advance(15);   // T-2 auto-accepted
        JsonNode a15 = customer("alice");
        assertThat(points(a15).path("pending").asLong()).isZero();
        assertThat(points(a15).path("balance").asLong()).isEqualTo(80 + 50 + 300 + 150);

        advance(55);   // day 70: lot B (80 left) expired at day 65
        assertThat(points(customer("alice")).path("balance").asLong()).isEqualTo(500);
        advance(100);  // day 170: lot F (50) expired at day 165
        assertThat(points(customer("alice")).path("expired").asLong()).isEqualTo(100 + 80 + 50);

        // Day 370: C expires (day 265), then gold is reviewed (day 365) with 150 qualifying points → bronze,
        // then the accepted T-2 lot expires (day 365 + a few ms). Bob's silver is renewed (his 1200 points
        // were earned exactly one window before the review), and his lot expires.
        advance(200);
        JsonNode alice = customer("alice");
        assertThat(alice.path("tier").asText()).isEqualTo("bronze");
        assertThat(alice.path("tier_valid_until").isNull()).isTrue();
        JsonNode p = points(alice);
        assertThat(p.path("balance").asLong()).isZero();
        assertThat(p.path("earned").asLong()).isEqualTo(800);
        assertThat(p.path("spent").asLong()).isEqualTo(120);
        assertThat(p.path("expired").asLong()).isEqualTo(680);
        assertThat(p.path("deducted").asLong()).isZero();

        JsonNode ledger = engine.get("/customers/alice/ledger?limit=5", KEY).body();
        List<String> newest = kinds(ledger.path("entries"));
        assertThat(newest.subList(0, 4)).containsExactly("expire 150", "expire 300", "expire 50", "expire 80");

        JsonNode bobNow = customer("bob");
        assertThat(bobNow.path("tier").asText()).isEqualTo("silver");
        assertThat(points(bobNow).path("expired").asLong()).isEqualTo(1200);

        JsonNode stats = engine.get("/stats", KEY).body();
        assertThat(stats.path("members").path("total").asLong()).isEqualTo(2);
        assertThat(stats.path("tiers").path("bronze").asLong()).isEqualTo(1);
        assertThat(stats.path("tiers").path("silver").asLong()).isEqualTo(1);
        assertThat(stats.path("tiers").path("gold").asLong()).isZero();
        assertThat(stats.path("liability").path("points").asLong()).isZero();
        assertThat(stats.path("active_members").path("365d").asLong()).isZero();

        // Stopped and started again on the same folder: the same answers, to the byte.
        String aliceBefore = engine.get("/customers/alice", KEY).raw().body();
        String ledgerBefore = engine.get("/customers/alice/ledger?limit=100", KEY).raw().body();
        JsonNode statsBefore = stats;
        assertThat(engine.stop()).isZero();
        engine = new EngineProcess(dir.resolve("data"), Map.of("ENGINE_CLOCK_ADJUSTABLE", "true")).start();
        assertThat(engine.get("/customers/alice", KEY).raw().body()).isEqualTo(aliceBefore);
        assertThat(engine.get("/customers/alice/ledger?limit=100", KEY).raw().body()).isEqualTo(ledgerBefore);
        JsonNode statsAfter = engine.get("/stats", KEY).body();
        assertThat(statsAfter.path("members")).isEqualTo(statsBefore.path("members"));
        assertThat(statsAfter.path("tiers")).isEqualTo(statsBefore.path("tiers"));
        assertThat(statsAfter.path("liability")).isEqualTo(statsBefore.path("liability"));
        assertThat(statsAfter.path("events_applied")).isEqualTo(statsBefore.path("events_applied"));
    }
}
