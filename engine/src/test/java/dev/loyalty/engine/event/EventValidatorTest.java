package dev.loyalty.engine.event;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loyalty.engine.rules.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error path of {@link EventValidator}, and what a valid event becomes. */
class EventValidatorTest {

    /** 2026-01-01T00:00:00Z. */
    private static final long NOW = 1_767_225_600_000L;
    private static final long DAY = 86_400_000L;

    private static final ObjectMapper DOUBLES = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final ObjectMapper DECIMALS = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private final EventValidator validator = new EventValidator(TestConfigs.defaults());

    /** Parses single-quoted JSON (for readability) with binary doubles, as a default ObjectMapper does. */
    private static JsonNode json(String singleQuoted) {
        try {
            return DOUBLES.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Validated validate(String singleQuoted) {
        return validator.validate(json(singleQuoted), NOW);
    }

    private Event ok(String singleQuoted) {
        Validated v = validate(singleQuoted);
        assertThat(v.error()).as("error").isNull();
        assertThat(v.isOk()).isTrue();
        return v.event();
    }

    private void fails(String singleQuoted, String code, String field) {
        Validated v = validate(singleQuoted);
        assertThat(v.event()).isNull();
        assertThat(v.error()).as("error for " + singleQuoted).isNotNull();
        assertThat(v.error().code()).as(v.error().message()).isEqualTo(code);
        assertThat(v.error().message()).contains("'" + field + "'");
    }

    private static String checkout(String data) {
        return "{'customer':'c1','action':'checkout','data':{" + data + "}}";
    }

    // ------------------------------------------------------------ envelope

    @Test
    void shouldRefuseNonObjectEvent() {
        fails("[1,2]", "invalid_field", "event");
        fails("'text'", "invalid_field", "event");
        assertThat(validator.validate(null, NOW).error().code()).isEqualTo("invalid_field");
        assertThat(validator.validate(JsonNodeFactory.instance.nullNode(), NOW).error().code())
                .isEqualTo("invalid_field");
    }

    @Test
    void shouldRequireValidCustomerFirst() {
        fails("{'action':'nope'}", "missing_field", "customer");
        fails("{'customer':null,'action':'opt_in'}", "missing_field", "customer");
        fails("{'customer':12,'action':'opt_in'}", "invalid_field", "customer");
        fails("{'customer':'','action':'opt_in'}", "invalid_field", "customer");
        fails("{'customer':'a b','action':'nope'}", "invalid_field", "customer");
        fails("{'customer':'" + "x".repeat(65) + "','action':'opt_in'}", "invalid_field", "customer");
        assertThat(ok("{'customer':'" + "x".repeat(64) + "','action':'opt_in'}").customer()).hasSize(64);
        assertThat(ok("{'customer':'A-z_0.9:@x','action':'opt_in'}").customer()).isEqualTo("A-z_0.9:@x");
    }

    @Test
    void shouldRequireKnownActionBeforeTheRest() {
        fails("{'customer':'c1'}", "missing_field", "action");
        fails("{'customer':'c1','action':7}", "invalid_field", "action");
        fails("{'customer':'c1','action':'teleport','account':'nope'}", "unknown_action", "action");
        assertThat(ok("{'customer':'c1','action':'review_written','data':{'anything':[1]}}").action())
                .isEqualTo("review_written");
    }

    @Test
    void shouldCheckIdAccountAndData() {
        fails("{'customer':'c1','action':'opt_in','id':5}", "invalid_field", "id");
        fails("{'customer':'c1','action':'opt_in','id':''}", "invalid_field", "id");
        fails("{'customer':'c1','action':'opt_in','id':'" + "i".repeat(129) + "'}", "invalid_field", "id");
        assertThat(ok("{'customer':'c1','action':'opt_in','id':'" + "i".repeat(128) + "'}").id()).hasSize(128);
        fails("{'customer':'c1','action':'opt_in','account':'miles'}", "invalid_field", "account");
        fails("{'customer':'c1','action':'opt_in','account':1}", "invalid_field", "account");
        assertThat(ok("{'customer':'c1','action':'opt_in'}").account()).isEqualTo("points");
        assertThat(ok("{'customer':'c1','action':'opt_in','account':'bonus'}").account()).isEqualTo("bonus");
        fails("{'customer':'c1','action':'opt_in','data':[]}", "invalid_field", "data");
        fails("{'customer':'c1','action':'opt_in','data':'x'}", "invalid_field", "data");
    }

    // ------------------------------------------------------------ effective timestamp

    @Test
    void shouldAcceptIsoOrUnixSecondsWithinBounds() {
        String iso = "{'customer':'c1','action':'opt_in','data':{'effective_timestamp':'%s'}}";
        assertThat(ok(String.format(iso, "2025-12-31T23:00:00Z")).effectiveTimeMs()).isEqualTo(NOW - 3_600_000);
        assertThat(ok(String.format(iso, "2026-01-01T01:00:00+02:00")).effectiveTimeMs())
                .isEqualTo(NOW - 3_600_000);
        assertThat(ok(String.format(iso, "2025-12-31T23:00:00.250Z")).effectiveTimeMs())
                .isEqualTo(NOW - 3_600_000 + 250);
        String secs = "{'customer':'c1','action':'opt_in','data':{'effective_timestamp':%s}}";
        assertThat(ok(String.format(secs, NOW / 1000 - 60)).effectiveTimeMs()).isEqualTo(NOW - 60_000);
        assertThat(ok(String.format(secs, NOW / 1000 + 300)).effectiveTimeMs()).isEqualTo(NOW + 300_000);
        assertThat(ok("{'customer':'c1','action':'opt_in'}").effectiveTimeMs()).isEqualTo(Event.ABSENT);
    }

    @Test
    void shouldRefuseEffectiveTimestampOutOfBoundsOrMalformed() {
        String secs = "{'customer':'c1','action':'opt_in','data':{'effective_timestamp':%s}}";
        String field = "data.effective_timestamp";
        fails(String.format(secs, NOW / 1000 + 301), "invalid_field", field);
        fails(String.format(secs, (NOW - 1095 * DAY) / 1000 - 1), "invalid_field", field);
        assertThat(ok(String.format(secs, (NOW - 1095 * DAY) / 1000)).effectiveTimeMs()).isEqualTo(NOW - 1095 * DAY);
        fails(String.format(secs, "'yesterday'"), "invalid_field", field);
        fails(String.format(secs, "true"), "invalid_field", field);
        fails(String.format(secs, "1e300"), "invalid_field", field);
        fails(String.format(secs, "NaN"), "invalid_field", field);
    }

    // ------------------------------------------------------------ points

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'10'|invalid_field", "0|invalid_field", "-5|invalid_field", "1.5|invalid_field",
        "9223372036854775808|invalid_field", "true|invalid_field", "{}|invalid_field", "1e999999999|invalid_field"})
    void shouldRefuseBadPoints(String points, String code) {
        fails("{'customer':'c1','action':'point_add','data':{'points':" + points + "}}", code, "data.points");
    }

