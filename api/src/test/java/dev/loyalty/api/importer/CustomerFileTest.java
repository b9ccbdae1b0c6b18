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
        List<CustomerLine> lines = read("customer,balance.points\nc-1,ten\nc-2\nc-3,\"3\"x\nc-4,4\n",
                CustomerFile.Format.CSV);

        assertThat(lines).extracting(CustomerLine::problem).containsExactly(
                "balance.points: 'ten' is not a whole number of points",
                "has 1 values, the header names 2 columns",
                "balance.points: '3x' is not a whole number of points",
                null);
        assertThat(lines).extracting(CustomerLine::line).containsExactly(2L, 3L, 4L, 5L);
    }

    @Test
    void shouldReadAQuotedValueSpanningLinesAndNumberLinesWhereRecordsStart() throws IOException {
        List<CustomerLine> lines = read("customer,address,balance.points\r\n"
                + "c-1,\"1 Main St\r\nFlat \"\"B\"\"\r\n\r\nOslo\",5\r\n"
                + "c-2,,7\r\n", CustomerFile.Format.CSV);

        assertThat(lines).extracting(CustomerLine::problem).containsOnlyNulls();
        assertThat(lines.get(0).profile().path("address").asText()).isEqualTo("1 Main St\r\nFlat \"B\"\r\n\r\nOslo");
        assertThat(lines.get(0).balances()).isEqualTo(Map.of("points", 5L));
        assertThat(lines).extracting(CustomerLine::line).containsExactly(2L, 6L);
    }

    @Test
    void shouldReportAQuoteNeverClosedAndEndTheFileThere() throws IOException {
        List<CustomerLine> lines = read("customer,name\nc-1,Ann\nc-2,\"open\nc-3,Bo\n", CustomerFile.Format.CSV);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).problem()).isNull();
        assertThat(lines.get(1).line()).isEqualTo(3);
        assertThat(lines.get(1).problem())
                .isEqualTo("an unterminated quote: the quoted value runs to the end of the file");
    }

    @Test
    void shouldRefuseARecordTooLongToHoldInsteadOfReadingTheFileIntoMemory() throws IOException {
        String runaway = "x".repeat(1000) + "\n";
        String text = "customer,name\nc-1,\"" + runaway.repeat(2 * CustomerFile.MAX_RECORD_CHARS / runaway.length());

        List<CustomerLine> lines = read(text, CustomerFile.Format.CSV);

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).problem()).startsWith("a record longer than");
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
