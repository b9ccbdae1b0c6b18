import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Static checks of the observability files, run by {@code .ci/check-observability} as a single-file
 * program on the built classpath (Jackson is there):
 * <pre>  java -cp 'api/target/lib/*' .ci/ObservabilityCheck.java REPO_ROOT METRICS_SCRAPE</pre>
 * <ul>
 *   <li>every Grafana dashboard under docker/grafana/dashboards parses, and every metric its queries
 *       (panel targets, template variables) name is in the scrape of the live engine;</li>
 *   <li>the same for every alert rule expression in docker/prometheus/alerts.yml;</li>
 *   <li>every YAML file under docker/ parses; docker/compose.yaml has services whose build contexts,
 *       Dockerfiles, bind-mounted files and env files exist and whose named volumes are declared; the
 *       engine binds management on 0.0.0.0 and publishes 8080 and 9090; Grafana's dashboard provider
 *       reads a folder some service mounts.</li>
 * </ul>
 * Prints each problem and exits 1 when there is any.
 */
public final class ObservabilityCheck {

    /** Series Prometheus makes itself; queries may name them although the engine does not export them. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up", "scrape_duration_seconds",
            "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added",
            "ALERTS", "ALERTS_FOR_STATE");
    /** PromQL words that look like metric names. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "start", "end", "atan2");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    private final Path root;
    private final List<String> problems = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    private ObservabilityCheck(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ObservabilityCheck REPO_ROOT METRICS_SCRAPE");
            System.exit(2);
        }
        ObservabilityCheck check = new ObservabilityCheck(Path.of(args[0]).toAbsolutePath().normalize());
        Set<String> exported = exportedSeries(Path.of(args[1]));
        System.out.println("   " + exported.size() + " series names in the scrape " + args[1]);
        Set<String> kafkaOnly = check.kafkaOnlyMetrics();
        exported.addAll(kafkaOnly);
        System.out.println("   " + kafkaOnly.size() + " documented Kafka-only names accepted too (the scrape is of a Chronicle engine)");
        check.dashboards(exported);
        check.alertRules(exported);
        check.yamlFilesParse();
        check.compose();
        if (!check.problems.isEmpty()) {
            check.problems.forEach(p -> System.out.println("   PROBLEM: " + p));
            System.out.println("   " + check.problems.size() + " problem(s)");
            System.exit(1);
        }
        System.out.println("   dashboards, alert rules and compose file: no problems");
    }

    /**
     * The metrics docs/metrics.md lists under "Cluster (Kafka journal)": exported only with {@code journal.kind:
     * kafka}, so absent from the Chronicle engine's scrape (KafkaTwoNodeTest and ClusterForwardingIT check their export).
     */
    private Set<String> kafkaOnlyMetrics() throws IOException {
        Set<String> names = new java.util.TreeSet<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(root.resolve("docs/metrics.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith("## Cluster (Kafka journal)");
            } else if (inSection && line.startsWith("| `")) {
                names.add(line.substring(3, line.indexOf('`', 3)));
            }
        }
        if (names.isEmpty()) {
            problems.add("docs/metrics.md: no section \"## Cluster (Kafka journal)\" with metric rows");
        }
        return names;
    }