    @Test
    void shouldReadPointsAndReason() {
        Event e = ok("{'customer':'c1','action':'point_add','data':{'points':10.0,'reason':'gift'}}");
        assertThat(e.points()).isEqualTo(10);
        assertThat(e.reason()).isEqualTo("gift");
        assertThat(ok("{'customer':'c1','action':'point_sub','data':{'points':9223372036854775807}}").points())
                .isEqualTo(Long.MAX_VALUE);
        fails("{'customer':'c1','action':'point_sub'}", "missing_field", "data.points");
        fails("{'customer':'c1','action':'point_add','data':{'points':1,'reason':5}}", "invalid_field", "data.reason");
        fails("{'customer':'c1','action':'opt_out','data':{'reason':[]}}", "invalid_field", "data.reason");
        fails("{'customer':'c1','action':'reserve_points','data':{'transaction_id':'R'}}", "missing_field",
                "data.points");
    }

    @Test
    void shouldRequireTransactionIdWhereTheActionNeedsOne() {
        for (String action : List.of("point_unspend", "checkout_accept", "checkout_reject", "refund",
                "release_points", "reserve_points", "partial_refund")) {
            fails("{'customer':'c1','action':'" + action + "','data':{'points':1,'amount':1}}", "missing_field",
                    "data.transaction_id");
            fails("{'customer':'c1','action':'" + action + "','data':{'transaction_id':3}}", "invalid_field",
                    "data.transaction_id");
        }
        assertThat(ok("{'customer':'c1','action':'point_spend','data':{'points':1}}").transactionId()).isNull();
        fails("{'customer':'c1','action':'point_spend','data':{'points':1,'transaction_id':''}}", "invalid_field",
                "data.transaction_id");
        assertThat(ok("{'customer':'c1','action':'refund','data':{'transaction_id':'T-1'}}").transactionId())
                .isEqualTo("T-1");
    }

    // ------------------------------------------------------------ checkout money

