package dev.loyalty.api.importer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The import rules against a real embedded engine: repeat runs, changed lines, customers that already exist. */
@Timeout(300)
class ImporterTest {
    private static final String FILE = "customer,name,balance.points,balance.bonus\n"
            + "c-1,Ann,100,5\n"
            + "c-2,Bo,0,\n"
            + "c-3,Cy,-20,\n";

    @TempDir
    Path dir;
    private LoyaltyEngine engine;

    @BeforeEach
    void start() {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", dir.resolve("data").toString(), "partitions", "1"));
        engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry(), "import"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private Importer.Summary importText(String text, CustomerFile.Format format) throws IOException {
        try (CustomerFile f = new CustomerFile(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), format)) {
            return new Importer(engine, engine.validator(), engine::nowMs, Set.of("points", "bonus"), 2)
                    .run(f, 10, lines -> { });
        }
    }

    private CustomerView customer(String id) throws Exception {
        return engine.customer(id).get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldImportOnceAndReportARepeatRunAsAlreadyImported() throws Exception {
        Importer.Summary first = importText(FILE, CustomerFile.Format.CSV);
        assertThat(first.imported()).isEqualTo(3);
        assertThat(first.rejected()).isZero();
        assertThat(first.eventsJournaled()).as("3 opt_ins, 2 + 1 balances").isEqualTo(6);
        assertThat(customer("c-1").accounts().get("points").balance()).isEqualTo(100);
        assertThat(customer("c-1").accounts().get("bonus").balance()).isEqualTo(5);
        assertThat(customer("c-3").accounts().get("points").balance()).as("a debt").isEqualTo(-20);

        Importer.Summary again = importText(FILE, CustomerFile.Format.CSV);
        assertThat(again.alreadyImported()).isEqualTo(3);
        assertThat(again.imported()).isZero();
        assertThat(again.eventsJournaled()).isZero();
        assertThat(customer("c-1").accounts().get("points").balance()).as("nothing added twice").isEqualTo(100);
    }

    @Test
    void shouldRejectChangedLinesAndCustomersThatExistedBefore() throws Exception {
        importText(FILE, CustomerFile.Format.CSV);
        String optIn = "{\"customer\":\"c-9\",\"action\":\"opt_in\"}";
        Validated v = engine.validator().validate(new ObjectMapper().readTree(optIn), engine.nowMs());
        engine.submit(List.of(new LoyaltyEngine.Submitted(v.event(), 0)), true).get(0).result().get(5, TimeUnit.SECONDS);

        Importer.Summary s = importText("customer,name,balance.points\n"
                + "c-1,Ann Changed,100\n"
                + "c-2,Bo,40\n"
                + "c-9,Nine,500\n"
                + "c-10,Ten,7\n", CustomerFile.Format.CSV);

        assertThat(s.imported()).isEqualTo(1);
        assertThat(s.rejected()).isEqualTo(3);
        assertThat(s.rejections()).extracting(Importer.Rejection::line).containsExactly(2L, 3L, 4L);
        assertThat(s.rejections().get(0).reason()).contains("imported before with other data");
        assertThat(s.rejections().get(1).reason()).contains("imported before with other data");
        assertThat(s.rejections().get(2).reason()).contains("already exists").contains("not added");
        assertThat(customer("c-9").accounts().get("points").balance()).isZero();
        assertThat(customer("c-10").accounts().get("points").balance()).isEqualTo(7);
    }

    @Test
    void shouldRejectAWholeLineWhenAnyOfItsEventsIsInvalid() throws Exception {
        Importer.Summary s = importText("{\"customer\":\"n-1\",\"balances\":{\"points\":5,\"gems\":1}}\n"
                + "{\"customer\":\"n-2\",\"profile\":{\"points\":3}}\n"
                + "{\"customer\":\"n 3\"}\n", CustomerFile.Format.NDJSON);

        assertThat(s.rejected()).isEqualTo(2);
        assertThat(s.rejections().get(0).reason()).contains("'gems': no such account");
        assertThat(s.rejections().get(1).reason()).contains("customer 'n 3'");
        assertThat(customer("n-1")).as("nothing of a rejected line is journaled").isNull();
        assertThat(s.imported()).as("attributes named points are allowed in an opt_in profile").isEqualTo(1);
    }
}
