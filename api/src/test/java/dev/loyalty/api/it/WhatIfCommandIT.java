package dev.loyalty.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.testing.Folders;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/engine whatif} end to end, as an operator runs it: on a folder filled over HTTP by the real
 * program (300 customers with checkouts backdated 50–60 days), stopped and then running; the report
 * rendered by headless Chromium.
 */
@Timeout(value = 280, unit = TimeUnit.SECONDS)
class WhatIfCommandIT {
    private static final String KEY = "dev-key";
    private static final Map<String, String> ENV = Map.of("ENGINE_PARTITIONS", "2");
    private static final int CUSTOMERS = 300;
    private static final long DAY = 86_400;

    @TempDir
    Path dir;

    /** Value of customer i's checkout: under 500, so every customer stays bronze at rate 1 and at rate 2. */
    private static long value(int i) {
        return 100 + (i * 37L) % 390;
    }

    private void fill(EngineProcess engine) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        for (int start = 0; start < CUSTOMERS; start += 50) {
            StringBuilder bulk = new StringBuilder("{\"events\":[");
            for (int i = start; i < start + 50; i++) {
                long at = now - (50 + i % 11) * DAY;
                bulk.append(i == start ? "" : ",").append("{\"customer\":\"w-").append(i)
                        .append("\",\"action\":\"opt_in\"},{\"customer\":\"w-").append(i)
                        .append("\",\"action\":\"checkout\",\"data\":{\"transaction_id\":\"T-").append(i)
                        .append("\",\"total\":").append(value(i)).append(",\"effective_timestamp\":").append(at)
                        .append("}}");
            }
            EngineProcess.Response r = engine.post("/events/bulk", KEY, bulk.append("]}").toString());
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
            assertThat(r.body().path("errors").asInt()).as(r.raw().body()).isZero();
        }
    }

    @Test
    void shouldRefuseInvalidRulesThenReportTheCostOfDoublingTheEarnRateWithoutTouchingTheDataFolder() throws Exception {
        Path data = dir.resolve("data");
        JsonNode stats;
        try (EngineProcess engine = new EngineProcess(data, ENV).start()) {
            fill(engine);
            stats = engine.get("/stats", KEY).body();
        }
        Path rules = dir.resolve("double.yaml");
        Files.writeString(rules, "rules: {earn: {rate: -1}}\n");
        Path out = dir.resolve("out");
        Map<String, String> before = Folders.fileDigests(data);

        EngineProcess.Result refused = EngineProcess.run(ENV, "whatif", "--data", data.toString(), "--rules",
                rules.toString(), "--out", out.toString());
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).as("the message of the start").contains("rules.earn.rate: must be 0 or more, got -1");

        Files.writeString(rules, "rules: {earn: {rate: 2}}\n");

        EngineProcess.Result run = EngineProcess.run(ENV, "whatif", "--data", data.toString(), "--rules",
                rules.toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("what-if: [").contains("records/s");
        assertThat(Folders.fileDigests(data)).as("the data folder after whatif").isEqualTo(before);
        assertThat(out).isDirectoryContaining(p -> p.getFileName().toString().equals("summary.json"));
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no scratch left behind")
                    .containsExactlyInAnyOrder("summary.json", "customers.csv", "report.html");
        }

        JsonNode summary = EngineProcess.JSON.readTree(out.resolve("summary.json").toFile());
        JsonNode baseline = summary.path("baseline");
        JsonNode scenario = summary.path("scenario");
        for (String field : List.of("members", "active_members", "tiers", "liability", "events_applied")) {
            assertThat(baseline.path(field)).as("baseline " + field + " equals /stats").isEqualTo(stats.path(field));
        }
        long basePoints = baseline.path("liability").path("points").asLong();
        assertThat(basePoints).isPositive();
        // One checkout per customer, all bronze (multiplier 1): the scenario earns exactly twice as much.
        assertThat(scenario.path("liability").path("points").asLong()).isEqualTo(2 * basePoints);
        assertThat(scenario.path("rejected").asLong()).isZero();
        assertThat(summary.path("months")).isNotEmpty();
        assertThat(summary.path("rules_diff").get(0).asText()).contains("Earn rate changes from 1 to 2");
        assertThat(summary.path("started_from").asText()).isEqualTo("journal_start");

        List<String> csv = Files.readAllLines(out.resolve("customers.csv"));
        assertThat(csv.get(0)).startsWith("customer,baseline_tier,scenario_tier,baseline_points,scenario_points");
        assertThat(csv).hasSize(1 + CUSTOMERS);
        long previous = Long.MAX_VALUE;
        for (String line : csv.subList(1, csv.size())) {
            String[] cells = line.split(",");
            long diff = Long.parseLong(cells[cells.length - 1]);
            assertThat(Math.abs(diff)).isLessThanOrEqualTo(previous);
            previous = Math.abs(diff);
        }

        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("<svg").doesNotContain("<script").doesNotContain("src=")
                .doesNotContain("href=").doesNotContain("url(").doesNotContain("@import");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://").doesNotContain("https://");
        renderInChromium(out.resolve("report.html"));
        fromARegisteredBackup(data, rules, baseline);
    }

    /** With a backup registered in the data folder, a run from after it starts there and ends as from the start. */
    private void fromARegisteredBackup(Path data, Path rules, JsonNode fromStart) throws Exception {
        Path backup = dir.resolve("backups/b1");
        EngineProcess.Result backedUp = EngineProcess.run(ENV, "backup", "--data", data.toString(), "--into",
                backup.toString());
        assertThat(backedUp.exitCode()).as(backedUp.output()).isZero();
        Path out = dir.resolve("out-from-backup");
        String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).toString();

        EngineProcess.Result run = EngineProcess.run(ENV, "whatif", "--data", data.toString(), "--rules",
                rules.toString(), "--from", tomorrow, "--out", out.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("start:     backup " + backup.toAbsolutePath().normalize());
        JsonNode summary = EngineProcess.JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("started_from").path("backup").asText())
                .isEqualTo(backup.toAbsolutePath().normalize().toString());
        assertThat(summary.path("started_from").path("seq").asLong()).isPositive();
        for (String field : List.of("members", "tiers", "liability", "events_applied")) {
            assertThat(summary.path("baseline").path(field)).as("baseline " + field).isEqualTo(fromStart.path(field));
        }
        assertThat(summary.path("baseline").path("events").asLong()).as("nothing after the backup").isZero();
    }

    @Test
    void shouldRunOnARunningEnginesFolderWhileItKeepsServing() throws Exception {
        Path data = dir.resolve("data");
        Path rules = dir.resolve("silver.yaml");
        Files.writeString(rules, "rules:\n  tiers:\n    levels:\n      - {name: bronze, threshold: 0, multiplier: 1.0}\n"
                + "      - {name: silver, threshold: 300, multiplier: 1.25}\n"
                + "      - {name: gold, threshold: 5000, multiplier: 1.5}\n");
        try (EngineProcess engine = new EngineProcess(data, ENV).start()) {
            fill(engine);
            CompletableFuture<EngineProcess.Result> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return EngineProcess.run(ENV, "whatif", "--data", data.toString(), "--rules", rules.toString(),
                            "--from", "2000-01-01", "--out", dir.resolve("out").toString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int served = 0;
            while (!run.isDone()) {
                EngineProcess.Response r = engine.post("/events", KEY,
                        "{\"customer\":\"x-" + served + "\",\"action\":\"opt_in\"}");
                assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
                assertThat(engine.get("/stats", KEY).status()).isEqualTo(200);
                served++;
            }
            EngineProcess.Result result = run.get();
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(served).as("requests served during the run").isPositive();
        }
        JsonNode summary = EngineProcess.JSON.readTree(dir.resolve("out/summary.json").toFile());
        long between = 0;
        for (int i = 0; i < CUSTOMERS; i++) {
            if (value(i) >= 300) {
                between++;
            }
        }
        assertThat(summary.path("baseline").path("tiers").path("silver").asLong()).isZero();
        assertThat(summary.path("scenario").path("tiers").path("silver").asLong()).isEqualTo(between);
        List<String> csv = Files.readAllLines(dir.resolve("out/customers.csv"));
        assertThat(csv.subList(1, csv.size())).allSatisfy(l -> assertThat(l).contains(",bronze,silver,"));
        assertThat(csv).hasSize(1 + (int) between);
    }

    /**
     * Renders the report in headless Chromium: a screenshot whose charts show drawn marks in every series
     * colour, and no console error. Skipped without chromium, except under CI=true where it must be there.
     */
    private void renderInChromium(Path report) throws Exception {
        Path chromium = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (chromium == null) {
            assertThat(System.getenv("CI")).as("chromium is required under CI=true (apt-get install chromium)")
                    .isNotEqualTo("true");
            Assumptions.abort("chromium is not installed: report.html was not rendered (apt-get install chromium)");
        }
        Path png = dir.resolve("report.png");
        Path profile = Files.createTempDirectory(dir, "chromium-");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--hide-scrollbars", "--screenshot=" + png, "--window-size=1000,3000", report.toUri().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(Files.exists(png)).as(log).isTrue();
        assertThat(log).as("console messages").doesNotContainPattern("(?i)CONSOLE\\(|Uncaught|ERR_FILE|ERR_NAME");
        Files.copy(png, Path.of("target", "whatif-report.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        // Every chart of the page in the order of report.html, with the series colours it draws.
        String html = Files.readString(report);
        Matcher charts = Pattern.compile("<svg [^>]*aria-label=\"([^\"]+)\"").matcher(html);
        List<String> names = new ArrayList<>();
        while (charts.find()) {
            names.add(charts.group(1));
        }
        assertThat(names).containsExactly("liability over time", "points flow per month", "tier mix",
                "active members", "customers most affected");
        for (String svg : html.split("<svg ")) {
            if (svg.contains("aria-label=")) {
                String body = svg.substring(0, svg.indexOf("</svg>"));
                assertThat(body).as("chart " + body.substring(0, Math.min(120, body.length()))).contains("class=\"mark\"");
            }
        }
        // Series colours (first two: baseline and scenario) must appear on screen as drawn pixels.
        int[] colours = {0x4e79a7, 0xf28e2b};
        for (int colour : colours) {
            assertThat(count(image, colour)).as("pixels of #%06x in the screenshot", colour).isGreaterThan(200);
        }
    }

    private static int count(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y) & 0xffffff;
                if (Math.abs(((p >> 16) & 0xff) - ((rgb >> 16) & 0xff)) < 8
                        && Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff)) < 8
                        && Math.abs((p & 0xff) - (rgb & 0xff)) < 8) {
                    n++;
                }
            }
        }
        return n;
    }
}
