package dev.loyalty.engine.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each validation rule refuses the start with a message that names the key and the problem. */
class ConfigValidationTest {

    @TempDir
    Path dir;

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                // shape
                Arguments.of("api: 5", "api: must be a map of further keys"),
                Arguments.of("api:\n  port: {a: 1}", "api.port: must be a value, not a map"),
                Arguments.of("api:\n  port:", "api.port: has no value"),
                Arguments.of("api:\n  port: [1, 2]", "api.port: must be a single value, not a list"),
                // api
                Arguments.of("api:\n  port: 70000", "api.port: must be 1..65535, got 70000"),
                Arguments.of("api:\n  port: 80.5", "api.port: must be a whole number, got 80.5"),
                Arguments.of("api:\n  host: ''", "api.host: must not be empty"),
                Arguments.of("api:\n  max-body: 0", "api.max-body: must be more than 0 bytes"),
                Arguments.of("api:\n  max-body: 1MB", "api.max-body: must be a size"),
                Arguments.of("api:\n  bulk-max: 0", "api.bulk-max: must be at least 1, got 0"),
                Arguments.of("api:\n  sync-timeout: 5", "api.sync-timeout: must be a duration"),
                Arguments.of("api:\n  sync-timeout: 0s", "api.sync-timeout: must be longer than 0"),
                Arguments.of("api:\n  max-in-flight: -1", "api.max-in-flight: must be at least 1, got -1"),
                Arguments.of("api:\n  max-lag: 0", "api.max-lag: must be at least 1, got 0"),
                Arguments.of("api:\n  keys: []", "api.keys: at least one API key is needed"),
                Arguments.of("api:\n  keys: nope", "api.keys: must be a list"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: k1, scopes: [read, write]}",
                        "api.keys[0].scopes: unknown scope 'write'"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: k1, scopes: []}",
                        "api.keys[0].scopes: at least one scope is needed"),
                Arguments.of("api:\n  keys:\n    - {name: a, scopes: [read]}",
                        "api.keys[0].key: give exactly one of key or key-sha256"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: k, key-sha256: ab, scopes: [read]}",
                        "api.keys[0].key: give exactly one of key or key-sha256"),
                Arguments.of("api:\n  keys:\n    - {name: a, key-sha256: abc, scopes: [read]}",
                        "api.keys[0].key-sha256: must be 64 hex digits"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: k, scopes: [read], hmac-secret: short}",
                        "api.keys[0].hmac-secret: must be at least 16 characters"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: k, scopes: [read], rate-limit: 0}",
                        "api.keys[0].rate-limit: must be above 0"),
                Arguments.of("api:\n  tls:\n    enabled: true\n    cert: /nonexistent/c.pem\n    key: /nonexistent/k.pem",
                        "api.tls.cert: no readable file at /nonexistent/c.pem"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: 'k 1', scopes: [read]}",
                        "api.keys[0].key: must be printable ASCII without spaces"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: k1, scopes: [read]}\n    - {name: a, key: k2, scopes: [read]}",
                        "api.keys[1].name: duplicates the name of api.keys[0]"),
                Arguments.of("api:\n  keys:\n    - {name: a, key: k1, scopes: [read]}\n    - {name: b, key: k1, scopes: [read]}",
                        "api.keys[1].key: duplicates the key of api.keys[0]"),
                // management, partitions, storage
                Arguments.of("management:\n  port: 0", "management.port: must be 1..65535, got 0"),
                Arguments.of("management:\n  port: 8080", "management.port: must differ from api.port, both are 8080"),
                Arguments.of("partitions: 2000", "partitions: must be 0..1024, got 2000"),
                Arguments.of("partitions: -1", "partitions: must be 0..1024, got -1"),
                Arguments.of("data-dir: ''", "data-dir: must not be empty"),
                Arguments.of("journal:\n  sync: always", "journal.sync: must be one of none, batch, got 'always'"),
                Arguments.of("journal:\n  heartbeat: 0ms", "journal.heartbeat: must be longer than 0"),
                Arguments.of("journal:\n  retention: 30", "journal.retention: must be a duration"),
                Arguments.of("journal:\n  retention-size: 10GB", "journal.retention-size: must be a size"),
                Arguments.of("log:\n  format: xml", "log.format: must be one of text, json, got 'xml'"),
                Arguments.of("log:\n  level: verbose", "log.level: must be one of error, warn, info, debug, trace"),
                Arguments.of("state:\n  wal: maybe", "state.wal: must be true or false, got 'maybe'"),
                Arguments.of("state:\n  block-cache: 0", "state.block-cache: must be more than 0 bytes"),
                Arguments.of("state:\n  flush-interval: 0s", "state.flush-interval: must be longer than 0"),
                Arguments.of("state:\n  cache-customers: -1", "state.cache-customers: must be at least 0, got -1"),
                Arguments.of("processor:\n  batch-max: 0", "processor.batch-max: must be at least 1, got 0"),
                Arguments.of("clock:\n  adjustable: 1", "clock.adjustable: must be true or false, got 1"),
                // kafka journal and cluster
                Arguments.of("journal:\n  kind: pulsar", "journal.kind: must be one of chronicle, kafka, got 'pulsar'"),
                Arguments.of("journal:\n  kind: kafka\ncluster:\n  node-id: n1",
                        "journal.kafka.bootstrap-servers: needed with journal.kind kafka"),
                Arguments.of("journal:\n  kind: kafka\n  kafka:\n    bootstrap-servers: k:9092",
                        "cluster.node-id: needed with journal.kind kafka"),
                Arguments.of("journal:\n  kafka:\n    bootstrap-servers: 'k:9092,k2'",
                        "journal.kafka.bootstrap-servers: must be host:port[,host:port...]"),
                Arguments.of("journal:\n  kafka:\n    bootstrap-servers: 'k:99999'",
                        "journal.kafka.bootstrap-servers: must be host:port[,host:port...] with ports 1-65535"),
                Arguments.of("journal:\n  kafka:\n    topic: 'loyalty events'", "journal.kafka.topic: must be 1-249 of"),
                Arguments.of("journal:\n  kafka:\n    topic: '..'", "journal.kafka.topic: must be 1-249 of"),
                Arguments.of("cluster:\n  node-id: 'node 1'", "cluster.node-id: must be 1-64 of letters"),
                Arguments.of("cluster:\n  node-id: " + "n".repeat(65), "cluster.node-id: must be 1-64 of letters"),
                Arguments.of("cluster:\n  advertised-url: 10.0.0.5:8080", "cluster.advertised-url: must be an http://"),
                Arguments.of("cluster:\n  advertised-url: http://h:8080/api", "cluster.advertised-url: must be an http://"),
                Arguments.of("idempotency:\n  retention: 7x", "idempotency.retention: must be a duration"),
                Arguments.of("outcomes:\n  retention: 0d", "outcomes.retention: must be longer than 0"),
                Arguments.of("idempotency:\n  retention: 31d", "idempotency.retention: must not exceed outcomes.retention (30d), got 31d"),
                Arguments.of("stats:\n  active-windows: [30, 0]", "stats.active-windows: each window must be 1..36500 days, got 0"),
                Arguments.of("stats:\n  active-windows: [30, 30]", "stats.active-windows: window 30 is listed twice"),
                Arguments.of("stats:\n  expiring-windows: [90, 0]", "stats.expiring-windows: each window must be 1..36500 days, got 0"),
                // accounts and expiry
                Arguments.of("rules:\n  default-account: cash", "rules.default-account: no account 'cash' in rules.accounts [points, bonus]"),
                Arguments.of("rules:\n  accounts:\n    points: ~\n    bonus: ~\n  custom-actions:\n    review_written: ~\n    newsletter_signup: ~",
                        "rules.accounts: at least one account is needed"),
                Arguments.of("rules:\n  accounts:\n    Points: {expiry: {policy: none}}", "rules.accounts.Points: names here are"),
                Arguments.of("rules:\n  accounts:\n    gifts: 5", "rules.accounts.gifts: must be a map"),
                Arguments.of("rules:\n  accounts:\n    points:\n      expiry:\n        policy: sometimes",
                        "rules.accounts.points.expiry.policy: must be one of none, rolling, calendar, last_activity, got 'sometimes'"),
                Arguments.of("rules:\n  accounts:\n    bonus:\n      expiry:\n        days: 0",
                        "rules.accounts.bonus.expiry.days: must be 1..36500, got 0"),
                Arguments.of("rules:\n  accounts:\n    points:\n      expiry:\n        calendar-day: 13-01",
                        "rules.accounts.points.expiry.calendar-day: must be a day that exists every year"),
                Arguments.of("rules:\n  accounts:\n    points:\n      expiry:\n        calendar-day: 02-29",
                        "rules.accounts.points.expiry.calendar-day: must be a day that exists every year"),
                // time limits, earning
                Arguments.of("rules:\n  max-backdate: 36h", "rules.max-backdate: must be whole days"),
                Arguments.of("rules:\n  max-future: 1500ms", "rules.max-future: must be whole seconds"),
                Arguments.of("rules:\n  earn:\n    rate: -1", "rules.earn.rate: must be 0 or more, got -1"),
                Arguments.of("rules:\n  earn:\n    rate: lots", "rules.earn.rate: must be a decimal number, got 'lots'"),
                Arguments.of("rules:\n  earn:\n    pending-days: -1", "rules.earn.pending-days: must be 0..36500, got -1"),
                // tiers
                Arguments.of("rules:\n  tiers:\n    qualifying-account: cash", "rules.tiers.qualifying-account: no account 'cash'"),
                Arguments.of("rules:\n  tiers:\n    window: 0d", "rules.tiers.window: must be whole days 1..36500"),
                Arguments.of("rules:\n  tiers:\n    validity: 1h", "rules.tiers.validity: must be whole days 1..36500"),
                Arguments.of("rules:\n  tiers:\n    levels: []", "rules.tiers.levels: at least one level is needed"),
                Arguments.of("rules:\n  tiers:\n    levels:\n      - {name: a, threshold: 10, multiplier: 1}",
                        "rules.tiers.levels[0].threshold: the first level must have threshold 0, got 10"),
                Arguments.of("rules:\n  tiers:\n    levels:\n      - {name: a, threshold: 0, multiplier: 1}\n"
                                + "      - {name: b, threshold: 500, multiplier: 1}\n      - {name: c, threshold: 500, multiplier: 1}",
                        "rules.tiers.levels[2].threshold: thresholds must ascend: must be above 500, got 500"),
                Arguments.of("rules:\n  tiers:\n    levels:\n      - {name: a, threshold: 0, multiplier: 1}\n"
                                + "      - {name: b, threshold: 5, multiplier: 0}",
                        "rules.tiers.levels[1].multiplier: must be above 0, got 0"),
                Arguments.of("rules:\n  tiers:\n    levels:\n      - {name: a, threshold: 0, multiplier: 1}\n"
                                + "      - {name: a, threshold: 5, multiplier: 2}",
                        "rules.tiers.levels[1].name: level 'a' is listed twice"),
                // actions
                Arguments.of("rules:\n  activity-actions: [opt_in, dance]",
                        "rules.activity-actions: 'dance' is not a built-in action"),
                Arguments.of("rules:\n  custom-actions:\n    checkout: {points: 5}",
                        "rules.custom-actions.checkout: 'checkout' is a built-in action"),
                Arguments.of("rules:\n  custom-actions:\n    review_written: {account: cash}",
                        "rules.custom-actions.review_written.account: no account 'cash'"),
                Arguments.of("rules:\n  custom-actions:\n    review_written: {points: 0}",
                        "rules.custom-actions.review_written.points: must be at least 1, got 0"),
                Arguments.of("rules:\n  custom-actions:\n    app_download: {once: true}",
                        "rules.custom-actions.app_download.points: missing"),
                Arguments.of("rules:\n  accounts:\n    bonus: ~",
                        "rules.custom-actions.review_written.account: no account 'bonus'"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidFiles")
    void shouldRefuseAnInvalidValueNamingItsKey(String yaml, String expected) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), yaml + "\n");

        assertThatThrownBy(() -> ConfigLoader.load(ConfigLoaderTest.DEFAULTS, file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected);
    }

    static Stream<Arguments> invalidEnvironment() {
        return Stream.of(
                Arguments.of("ENGINE_API_SYNC_TIMEOUT", "5", "api.sync-timeout: must be a duration"),
                Arguments.of("ENGINE_API_MAX_BODY", "lots", "api.max-body: must be a size"),
                Arguments.of("ENGINE_JOURNAL_SYNC", "always", "journal.sync: must be one of none, batch"),
                Arguments.of("ENGINE_STATS_ACTIVE_WINDOWS", "7,x", "stats.active-windows: must be a whole number, got 'x'"),
                Arguments.of("ENGINE_API_KEYS", "a:b", "api.keys: item 1 must have the form name:key:scopes+..."),
                Arguments.of("ENGINE_API_KEYS", "a:b:write", "api.keys[0].scopes: unknown scope 'write'"),
                Arguments.of("ENGINE_RULES_TIERS_LEVELS", "a:0:x", "rules.tiers.levels[0].multiplier: must be a decimal number"),
                Arguments.of("ENGINE_PARTITIONS", "", "partitions: must be a whole number, got ''"),
                Arguments.of("ENGINE_JOURNAL_KAFKA_TOPIC", "a:b", "journal.kafka.topic: must be 1-249 of"),
                Arguments.of("ENGINE_CLUSTER_NODE_ID", "a/b", "cluster.node-id: must be 1-64 of letters"));
    }

    @ParameterizedTest(name = "[{index}] {0}={1}")
    @MethodSource("invalidEnvironment")
    void shouldRefuseAnInvalidEnvironmentValueNamingKeyAndVariable(String variable, String value, String expected) {
        assertThatThrownBy(() -> ConfigLoader.load(ConfigLoaderTest.DEFAULTS, null, Map.of(variable, value), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected)
                .hasMessageContaining("(set by " + variable + ")");
    }
}
