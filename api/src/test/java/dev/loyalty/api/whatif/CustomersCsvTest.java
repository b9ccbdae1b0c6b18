package dev.loyalty.api.whatif;

import dev.loyalty.engine.whatif.CustomerDiff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** customers.csv is RFC 4180: header, CRLF records, quoting only where needed, accounts of both sides. */
class CustomersCsvTest {

    @TempDir
    Path dir;

    @Test
    void shouldQuoteFieldsHoldingSeparatorsQuotesOrLineBreaks() throws Exception {
        StringWriter w = new StringWriter();
        CustomersCsv.record(w, List.of("plain", "a,b", "say \"hi\"", "two\nlines", 42L));
        assertThat(w.toString()).isEqualTo("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",42\r\n");
    }

    @Test
    void shouldWriteBothSidesPerAccountWithTotalsAndTheDifference() throws Exception {
        Path file = dir.resolve("customers.csv");
        CustomersCsv.write(List.of(new CustomerDiff("c-1", List.of("points", "bonus"), new long[] {100, 5}, "bronze",
                new long[] {250, 0}, "silver")), file);
        assertThat(Files.readString(file)).isEqualTo(
                "customer,baseline_tier,scenario_tier,baseline_points,scenario_points,baseline_bonus,scenario_bonus,"
                        + "baseline_total,scenario_total,difference\r\n"
                        + "c-1,bronze,silver,100,250,5,0,105,250,145\r\n");
    }
}
