package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BodyHashTest {

    private static JsonNode json(String text) {
        return JsonBodies.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void shouldIgnoreKeyOrderAtEveryDepth() {
        long a = BodyHash.of(json("""
                {"customer":"c-1","action":"checkout","id":"e-1",
                 "data":{"transaction_id":"T-1","total":120.50,"items":[{"product_id":"p","price":1}]}}"""));
        long b = BodyHash.of(json("""
                {"data":{"items":[{"price":1,"product_id":"p"}],"total":120.50,"transaction_id":"T-1"},
                 "id":"e-1","action":"checkout","customer":"c-1"}"""));
        assertThat(a).isEqualTo(b);
    }

    @Test
    void shouldIgnoreWhitespaceAndNumberSpelling() {
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"total\":120.5}")))
                .isEqualTo(BodyHash.of(json("{ \"id\" : \"e\" , \"total\" : 120.50 }")))
                .isEqualTo(BodyHash.of(json("{\"id\":\"e\",\"total\":1.205e2}")));
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"points\":10}")))
                .isEqualTo(BodyHash.of(json("{\"id\":\"e\",\"points\":10.0}")));
    }

    @Test
    void shouldChangeWhenAValueChanges() {
        long base = BodyHash.of(json("{\"id\":\"e\",\"customer\":\"c-1\",\"data\":{\"points\":10}}"));
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"customer\":\"c-2\",\"data\":{\"points\":10}}"))).isNotEqualTo(base);
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"customer\":\"c-1\",\"data\":{\"points\":11}}"))).isNotEqualTo(base);
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"customer\":\"c-1\",\"data\":{\"points\":\"10\"}}"))).isNotEqualTo(base);
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"customer\":\"c-1\",\"data\":{\"points\":10},\"x\":null}")))
                .isNotEqualTo(base);
    }

    @Test
    void shouldKeepArrayOrderSignificant() {
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"a\":[1,2]}")))
                .isNotEqualTo(BodyHash.of(json("{\"id\":\"e\",\"a\":[2,1]}")));
    }

    @Test
    void shouldNotConfuseStructureWithText() {
        assertThat(BodyHash.of(json("{\"id\":\"e\",\"a\":\"b\\\",\\\"c\\\":\\\"d\"}")))
                .isNotEqualTo(BodyHash.of(json("{\"id\":\"e\",\"a\":\"b\",\"c\":\"d\"}")));
    }

    @Test
    void shouldWriteCanonicalJson() {
        StringBuilder out = new StringBuilder();
        BodyHash.canonical(json("{\"b\":[1.50,true,null],\"a\":{\"d\":\"x\\ny\",\"c\":0.0}}"), out);
        assertThat(out).hasToString("{\"a\":{\"c\":0,\"d\":\"x\\ny\"},\"b\":[1.5,true,null]}");
    }

    @Test
    void shouldWriteIntegersAsTheirBigDecimalValueDoes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        java.util.List<String> numbers = new java.util.ArrayList<>(java.util.List.of("0", "-0", "7", "-7", "10",
                "100", "120", "-1000", "3.0", "15.0", "1e1", "1.5e1", "9223372036854775807", "-9223372036854775808",
                "9223372036854775808", "12345678901234567890", "0.1", "2.50"));
        for (int i = 0; i < 5_000; i++) {
            long v = random.nextLong();
            numbers.add(Long.toString(i % 3 == 0 ? v : v % 100_000));
        }
        for (String n : numbers) {
            StringBuilder out = new StringBuilder();
            BodyHash.canonical(json(n), out);
            java.math.BigDecimal d = new java.math.BigDecimal(n);
            String expected = d.signum() == 0 ? "0" : d.stripTrailingZeros().toString();
            assertThat(out).as(n).hasToString(expected);
        }
    }

    @Test
    void shouldNeverBeZero() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(BodyHash.of(json("{\"id\":\"e-" + i + "\"}"))).isNotZero();
        }
    }
}
