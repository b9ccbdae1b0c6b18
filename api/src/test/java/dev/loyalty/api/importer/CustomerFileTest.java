package dev.loyalty.api.importer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomerFileTest {

    private static List<CustomerLine> read(String text, CustomerFile.Format format) throws IOException {
        List<CustomerLine> lines = new ArrayList<>();
        try (CustomerFile f = new CustomerFile(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                format)) {
            CustomerLine l;
            while ((l = f.next()) != null) {
                lines.add(l);
            }
        }
        return lines;
    }

    @Test
    void shouldReadCsvWithQuotesBalancesAndProfileColumns() throws IOException {
        List<CustomerLine> lines = read("customer,name,balance.points,balance.bonus,city\r\n"
                + "c-1,\"Lee, Ann \"\"A\"\"\",120,,\r\n"
                + "\n"
                + "c-2,Bo,-5,7,Oslo\n", CustomerFile.Format.CSV);

        assertThat(lines).hasSize(2);
        CustomerLine first = lines.get(0);
        assertThat(first.line()).isEqualTo(2);
        assertThat(first.customer()).isEqualTo("c-1");
        assertThat(first.profile().toString()).isEqualTo("{\"name\":\"Lee, Ann \\\"A\\\"\"}");
        assertThat(first.balances()).isEqualTo(Map.of("points", 120L));
        CustomerLine second = lines.get(1);
        assertThat(second.line()).as("blank lines are skipped but counted").isEqualTo(4);
        assertThat(second.balances()).containsExactly(Map.entry("points", -5L), Map.entry("bonus", 7L));
        assertThat(second.profile().path("city").asText()).isEqualTo("Oslo");
    }

    @Test
    void shouldReportUnreadableCsvLinesAndGoOn() throws IOException {
        List<CustomerLine> lines = read("customer,balance.points\nc-1,ten\nc-2\nc-3,\"open\nc-4,4\n",
                CustomerFile.Format.CSV);

        assertThat(lines).extracting(CustomerLine::problem).containsExactly(
                "balance.points: 'ten' is not a whole number of points",
                "has 1 values, the header names 2 columns",
                "an unterminated quote (a quoted value cannot span lines)",
                null);
    }

    @Test
    void shouldRefuseAHeaderWithoutCustomer() {
        assertThatThrownBy(() -> read("id,name\nc-1,x\n", CustomerFile.Format.CSV))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no 'customer' column");
        assertThatThrownBy(() -> read("", CustomerFile.Format.CSV))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void shouldReadNdjsonAndRefuseUnknownFieldsAndBadBalances() throws IOException {
        List<CustomerLine> lines = read("{\"customer\":\"c-1\",\"profile\":{\"tier_hint\":\"x\"},\"balances\":{\"points\":3}}\n"
                + "{\"customer\":\"c-2\",\"balance\":{}}\n"
                + "{\"customer\":\"c-3\",\"balances\":{\"points\":1.5}}\n"
                + "not json\n"
                + "{\"customer\":\"c-5\"}\n", CustomerFile.Format.NDJSON);

        assertThat(lines.get(0).balances()).isEqualTo(Map.of("points", 3L));
        assertThat(lines.get(0).profile().path("tier_hint").asText()).isEqualTo("x");
        assertThat(lines.get(1).problem()).contains("unknown field 'balance'");
        assertThat(lines.get(2).problem()).contains("'balances.points' must be a whole number");
        assertThat(lines.get(3).problem()).startsWith("not JSON");
        assertThat(lines.get(4).problem()).isNull();
        assertThat(lines.get(4).profile().isEmpty()).isTrue();
    }

    @Test
    void shouldTellTheFormatFromTheFileName() {
        assertThat(CustomerFile.formatOf("a/b/Customers.CSV")).isEqualTo(CustomerFile.Format.CSV);
        assertThat(CustomerFile.formatOf("x.jsonl")).isEqualTo(CustomerFile.Format.NDJSON);
        assertThat(CustomerFile.formatOf("x.txt")).isNull();
    }
}
