package dev.loyalty.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.config.RulesConfig.CustomAction;
import dev.loyalty.engine.config.RulesConfig.Tier;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    /** Engine tests run in engine/; the shipped defaults are not on this module's classpath. */
    static final String DEFAULTS = ConfigLoader.shippedDefaults(Path.of(".."));

    @TempDir
    Path dir;

    private EngineConfig load(String fileYaml, Map<String, String> env, Map<String, String> cli) {
        return ConfigLoader.load(DEFAULTS, fileYaml == null ? null : file(fileYaml), env, cli);
    }

    private Path file(String yaml) {
        try {
            return Files.writeString(dir.resolve("engine-test.yaml"), yaml);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldLoadShippedDefaultsWithTheSpecNumbers() {
        EngineConfig c = load(null, Map.of(), Map.of());

        assertThat(c.api().host()).isEqualTo("0.0.0.0");
        assertThat(c.api().port()).isEqualTo(8080);
        assertThat(c.api().maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(c.api().bulkMax()).isEqualTo(1000);
        assertThat(c.api().syncTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.api().maxInFlight()).isEqualTo(10_000);
        assertThat(c.api().maxLagEvents()).isEqualTo(1_000_000);
        assertThat(c.api().keys()).containsExactly(
                ApiKey.of("dev", "dev-key", Set.of(Scope.INGEST, Scope.READ, Scope.ADMIN)));
        assertThat(c.management().host()).isEqualTo("127.0.0.1");
        assertThat(c.management().port()).isEqualTo(9090);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.journal().sync()).isEqualTo(EngineConfig.SyncMode.NONE);
        assertThat(c.journal().heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.state().wal()).isTrue(); // no CPU cost shows since the committer (2026-12-07-wal-default.txt)
        assertThat(c.state().blockCacheBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(c.state().cacheCustomers()).isEqualTo(250_000);
        assertThat(c.state().flushInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.processor().batchMax()).isEqualTo(4096);
        assertThat(c.clockAdjustable()).isFalse();
        assertThat(c.idempotencyRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(c.outcomesRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(c.activeWindowsDays()).containsExactly(30, 90, 365);

        RulesConfig r = c.rules();
        assertThat(r.defaultAccount()).isEqualTo("points");
        assertThat(r.accounts()).containsExactly(
                new AccountRules("points", ExpiryPolicy.ROLLING, 365, 12, 31),
                new AccountRules("bonus", ExpiryPolicy.ROLLING, 365, 12, 31));
        assertThat(r.maxBackdateDays()).isEqualTo(1095);
        assertThat(r.maxFutureSeconds()).isEqualTo(300);
        assertThat(r.earnRate()).isEqualTo(new BigDecimal("1"));
        assertThat(r.pendingDays()).isEqualTo(14);
        assertThat(r.tiers().qualifyingAccount()).isEqualTo("points");
        assertThat(r.tiers().windowDays()).isEqualTo(365);
        assertThat(r.tiers().validityDays()).isEqualTo(365);
        assertThat(r.tiers().levels()).containsExactly(
                new Tier("bronze", 0, new BigDecimal("1")),
                new Tier("silver", 1000, new BigDecimal("1.25")),
                new Tier("gold", 5000, new BigDecimal("1.5")));
        assertThat(r.activityActions()).containsExactly("opt_in", "checkout", "checkout_accept", "point_spend");
        assertThat(r.customActions()).containsExactly(
                new CustomAction("review_written", 50, "bonus", false),
                new CustomAction("newsletter_signup", 100, "points", true));
    }

    @Test
    void shouldResolvePartitionsZeroToTheNumberOfProcessors() {
        assertThat(load(null, Map.of(), Map.of()).partitions())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(load("partitions: 3\n", Map.of(), Map.of()).partitions()).isEqualTo(3);
    }

    @Test
    void shouldReportWhetherTheDevelopmentKeyIsInUse() {
        assertThat(ConfigLoader.usesDevelopmentKey(load(null, Map.of(), Map.of()))).isTrue();

        EngineConfig replaced = load("api:\n  keys:\n    - {name: shop, key: s3cret-value, scopes: [ingest]}\n",
                Map.of(), Map.of());
        assertThat(ConfigLoader.usesDevelopmentKey(replaced)).isFalse();
    }

    @Test
    void shouldMergeTheConfigFileKeyByKey() {
        EngineConfig c = load("""
                api:
                  port: 8081
                rules:
                  accounts:
                    bonus:
                      expiry:
                        policy: none
                  tiers:
                    levels:
                      - {name: member, threshold: 0, multiplier: 1}
                      - {name: vip, threshold: 200, multiplier: 2.0}
                """, Map.of(), Map.of());

        assertThat(c.api().port()).isEqualTo(8081);
        assertThat(c.api().host()).isEqualTo("0.0.0.0");
        assertThat(c.api().bulkMax()).isEqualTo(1000);
        assertThat(c.rules().accounts()).containsExactly(
                new AccountRules("points", ExpiryPolicy.ROLLING, 365, 12, 31),
                new AccountRules("bonus", ExpiryPolicy.NONE, 365, 12, 31));
        assertThat(c.rules().tiers().levels()).as("lists replace whole").containsExactly(
                new Tier("member", 0, new BigDecimal("1")), new Tier("vip", 200, new BigDecimal("2")));
        assertThat(c.rules().tiers().windowDays()).isEqualTo(365);
    }

    @Test
    void shouldAddAndRemoveAccountsAndCustomActionsKeepingTheirOrder() {
        EngineConfig c = load("""
                rules:
                  accounts:
                    bonus: ~
                    gifts:
                      expiry: {policy: calendar, calendar-day: "06-30"}
                    cash:
                      expiry: {policy: last_activity, days: 90}
                  custom-actions:
                    review_written: ~
                    app_download: {points: 10}
                    birthday: {points: 25, account: gifts, once: true}
                """, Map.of(), Map.of());

        assertThat(c.rules().accounts()).containsExactly(
                new AccountRules("points", ExpiryPolicy.ROLLING, 365, 12, 31),
                new AccountRules("gifts", ExpiryPolicy.CALENDAR, 365, 6, 30),
                new AccountRules("cash", ExpiryPolicy.LAST_ACTIVITY, 90, 12, 31));
        assertThat(c.rules().customActions()).containsExactly(
                new CustomAction("newsletter_signup", 100, "points", true),
                new CustomAction("app_download", 10, "points", false),
                new CustomAction("birthday", 25, "gifts", true));
    }

    @Test
    void shouldRejectUnknownKeysInTheConfigFileNamingThem() {
        assertThatThrownBy(() -> load("api:\n  prot: 8081\n", Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("api.prot: unknown key; did you mean api.port?")
                .hasMessageContaining("engine-test.yaml");
        assertThatThrownBy(() -> load("api:\n  sync_timeout: 2s\n", Map.of(), Map.of()))
                .hasMessageContaining("api.sync_timeout: unknown key; did you mean api.sync-timeout?");
        assertThatThrownBy(() -> load("rules:\n  tiers:\n    levels:\n      - {name: a, treshold: 0, multiplier: 1}\n",
                Map.of(), Map.of()))
                .hasMessageContaining("rules.tiers.levels[0].treshold: unknown key");
        assertThatThrownBy(() -> load("rules:\n  accounts:\n    points:\n      expires: {policy: none}\n",
                Map.of(), Map.of()))
                .hasMessageContaining("rules.accounts.points.expires: unknown key");
        assertThatThrownBy(() -> load("frobnicate: true\n", Map.of(), Map.of()))
                .hasMessageStartingWith("frobnicate: unknown key");
    }

    @Test
    void shouldSetKeysFromEnvironmentVariables() {
        EngineConfig c = load(null, Map.of(
                "ENGINE_API_SYNC_TIMEOUT", "250ms",
                "ENGINE_CLOCK_ADJUSTABLE", "true",
                "ENGINE_API_MAX_BODY", "512KiB",
                "ENGINE_MANAGEMENT_HOST", "0.0.0.0",
                "ENGINE_PARTITIONS", "3",
                "ENGINE_DATA_DIR", "/var/lib/engine",
                "ENGINE_STATS_ACTIVE_WINDOWS", "7, 30",
                "ENGINE_RULES_EARN_RATE", "1.50",
                "ENGINE_RULES_ACCOUNTS_BONUS_EXPIRY_POLICY", "calendar",
                "ENGINE_RULES_ACTIVITY_ACTIONS", "opt_in,checkout"), Map.of());

        assertThat(c.api().syncTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.clockAdjustable()).isTrue();
        assertThat(c.api().maxBodyBytes()).isEqualTo(512 * 1024);
        assertThat(c.management().host()).isEqualTo("0.0.0.0");
        assertThat(c.partitions()).isEqualTo(3);
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/engine"));
        assertThat(c.activeWindowsDays()).containsExactly(7, 30);
        assertThat(c.rules().earnRate()).isEqualTo(new BigDecimal("1.5"));
        assertThat(c.rules().accounts().get(1).expiryPolicy()).isEqualTo(ExpiryPolicy.CALENDAR);
        assertThat(c.rules().activityActions()).containsExactly("opt_in", "checkout");
    }

    @Test
    void shouldSetListsOfMapsFromCompactEnvironmentText() {
        EngineConfig c = load(null, Map.of(
                "ENGINE_API_KEYS", "shop:s3cret:ingest+read, ops:t0ken:admin",
                "ENGINE_RULES_TIERS_LEVELS", "base:0:1,vip:100:2.5"), Map.of());

        assertThat(c.api().keys()).containsExactly(
                ApiKey.of("shop", "s3cret", Set.of(Scope.INGEST, Scope.READ)),
                ApiKey.of("ops", "t0ken", Set.of(Scope.ADMIN)));
        assertThat(c.rules().tiers().levels()).containsExactly(
                new Tier("base", 0, new BigDecimal("1")), new Tier("vip", 100, new BigDecimal("2.5")));
        assertThat(ConfigLoader.usesDevelopmentKey(c)).isFalse();
    }

    @Test
    void shouldIgnoreEnvironmentVariablesWithoutTheEnginePrefix() {
        EngineConfig c = load(null, Map.of("PATH", "/usr/bin", "JAVA_OPTS", "-Xmx2g", "engine_api_port", "1"),
                Map.of());

        assertThat(c.api().port()).isEqualTo(8080);
    }

    @Test
    void shouldRejectAnEngineVariableThatMatchesNoKeyNamingIt() {
        assertThatThrownBy(() -> load(null, Map.of("ENGINE_API_PROT", "8081"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ENGINE_API_PROT: environment variable matches no configuration key")
                .hasMessageContaining("did you mean ENGINE_API_PORT?");
        assertThatThrownBy(() -> load(null, Map.of("ENGINE_HOME", "/opt/engine"), Map.of()))
                .hasMessageStartingWith("ENGINE_HOME: ");
        assertThatThrownBy(() -> load(null, Map.of("ENGINE_API", "x"), Map.of()))
                .as("a branch is not a key")
                .hasMessageStartingWith("ENGINE_API: ");
    }

    @Test
    void shouldMatchEnvironmentVariablesAgainstKeysAddedByTheConfigFile() {
        String file = "rules:\n  accounts:\n    gift-card:\n      expiry: {policy: rolling}\n";

        EngineConfig c = load(file, Map.of("ENGINE_RULES_ACCOUNTS_GIFT_CARD_EXPIRY_DAYS", "30"), Map.of());

        assertThat(c.rules().accounts().get(2)).isEqualTo(new AccountRules("gift-card", ExpiryPolicy.ROLLING, 30, 12, 31));
        assertThatThrownBy(() -> load(null, Map.of("ENGINE_RULES_ACCOUNTS_GIFT_CARD_EXPIRY_DAYS", "30"), Map.of()))
                .hasMessageStartingWith("ENGINE_RULES_ACCOUNTS_GIFT_CARD_EXPIRY_DAYS: ");
    }

    @Test
    void shouldApplyCommandLineOverEnvironmentOverFileOverDefaults() {
        String file = """
                api:
                  port: 8001
                  bulk-max: 50
                management:
                  port: 9001
                journal:
                  sync: batch
                data-dir: /from/file
                """;
        Map<String, String> env = Map.of("ENGINE_API_PORT", "8002", "ENGINE_MANAGEMENT_PORT", "9002",
                "ENGINE_API_BULK_MAX", "60");
        Map<String, String> cli = Map.of("api.port", "8003", "data-dir", "/from/cli");

        EngineConfig c = load(file, env, cli);

        assertThat(c.api().port()).as("command line").isEqualTo(8003);
        assertThat(c.dataDir()).as("command line over file").isEqualTo(Path.of("/from/cli"));
        assertThat(c.management().port()).as("environment").isEqualTo(9002);
        assertThat(c.api().bulkMax()).as("environment over file").isEqualTo(60);
        assertThat(c.journal().sync()).as("file").isEqualTo(EngineConfig.SyncMode.BATCH);
        assertThat(c.api().maxInFlight()).as("defaults").isEqualTo(10_000);
    }

    @Test
    void shouldRejectAnUnknownCommandLineKey() {
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("api.prot", "1")))
                .hasMessageStartingWith("api.prot: unknown configuration key (command line)");
    }

    @Test
    void shouldNameTheKeyAndTheSourceOfABadValue() {
        assertThatThrownBy(() -> load(null, Map.of("ENGINE_API_PORT", "eighty"), Map.of()))
                .hasMessage("api.port: must be a whole number, got 'eighty' (set by ENGINE_API_PORT)");
        assertThatThrownBy(() -> load(null, Map.of("ENGINE_CLOCK_ADJUSTABLE", "yes"), Map.of()))
                .hasMessage("clock.adjustable: must be true or false, got 'yes' (set by ENGINE_CLOCK_ADJUSTABLE)");
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("management.port", "70000")))
                .hasMessage("management.port: must be 1..65535, got 70000 (set on the command line)");
        assertThatThrownBy(() -> load("api:\n  port: 70000\n", Map.of(), Map.of()))
                .hasMessageStartingWith("api.port: must be 1..65535, got 70000 (in ")
                .hasMessageEndingWith("engine-test.yaml)");
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        assertThatThrownBy(() -> load("api:\n  port: 0\n  bulk-max: 0\n", Map.of(), Map.of()))
                .hasMessageStartingWith("2 configuration problems:")
                .hasMessageContaining("api.port: must be 1..65535, got 0")
                .hasMessageContaining("api.bulk-max: must be at least 1, got 0");
    }

    @Test
    void shouldReportAnUnknownVariableTogetherWithTheBadValues() {
        assertThatThrownBy(() -> load("api:\n  bulk-max: 0\n", Map.of("ENGINE_API_PROT", "1", "ENGINE_API_PORT", "x"),
                Map.of()))
                .hasMessageStartingWith("3 configuration problems:")
                .hasMessageContaining("ENGINE_API_PROT: environment variable matches no configuration key")
                .hasMessageContaining("api.port: must be a whole number, got 'x' (set by ENGINE_API_PORT)")
                .hasMessageContaining("api.bulk-max: must be at least 1, got 0 (in ");
    }

    @Test
    void shouldReportAValueRefusedInsideAListItemOnce() {
        Path file = file("api:\n  keys:\n    - {name: [a], key: k1, scopes: [read, {x: 1}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(DEFAULTS, file, Map.of(), Map.of()))
                .as("refused values are not reported missing as well")
                .hasMessage("2 configuration problems:\n"
                        + "  api.keys[0].name: must be a single value, got [\"a\"] (in " + file + ")\n"
                        + "  api.keys[0].scopes: must be a single value, got {\"x\":1} (in " + file + ")");
    }

    @Test
    void shouldAcceptListsWrittenAsTextAndZeroSizesInAnyUnit() {
        EngineConfig c = load("""
                api:
                  keys:
                    - {name: shop, key: s3cret, scopes: 'ingest, read'}
                journal:
                  retention-size: 0KiB
                stats:
                  expiring-windows: '7, 30'
                """, Map.of(), Map.of());

        assertThat(c.api().keys()).containsExactly(ApiKey.of("shop", "s3cret", Set.of(Scope.INGEST, Scope.READ)));
        assertThat(c.journal().retains()).isFalse();
        assertThat(c.expiringWindowsDays()).containsExactly(7, 30);
    }

    @Test
    void shouldCheckOnlyTheValueThatStaysAfterLayering() {
        EngineConfig c = load(null, Map.of("ENGINE_API_KEYS", "not-compact"), Map.of("api.keys", "ops:t0ken:admin"));

        assertThat(c.api().keys()).containsExactly(ApiKey.of("ops", "t0ken", Set.of(Scope.ADMIN)));
    }

    @Test
    void shouldNeverShowApiKeysInMessages() {
        String file = "api:\n  keys:\n    - {name: a, key: top-secret-1, scopes: [read]}\n"
                + "    - {name: b, key: top-secret-1, scopes: [read]}\n";
        assertThatThrownBy(() -> load(file, Map.of(), Map.of()))
                .hasMessage("api.keys[1].key: duplicates the key of api.keys[0] (in " + dir.resolve("engine-test.yaml") + ")")
                .message().doesNotContain("top-secret");
        assertThatThrownBy(() -> load(null, Map.of("ENGINE_API_KEYS", "shop:top-secret"), Map.of()))
                .hasMessageContaining("api.keys: item 1 must have the form name:key:scopes+...")
                .message().doesNotContain("top-secret");
        assertThat(ApiKey.of("a", "top-secret", Set.of()).toString()).doesNotContain("top-secret");
    }

    @Test
    void shouldFailClearlyOnAMissingOrMalformedConfigFile() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(DEFAULTS, missing, Map.of(), Map.of()))
                .hasMessage("--config " + missing + ": file not found");
        assertThatThrownBy(() -> load("api:\n  port: [1\n", Map.of(), Map.of()))
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("line ");
        assertThatThrownBy(() -> load("api:\n  port: 1\napi:\n  port: 2\n", Map.of(), Map.of()))
                .as("duplicate keys are refused, not last-wins")
                .hasMessageContaining("Duplicate field 'api'");
        assertThatThrownBy(() -> load("- a\n- b\n", Map.of(), Map.of()))
                .hasMessageContaining("must be a map of keys at the top level");
    }

    @Test
    void shouldKeepTheWholeJournalByDefaultAndReadRetentionLimits() {
        EngineConfig.Journal defaults = load(null, Map.of(), Map.of()).journal();
        assertThat(defaults.retains()).isFalse();

        EngineConfig.Journal limited = load("journal:\n  retention: 30d\n", Map.of(
                "ENGINE_JOURNAL_RETENTION_SIZE", "50GiB", "ENGINE_LOG_FORMAT", "json"), Map.of()).journal();
        assertThat(limited.retention()).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(limited.retentionBytes()).isEqualTo(50L << 30);
        assertThat(limited.retains()).isTrue();
        assertThat(load(null, Map.of("ENGINE_LOG_FORMAT", "json"), Map.of()).log().format())
                .isEqualTo(EngineConfig.LogFormat.JSON);
    }

    @Test
    void shouldAcceptAnEmptyConfigFile() {
        assertThat(load("# nothing here\n", Map.of(), Map.of()).api().port()).isEqualTo(8080);
    }

    @Test
    void shouldFindTheShippedDefaultsUnderAHomeFolder() throws IOException {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/engine.yaml"), DEFAULTS);

        assertThat(ConfigLoader.shippedDefaults(dir)).isEqualTo(DEFAULTS);
        assertThat(ConfigLoader.loadShipped(dir, null, Map.of(), Map.of()).api().port()).isEqualTo(8080);
        assertThatThrownBy(() -> ConfigLoader.shippedDefaults(dir.resolve("elsewhere")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config/engine.yaml");
    }

    @Test
    void shouldNameEnvironmentVariablesAfterTheirKeys() {
        assertThat(ConfigLoader.environmentName("api.sync-timeout")).isEqualTo("ENGINE_API_SYNC_TIMEOUT");
        assertThat(ConfigLoader.environmentName("rules.accounts.points.expiry.calendar-day"))
                .isEqualTo("ENGINE_RULES_ACCOUNTS_POINTS_EXPIRY_CALENDAR_DAY");
    }

    @Test
    void shouldGiveEqualRulesForEquivalentNumbers() {
        EngineConfig a = load("rules:\n  earn:\n    rate: 1.0\n", Map.of(), Map.of());
        EngineConfig b = load(null, Map.of("ENGINE_RULES_EARN_RATE", "1"), Map.of());

        assertThat(a.rules()).isEqualTo(b.rules()).isEqualTo(load(null, Map.of(), Map.of()).rules());
    }

    @Test
    void shouldReadTheKnownKeysOffTheBoundRecords() {
        assertThat(ConfigSchema.LEAVES).containsEntry("api.max-body", ConfigSchema.Kind.VALUE)
                .containsEntry("stats.expiring-windows", ConfigSchema.Kind.LIST)
                .containsEntry("rules.tiers.levels", ConfigSchema.Kind.OBJECT_LIST)
                .containsEntry("rules.custom-actions.*.once", ConfigSchema.Kind.VALUE);
        assertThat(ConfigSchema.OBJECT_FIELDS.get("api.keys")).extracting(ConfigSchema.Field::name)
                .as("the order of the compact text form").containsExactly(
                        "name", "key", "scopes", "key-sha256", "hmac-secret", "rate-limit", "burst");
        assertThat(ConfigSchema.REQUIRED_COMPACT_FIELDS).containsEntry("api.keys", 3).containsEntry("rules.tiers.levels", 3);
        assertThat(ConfigSchema.entryTemplate("rules.accounts").toString())
                .isEqualTo("{\"expiry\":{\"policy\":\"rolling\",\"days\":\"365\",\"calendar-day\":\"12-31\"}}");
        assertThat(ConfigSchema.entryTemplate("rules.custom-actions").toString()).isEqualTo("{\"once\":\"false\"}");
    }

    @Test
    void shouldListEveryDefaultLeafAsAKnownKey() throws IOException {
        List<String> keys = ConfigLoader.leafKeys((ObjectNode) new YAMLMapper().readTree(DEFAULTS));

        assertThat(keys).contains("api.sync-timeout", "clock.adjustable", "partitions", "data-dir",
                "rules.accounts.points.expiry.policy", "rules.custom-actions.review_written.once", "api.keys");
        assertThat(keys.stream().map(ConfigSchema::pattern).distinct().sorted().toList())
                .as("the shipped defaults set every key of the schema")
                .containsExactlyElementsOf(ConfigSchema.LEAVES.keySet().stream().sorted().toList());
    }
}
