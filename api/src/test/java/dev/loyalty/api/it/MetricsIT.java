package dev.loyalty.api.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics catalogue on the real program: after a few events, {@code /metrics} exports every engine and
 * HTTP metric docs/metrics.md lists, lists nothing undocumented, and passes {@code promtool check metrics}.
 * Saves the scrape to {@code api/target/metrics-scrape.txt} for {@code .ci/check-observability}, which
 * checks the dashboard's and alert rules' queries against it.
 */
@Timeout(300)
class MetricsIT {
    private static final String KEY = "dev-key";
    /** A metric family as Prometheus text format declares it. */
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    /** A metric row of the tables in docs/metrics.md. */
    private static final Pattern DOC_ROW = Pattern.compile("^\\| `([a-z_:][a-z0-9_:]*)` \\|", Pattern.MULTILINE);
    /** Always exported, whatever the JVM did so far; the dashboard uses them. */
    private static final List<String> PROGRAM_METRICS = List.of("jvm_memory_used_bytes", "jvm_threads_live_threads",
            "jvm_info", "process_cpu_usage", "process_uptime_seconds", "process_files_open_files");

    @TempDir
    static Path dir;

    private static EngineProcess engine;
    private static String scrape;

    @BeforeAll
    @Timeout(300)
    static void startPostAndScrape() throws Exception {
        engine = new EngineProcess(dir.resolve("data"), Map.of("ENGINE_PARTITIONS", "2")).start();
        assertThat(post("{\"customer\":\"m-1\",\"action\":\"opt_in\"}")).isEqualTo(200);
        assertThat(post("{\"customer\":\"m-2\",\"action\":\"opt_in\"}")).isEqualTo(200);
        assertThat(post("{\"customer\":\"m-1\",\"action\":\"point_add\",\"data\":{\"points\":250}}")).isEqualTo(200);
        assertThat(post("{\"customer\":\"m-1\",\"action\":\"checkout\",\"data\":{\"transaction_id\":\"T-1\","
                + "\"total\":40.5}}")).isEqualTo(200);
        assertThat(post("{\"customer\":\"m-2\",\"action\":\"point_spend\",\"data\":{\"points\":900}}"))
                .as("rejected: insufficient points").isEqualTo(409);
        assertThat(post("{\"customer\":\"nobody\",\"action\":\"point_add\",\"data\":{\"points\":1}}"))
                .as("rejected: unknown customer").isEqualTo(404);
        assertThat(post("{\"customer\":\"m-1\"}")).as("validation failure, not journaled").isEqualTo(400);
        assertThat(engine.post("/events/bulk", KEY, "{\"events\":[{\"customer\":\"m-3\",\"action\":\"opt_in\"},"
                + "{\"customer\":\"m-3\",\"action\":\"review_written\"}]}").status()).isEqualTo(200);
        assertThat(engine.get("/customers/m-1", KEY).status()).isEqualTo(200);
        assertThat(engine.get("/stats", KEY).status()).isEqualTo(200);
        assertThat(engine.get("/stats", null).status()).isEqualTo(401);

        EngineProcess.Response metrics = engine.management("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw().headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        scrape = metrics.raw().body();
        Path saved = EngineProcess.home().resolve("api/target/metrics-scrape.txt");
        Files.createDirectories(saved.getParent());
        Files.writeString(saved, scrape, StandardCharsets.UTF_8);
    }

    @AfterAll
    @Timeout(180)
    static void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    private static int post(String body) throws Exception {
        return engine.post("/events", KEY, body).status();
    }

    /** Families declared by {@code # TYPE}; a timer's {@code _max} gauge counts as its timer. */
    private static Set<String> exportedFamilies() {
        Set<String> declared = new TreeSet<>();
        Matcher m = TYPE_LINE.matcher(scrape);
        while (m.find()) {
            declared.add(m.group(1));
        }
        Set<String> families = new TreeSet<>();
        for (String name : declared) {
            String base = name.endsWith("_max") ? name.substring(0, name.length() - 4) : name;
            families.add(declared.contains(base) ? base : name);
        }
        return families;
    }

    private static Set<String> documented() throws IOException {
        String doc = Files.readString(EngineProcess.home().resolve("docs/metrics.md"), StandardCharsets.UTF_8);
        Set<String> names = new TreeSet<>();
        Matcher m = DOC_ROW.matcher(doc);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static boolean ours(String name) {
        return name.startsWith("loyalty_") || name.startsWith("http_");
    }

    /**
     * Documented, exported only with {@code journal.kind: kafka} (this engine runs on Chronicle); their export is
     * checked by KafkaTwoNodeTest and ClusterForwardingIT.
     */
    private static final Set<String> KAFKA_ONLY = Set.of("loyalty_cluster_partitions_owned",
            "loyalty_cluster_rebalances_total", "loyalty_cluster_restore_remaining_records");

    @Test
    void shouldExportEveryDocumentedEngineAndHttpMetric() throws IOException {
        Set<String> documented = documented();
        assertThat(documented).as("docs/metrics.md lists the catalogue").hasSizeGreaterThan(40)
                .contains("loyalty_events_journaled_total", "loyalty_events_processed_total",
                        "loyalty_journal_append_seconds", "loyalty_processor_apply_latency_seconds",
                        "loyalty_partition_lag_seconds", "loyalty_rocksdb_pending_compaction_bytes",
                        "loyalty_liability_points", "http_server_requests_seconds");
        Set<String> exported = exportedFamilies();
        assertThat(exported).containsAll(documented.stream().filter(MetricsIT::ours)
                .filter(name -> !KAFKA_ONLY.contains(name)).toList());
        assertThat(exported).containsAll(PROGRAM_METRICS);
    }

    @Test
    void shouldDocumentEveryExportedEngineAndHttpMetric() throws IOException {
        Set<String> documented = documented();
        assertThat(exportedFamilies().stream().filter(MetricsIT::ours).toList())
                .as("exported but missing from docs/metrics.md").allMatch(documented::contains);
    }

    @Test
    void shouldLabelWithBoundedValuesOnly() {
        assertThat(scrape).as("no customer id in any label").doesNotContain("m-1").doesNotContain("nobody");
        assertThat(scrape).contains("loyalty_events_journaled_total{action=\"opt_in\"} 3.0")
                .contains("loyalty_events_processed_total{action=\"point_spend\",code=\"insufficient_points\","
                        + "outcome=\"rejected\"} 1.0")
                .contains("loyalty_events_processed_total{action=\"point_add\",code=\"customer_not_found\","
                        + "outcome=\"rejected\"} 1.0")
                .contains("route=\"/customers/:id\"")
                .contains("loyalty_members{status=\"active\"} 3.0")
                .contains("loyalty_liability_points{account=\"bonus\"} 50.0");
    }

    @Test
    void shouldPassPromtoolCheckMetrics() throws Exception {
        boolean promtool = onPath("promtool");
        // CI installs promtool (.ci/run), so there its absence is a broken build, not a reason to skip.
        assertThat(promtool || !onCi())
                .as("CI is set but promtool is not on PATH (Debian package `prometheus`): cannot run "
                        + "`promtool check metrics`")
                .isTrue();
        Assumptions.assumeTrue(promtool,
                "promtool is not on PATH (Debian package `prometheus`): skipping `promtool check metrics` "
                        + "(on CI, with CI=true, this fails instead)");
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String problems = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(problems).as("promtool check metrics output").isBlank();
        assertThat(p.exitValue()).isZero();
    }

    /** CI systems (and .ci/run) set CI=true. */
    private static boolean onCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !"false".equalsIgnoreCase(ci) && !"0".equals(ci);
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