    /** Names of the samples of a Prometheus text-format scrape ({@code _bucket}, {@code _count} ... included). */
    static Set<String> exportedSeries(Path scrape) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(scrape, StandardCharsets.UTF_8)) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                names.add(m.group(1));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException(scrape + " holds no samples");
        }
        return names;
    }

    /** The metric names a PromQL expression selects (Grafana variables allowed). */
    static Set<String> metricNames(String promql) {
        Set<String> names = new LinkedHashSet<>();
        Matcher lv = LABEL_VALUES.matcher(promql);
        if (lv.find()) {
            names.add(lv.group(1));
            return names;
        }
        String s = promql
                .replaceAll("\\$\\{[^}]*}|\\$\\w+", " ")                              // Grafana variables
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`", " ") // strings
                .replaceAll("\\{[^}]*}", " ")                                          // label matchers
                .replaceAll("\\[[^]]*]", " ")                                          // ranges, subqueries
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String word = m.group(1);
            boolean call = m.group(2) != null;
            if (!call && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    private void checkQuery(String where, String query, Set<String> exported) {
        String promql = query.replaceAll("\\s+", " ").trim();
        Set<String> names = metricNames(promql);
        if (names.isEmpty()) {
            problems.add(where + ": no metric name found in `" + promql + "`");
        }
        for (String name : names) {
            if (!exported.contains(name) && !PROMETHEUS_OWN.contains(name)) {
                problems.add(where + ": `" + name + "` is not exported by the engine (query `" + promql + "`)");
            }
        }
    }

    private void dashboards(Set<String> exported) throws IOException {
        Path dir = root.resolve("docker/grafana/dashboards");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            problems.add("no dashboard in " + root.relativize(dir));
        }
        for (Path f : files) {
            String name = root.relativize(f).toString();
            JsonNode dash;
            try {
                dash = json.readTree(f.toFile());
            } catch (IOException e) {
                problems.add(name + ": not valid JSON: " + e.getMessage());
                continue;
            }
            List<String[]> queries = new ArrayList<>();
            collectQueries(dash.path("panels"), "", queries);
            for (JsonNode variable : dash.path("templating").path("list")) {
                JsonNode q = variable.path("query");
                String text = q.isTextual() ? q.asText() : q.path("query").asText("");
                if ("query".equals(variable.path("type").asText()) && !text.isEmpty()) {
                    queries.add(new String[] {"variable $" + variable.path("name").asText(), text});
                }
            }
            if (queries.isEmpty()) {
                problems.add(name + ": no queries");
            }
            for (String[] q : queries) {
                checkQuery(name + " " + q[0], q[1], exported);
            }
            System.out.println("   " + name + ": " + queries.size() + " queries");
        }
    }

    /** Panel targets' expressions, recursing into rows; each with the title of its panel. */
    private static void collectQueries(JsonNode panels, String rowTitle, List<String[]> out) {
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText("");
            for (JsonNode target : panel.path("targets")) {
                if (target.path("expr").isTextual() && !target.path("expr").asText().isBlank()) {
                    out.add(new String[] {"panel '" + title + "'", target.path("expr").asText()});
                }
            }
            collectQueries(panel.path("panels"), title, out);
        }
    }

    private void alertRules(Set<String> exported) throws IOException {
        Path f = root.resolve("docker/prometheus/alerts.yml");
        JsonNode rules = yaml.readTree(f.toFile());
        int n = 0;
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
                checkQuery("docker/prometheus/alerts.yml rule " + name, rule.path("expr").asText(""), exported);
                n++;
            }
        }
        if (n == 0) {
            problems.add("docker/prometheus/alerts.yml: no rules");
        }
        System.out.println("   docker/prometheus/alerts.yml: " + n + " rules");
    }

    private void yamlFilesParse() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(root.resolve("docker"))) {
            files = s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path f : files) {
            try {
                if (yaml.readTree(f.toFile()) == null) {
                    problems.add(root.relativize(f) + ": empty YAML");
                }
            } catch (IOException e) {
                problems.add(root.relativize(f) + ": not valid YAML: " + e.getMessage());
            }
        }
        System.out.println("   " + files.size() + " YAML files under docker/ parse");
    }

    private void compose() throws IOException {
        Path file = root.resolve("docker/compose.yaml");
        Path dir = file.getParent();
        JsonNode compose;
        try {
            compose = yaml.readTree(file.toFile());
        } catch (IOException e) {
            problems.add("docker/compose.yaml: not valid YAML: " + e.getMessage());
            return;
        }
        JsonNode services = compose.path("services");
        if (!services.isObject() || services.isEmpty()) {
            problems.add("docker/compose.yaml: no services");
            return;
        }
        Set<String> declaredVolumes = new TreeSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(declaredVolumes::add);
        Set<String> mountTargets = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "docker/compose.yaml service " + e.getKey();
            JsonNode service = e.getValue();
            if (!service.has("image") && !service.has("build")) {
                problems.add(where + ": neither image nor build");
            }
            if (service.has("build")) {
                JsonNode build = service.path("build");
                String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
                Path contextDir = dir.resolve(context).normalize();
                Path dockerfile = contextDir.resolve(build.path("dockerfile").asText("Dockerfile")).normalize();
                requireExists(where + " build context", contextDir);
                requireExists(where + " dockerfile", dockerfile);
            }
            for (JsonNode v : service.path("volumes")) {
                String source;
                String target;
                if (v.isTextual()) {
                    String[] parts = v.asText().split(":");
                    source = parts.length > 1 ? parts[0] : null;
                    target = parts.length > 1 ? parts[1] : parts[0];
                } else {
                    source = v.path("source").asText(null);
                    target = v.path("target").asText();
                }
                mountTargets.add(target);
                if (source == null) {
                    continue;
                }
                if (source.startsWith(".") || source.startsWith("/")) {
                    requireExists(where + " volume " + v.asText(source), dir.resolve(source).normalize());
                } else if (!declaredVolumes.contains(source)) {
                    problems.add(where + ": named volume `" + source + "` is not declared under volumes:");
                }
            }
            JsonNode envFiles = service.path("env_file");
            for (JsonNode f : envFiles.isArray() ? envFiles : List.of(envFiles)) {
                if (f.isTextual()) {
                    requireExists(where + " env_file", dir.resolve(f.asText()).normalize());
                }
            }
        }
        JsonNode engine = services.path("engine");
        if (engine.isMissingNode()) {
            problems.add("docker/compose.yaml: no `engine` service");
        } else {
            if (!"0.0.0.0".equals(environment(engine, "ENGINE_MANAGEMENT_HOST"))) {
                problems.add("docker/compose.yaml service engine: ENGINE_MANAGEMENT_HOST must be 0.0.0.0"
                        + " (Prometheus and the health check reach management from outside the container)");
            }
            String ports = engine.path("ports").toString();
            for (String port : List.of("8080", "9090")) {
                if (!ports.contains(":" + port + "\"")) {
                    problems.add("docker/compose.yaml service engine: container port " + port + " is not published");
                }
            }
        }
        providersReadMountedFolders(mountTargets);
        System.out.println("   docker/compose.yaml: " + services.size() + " services checked");
    }

    private static String environment(JsonNode service, String key) {
        JsonNode env = service.path("environment");
        if (env.isObject()) {
            return env.path(key).asText(null);
        }
        for (JsonNode entry : env) {
            String s = entry.asText();
            if (s.startsWith(key + "=")) {
                return s.substring(key.length() + 1);
            }
        }
        return null;
    }

    private void providersReadMountedFolders(Set<String> mountTargets) throws IOException {
        Path dir = root.resolve("docker/grafana/provisioning/dashboards");
        if (!Files.isDirectory(dir)) {
            problems.add("no Grafana dashboard provider in docker/grafana/provisioning/dashboards");
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).toList()) {
                for (JsonNode provider : yaml.readTree(f.toFile()).path("providers")) {
                    String path = provider.path("options").path("path").asText();
                    if (!mountTargets.contains(path)) {
                        problems.add(root.relativize(f) + ": provider path " + path
                                + " is not a folder any compose service mounts " + mountTargets);
                    }
                }
            }
        }
    }

    private void requireExists(String what, Path path) {
        if (!Files.exists(path)) {
            problems.add(what + ": " + root.relativize(path) + " does not exist");
        }
    }
}