    @Test
    void shouldReadMoneyExactlyInCents() {
        assertThat(ok(checkout("'transaction_id':'T','total':120.50")).totalCents()).isEqualTo(12050);
        assertThat(ok(checkout("'transaction_id':'T','total':19.99")).totalCents()).isEqualTo(1999);
        assertThat(ok(checkout("'transaction_id':'T','total':0")).totalCents()).isZero();
        assertThat(ok(checkout("'transaction_id':'T','total':7")).totalCents()).isEqualTo(700);
        JsonNode decimals;
        try {
            decimals = DECIMALS.readTree(checkout("'transaction_id':'T','total':0.10").replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        assertThat(validator.validate(decimals, NOW).event().totalCents()).isEqualTo(10);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "-1", "1.001", "'12.50'", "NaN", "Infinity", "1e30", "null_is_missing"})
    void shouldRefuseBadTotal(String total) {
        if (total.equals("null_is_missing")) {
            fails(checkout("'transaction_id':'T','total':null"), "missing_field", "data.total");
            return;
        }
        fails(checkout("'transaction_id':'T','total':" + total), "invalid_field", "data.total");
    }

    @Test
    void shouldRequireTransactionIdAndTotalOrItemsOnCheckout() {
        fails(checkout("'total':1"), "missing_field", "data.transaction_id");
        fails(checkout("'transaction_id':'T'"), "missing_field", "data.total");
        fails(checkout("'transaction_id':'T','total':1,'points_burned':-1"), "invalid_field", "data.points_burned");
        fails(checkout("'transaction_id':'T','total':1,'points_burned':'5'"), "invalid_field", "data.points_burned");
        assertThat(ok(checkout("'transaction_id':'T','total':1,'points_burned':5")).pointsBurned()).isEqualTo(5);
        assertThat(ok(checkout("'transaction_id':'T','total':1")).pointsBurned()).isEqualTo(Event.ABSENT);
    }

    @Test
    void shouldReadItemsWhichWinOverTotal() {
        Event e = ok(checkout("'transaction_id':'T','total':1.00,'items':["
                + "{'product_id':'p1','price':19.99,'quantity':3,'discount':5},"
                + "{'product_id':'p2','price':2.5,'quantity':2}]"));
        assertThat(e.items()).containsExactly(new Event.Item("p1", 1999, 3, 500), new Event.Item("p2", 250, 2, 0));
        assertThat(EligibleValue.cents(e)).isEqualTo(5997);
        assertThat(ok(checkout("'transaction_id':'T','items':[{'product_id':'p','price':1,'quantity':1}]"))
                .totalCents()).isEqualTo(Event.ABSENT);
    }

    @Test
    void shouldRefuseBadItems() {
        fails(checkout("'transaction_id':'T','items':[]"), "invalid_field", "data.items");
        fails(checkout("'transaction_id':'T','items':{}"), "invalid_field", "data.items");
        fails(checkout("'transaction_id':'T','items':[3]"), "invalid_field", "data.items[0]");
        fails(checkout("'transaction_id':'T','items':[{'price':1,'quantity':1}]"), "missing_field",
                "data.items[0].product_id");
        fails(checkout("'transaction_id':'T','items':[{'product_id':1,'price':1,'quantity':1}]"), "invalid_field",
                "data.items[0].product_id");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','quantity':1}]"), "missing_field",
                "data.items[0].price");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':1}]"), "missing_field",
                "data.items[0].quantity");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':1,'quantity':1},"
                + "{'product_id':'q','price':1,'quantity':0}]"), "invalid_field", "data.items[1].quantity");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':1,'quantity':1.5}]"),
                "invalid_field", "data.items[0].quantity");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':-1,'quantity':1}]"),
                "invalid_field", "data.items[0].price");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':1.234,'quantity':1}]"),
                "invalid_field", "data.items[0].price");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':1,'quantity':2,'discount':2.01}]"),
                "invalid_field", "data.items[0]");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':1,'quantity':1,'discount':'1'}]"),
                "invalid_field", "data.items[0].discount");
        fails(checkout("'transaction_id':'T','items':[{'product_id':'p','price':10000000000000,"
                + "'quantity':9000000000000000000}]"), "invalid_field", "data.items[0]");
    }

    @Test
    void shouldRequirePositiveAmountOnPartialRefund() {
        String base = "{'customer':'c1','action':'partial_refund','data':{'transaction_id':'T'%s}}";
        fails(String.format(base, ""), "missing_field", "data.amount");
        fails(String.format(base, ",'amount':0"), "invalid_field", "data.amount");
        fails(String.format(base, ",'amount':'5'"), "invalid_field", "data.amount");
        fails(String.format(base, ",'amount':0.005"), "invalid_field", "data.amount");
        assertThat(ok(String.format(base, ",'amount':25.5")).amountCents()).isEqualTo(2550);
    }

    // ------------------------------------------------------------ profile

    @Test
    void shouldStoreProfileAttributesAsCompactJsonAndRefuseComputedFields() {
        Event e = ok("{'customer':'c1','action':'profile','data':{'name':'Ann', 'tags':[1, 2],"
                + "'effective_timestamp':'2025-12-31T00:00:00Z'}}");
        assertThat(e.attributesJson()).isEqualTo("{\"name\":\"Ann\",\"tags\":[1,2]}");
        assertThat(e.effectiveTimeMs()).isEqualTo(Instant.parse("2025-12-31T00:00:00Z").toEpochMilli());
        fails("{'customer':'c1','action':'profile','data':{'points':5}}", "invalid_field", "data.points");
        fails("{'customer':'c1','action':'profile','data':{'tier':'gold'}}", "invalid_field", "data.tier");
        assertThat(ok("{'customer':'c1','action':'opt_in','data':{'email':'a@b'}}").attributesJson())
                .isEqualTo("{\"email\":\"a@b\"}");
        assertThat(ok("{'customer':'c1','action':'opt_in'}").attributesJson()).isNull();
    }
}
