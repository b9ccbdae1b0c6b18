package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonBodiesTest {

    private static JsonNode parse(String text) {
        return JsonBodies.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertMalformed(String text) {
        assertThatThrownBy(() -> parse(text))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("malformed_json");
                });
    }

    @Test
    void shouldReadDecimalsExactly() {
        JsonNode node = parse("{\"total\": 0.10}");
        assertThat(node.get("total").isBigDecimal()).isTrue();
        assertThat(node.get("total").decimalValue()).isEqualByComparingTo(new BigDecimal("0.1"));
    }

    @Test
    void shouldCallAnEmptyBodyMalformed() {
        assertMalformed("");
        assertMalformed("   \n ");
    }

    @Test
    void shouldRefuseBrokenJson() {
        assertMalformed("{\"customer\":");
        assertMalformed("{\"customer\":\"c\"} trailing");
        assertMalformed("{} {}");
        assertMalformed("{'single':'quotes'}");
    }

    @Test
    void shouldRefuseRepeatedKeys() {
        assertMalformed("{\"id\":\"a\",\"id\":\"b\"}");
    }

    @Test
    void shouldRefuseDeepNesting() {
        assertMalformed("[".repeat(JsonBodies.MAX_DEPTH + 1) + "]".repeat(JsonBodies.MAX_DEPTH + 1));
        assertThat(parse("[".repeat(JsonBodies.MAX_DEPTH) + "]".repeat(JsonBodies.MAX_DEPTH)).isArray()).isTrue();
    }

    @Test
    void shouldAcceptAnyJsonValue() {
        assertThat(parse("[1,2]").isArray()).isTrue();
        assertThat(parse("\"text\"").isTextual()).isTrue();
        assertThat(parse("null").isNull()).isTrue();
    }

    @Test
    void shouldAcceptJsonContentTypesOnly() {
        assertThat(JsonBodyHandler.isJson("application/json")).isTrue();
        assertThat(JsonBodyHandler.isJson("application/json; charset=utf-8")).isTrue();
        assertThat(JsonBodyHandler.isJson("Application/JSON;charset=UTF-8")).isTrue();
        assertThat(JsonBodyHandler.isJson("text/plain")).isFalse();
        assertThat(JsonBodyHandler.isJson("application/jsonx")).isFalse();
        assertThat(JsonBodyHandler.isJson("application/x-www-form-urlencoded")).isFalse();
        assertThat(JsonBodyHandler.isJson("")).isFalse();
        assertThat(JsonBodyHandler.isJson(null)).isFalse();
    }

    @Test
    void shouldParseSeqsBelowTwoToTheFiftyThree() {
        assertThat(EventRoutes.parseSeq("0")).isZero();
        assertThat(EventRoutes.parseSeq("42")).isEqualTo(42);
        assertThat(EventRoutes.parseSeq("9007199254740991")).isEqualTo(9007199254740991L);
        assertThat(EventRoutes.parseSeq("9007199254740992")).isEqualTo(-1);
        assertThat(EventRoutes.parseSeq("99999999999999999999")).isEqualTo(-1);
        assertThat(EventRoutes.parseSeq("-1")).isEqualTo(-1);
        assertThat(EventRoutes.parseSeq("1e3")).isEqualTo(-1);
        assertThat(EventRoutes.parseSeq("")).isEqualTo(-1);
    }

    @Test
    void shouldKnowValidCustomerIds() {
        assertThat(QueryRoutes.isCustomerId("c-1001")).isTrue();
        assertThat(QueryRoutes.isCustomerId("a.b_c:d@e-F9")).isTrue();
        assertThat(QueryRoutes.isCustomerId("x".repeat(64))).isTrue();
        assertThat(QueryRoutes.isCustomerId("x".repeat(65))).isFalse();
        assertThat(QueryRoutes.isCustomerId("c 1")).isFalse();
        assertThat(QueryRoutes.isCustomerId("c/1")).isFalse();
        assertThat(QueryRoutes.isCustomerId("")).isFalse();
    }

    @Test
    void shouldRefuseANumberNoDecimalCanHoldAsInvalidNotAsABug() {
        assertThatThrownBy(() -> JsonBodies.parse("{\"data\":{\"points\":1e4000000000}}"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("invalid_field");
                });
    }
}
