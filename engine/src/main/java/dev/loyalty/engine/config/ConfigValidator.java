package dev.loyalty.engine.config;

import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.config.RulesConfig.CustomAction;
import dev.loyalty.engine.config.RulesConfig.Tier;
import dev.loyalty.engine.config.Units.ByteSize;
import dev.loyalty.engine.config.Units.TimeSpan;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one validation pass over the bound {@link ConfigTree}: checks ranges and the rules between keys, and builds
 * the engine's view, {@link EngineConfig}. Each problem names its key. A null value was either absent (reported
 * as missing) or refused while binding (already reported, so not again).
 */
final class ConfigValidator {
    private static final int MAX_DAYS = 36_500;
    private static final int MAX_PARTITIONS = 1024;
    private static final Pattern MONTH_DAY = Pattern.compile("(\\d{2})-(\\d{2})");
    /** Kafka's own rule for topic names. */
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** A host name, IPv4 address or bracketed IPv6 address, then a port. */
    private static final Pattern BOOTSTRAP_SERVER = Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}");
    private static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");

    private final Problems problems;

    private ConfigValidator(Problems problems) {
        this.problems = problems;
    }

    /** The engine's view of the bound tree; its problems are added to {@code problems}, not thrown. */
    static EngineConfig validate(ConfigTree tree, Problems problems) {
        return new ConfigValidator(problems).engineConfig(tree);
    }

    private EngineConfig engineConfig(ConfigTree t) {
        int problemsBeforePorts = problems.count();
        ConfigTree.Api a = t.api();
        EngineConfig.Api api = new EngineConfig.Api(text("api.host", a.host()), port("api.port", a.port()),
                bytes("api.max-body", a.maxBody(), 1),
                (int) whole("api.bulk-max", a.bulkMax(), 1, Integer.MAX_VALUE),
                duration("api.sync-timeout", a.syncTimeout(), false),
                (int) whole("api.max-in-flight", a.maxInFlight(), 1, Integer.MAX_VALUE),
                whole("api.max-lag", a.maxLag(), 1, Long.MAX_VALUE),
                apiKeys(a.keys()), tls(a.tls()));
        EngineConfig.Management management = new EngineConfig.Management(
                text("management.host", t.management().host()), port("management.port", t.management().port()));
        if (problems.count() == problemsBeforePorts && api.port() == management.port()) {
            problems.add("management.port", "must differ from api.port, both are " + api.port());
        }
        int partitions = (int) whole("partitions", t.partitions(), 0, MAX_PARTITIONS);
        if (partitions == 0) {
            partitions = Math.min(Runtime.getRuntime().availableProcessors(), MAX_PARTITIONS);
        }
        Path dataDir = path("data-dir", t.dataDir());
        ConfigTree.Journal j = t.journal();
        EngineConfig.JournalKind kind = required("journal.kind", j.kind(), EngineConfig.JournalKind.CHRONICLE);
        EngineConfig.Journal journal = new EngineConfig.Journal(kind,
                required("journal.sync", j.sync(), EngineConfig.SyncMode.NONE),
                duration("journal.heartbeat", j.heartbeat(), false), bytes("journal.min-free", j.minFree(), 1),
                duration("journal.retention", j.retention(), true),
                bytes("journal.retention-size", j.retentionSize(), 0),
                kafka(kind == EngineConfig.JournalKind.KAFKA, j.kafka()));
        EngineConfig.Cluster cluster = cluster(kind == EngineConfig.JournalKind.KAFKA, t.cluster());
        EngineConfig.Log log = new EngineConfig.Log(
                required("log.format", t.log().format(), EngineConfig.LogFormat.TEXT), logLevel(t.log().level()));
        ConfigTree.State s = t.state();
        EngineConfig.State state = new EngineConfig.State(required("state.wal", s.wal(), false),
                bytes("state.block-cache", s.blockCache(), 1),
                (int) whole("state.cache-customers", s.cacheCustomers(), 0, Integer.MAX_VALUE),
                bytes("state.warm-rows", s.warmRows(), 0),
                duration("state.flush-interval", s.flushInterval(), false));
        EngineConfig.Processor processor = new EngineConfig.Processor(
                (int) whole("processor.batch-max", t.processor().batchMax(), 1, Integer.MAX_VALUE));
        boolean clockAdjustable = required("clock.adjustable", t.clock().adjustable(), false);
        Duration idempotencyRetention = duration("idempotency.retention", t.idempotency().retention(), false);
        Duration outcomesRetention = duration("outcomes.retention", t.outcomes().retention(), false);
        if (idempotencyRetention.compareTo(outcomesRetention) > 0) {
            // A retry answers the original's stored outcome: it must outlive the id, or a remembered id
            // would point at a forgotten outcome (202 for an event GET /events/{seq} calls unknown).
            problems.add("idempotency.retention", "must not exceed outcomes.retention ("
                    + t.outcomes().retention().text() + "), got " + t.idempotency().retention().text());
        }
        List<Integer> activeWindows = windowsDays("stats.active-windows", t.stats().activeWindows());
        List<Integer> expiringWindows = windowsDays("stats.expiring-windows", t.stats().expiringWindows());
        RulesConfig rules = rules(t.rules());
        return new EngineConfig(api, management, partitions, dataDir, journal, state, processor, clockAdjustable,
                idempotencyRetention, outcomesRetention, activeWindows, expiringWindows, rules, log, cluster);
    }

    // ---- kafka journal and cluster ----

    /**
     * The Kafka settings: checked whenever given (a typo should not wait for the day the kind is switched),
     * required only with {@code journal.kind: kafka}.
     */
    private EngineConfig.Kafka kafka(boolean used, ConfigTree.Kafka k) {
        String servers = k.bootstrapServers();
        if (servers == null) {
            missing("journal.kafka.bootstrap-servers");
        } else if (servers.isBlank()) {
            if (used) {
                problems.add("journal.kafka.bootstrap-servers", "needed with journal.kind kafka "
                        + "(host:port[,host:port...], e.g. 127.0.0.1:9092 for bin/engine dev-kafka)");
            }
            servers = null;
        } else {
            for (String server : servers.split(",", -1)) {
                if (!BOOTSTRAP_SERVER.matcher(server.trim()).matches() || !validPort(server.trim())) {
                    problems.add("journal.kafka.bootstrap-servers", "must be host:port[,host:port...] with ports "
                            + "1-65535, got '" + servers + "'");
                    break;
                }
            }
        }
        String topic = text("journal.kafka.topic", k.topic());
        if (topic != null && (!KAFKA_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals(".."))) {
            problems.add("journal.kafka.topic", "must be 1-249 of letters, digits, '.', '_', '-' (a Kafka topic "
                    + "name), got '" + topic + "'");
        }
        return new EngineConfig.Kafka(servers, topic);
    }

    private static boolean validPort(String server) {
        String digits = server.substring(server.lastIndexOf(':') + 1);
        return digits.length() <= 5 && Integer.parseInt(digits) >= 1 && Integer.parseInt(digits) <= 65535;
    }

    private EngineConfig.Cluster cluster(boolean kafka, ConfigTree.Cluster c) {
        String nodeId = c.nodeId();
        if (nodeId == null) {
            missing("cluster.node-id");
        } else if (nodeId.isEmpty()) {
            if (kafka) {
                problems.add("cluster.node-id", "needed with journal.kind kafka: names this node among the nodes "
                        + "sharing the topic (1-64 of letters, digits, '.', '_', '-')");
            }
            nodeId = null;
        } else if (!NODE_ID.matcher(nodeId).matches()) {
            problems.add("cluster.node-id", "must be 1-64 of letters, digits, '.', '_', '-', got '" + nodeId + "'");
        }
        String url = c.advertisedUrl();
        if (url == null) {
            missing("cluster.advertised-url");
        } else if (url.isEmpty()) {
            url = null;
        } else {
            url = advertisedUrl(url);
        }
        Duration session = duration("cluster.session-timeout", c.sessionTimeout(), false);
        Duration heartbeat = duration("cluster.heartbeat-interval", c.heartbeatInterval(), false);
        if (heartbeat.compareTo(session) >= 0) {
            problems.add("cluster.heartbeat-interval", "must be shorter than cluster.session-timeout ("
                    + session.toMillis() + " ms; a third or less), got " + heartbeat.toMillis() + " ms");
        }
        return new EngineConfig.Cluster(nodeId, url, session, heartbeat);
    }

    /** An absolute http(s) URL with a host and no path beyond "/" (other nodes append the API's paths). */
    private String advertisedUrl(String text) {
        String key = "cluster.advertised-url";
        try {
            java.net.URI uri = new java.net.URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && bare
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getUserInfo() == null) {
                return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        problems.add(key, "must be an http:// or https:// URL with a host and port only (how other nodes reach "
                + "this node's API, e.g. http://10.0.0.5:8080), got '" + text + "'");
        return null;
    }

    // ---- api ----

    private List<ApiKey> apiKeys(List<ConfigTree.ApiKey> items) {
        String key = "api.keys";
        if (items == null) {
            missing(key);
            return List.of();
        }
        if (items.isEmpty()) {
            problems.add(key, "at least one API key is needed");
        }
        List<ApiKey> keys = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> secrets = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String at = key + "[" + i + "]";
            ConfigTree.ApiKey item = items.get(i);
            String name = text(at + ".name", item.name());
            String digest = keyDigest(at, item);
            Integer sameName = name == null ? null : names.putIfAbsent(name, i);
            if (sameName != null) {
                problems.add(at + ".name", "duplicates the name of " + key + "[" + sameName + "] ('" + name + "')");
            }
            Integer sameSecret = digest == null ? null : secrets.putIfAbsent(digest, i);
            if (sameSecret != null) {
                problems.add(at + ".key", "duplicates the key of " + key + "[" + sameSecret + "]");
            }
            String hmacSecret = item.hmacSecret() == null ? null : text(at + ".hmac-secret", item.hmacSecret());
            if (hmacSecret != null && hmacSecret.length() < 16) {
                problems.add(at + ".hmac-secret", "must be at least 16 characters");
            }
            double rate = 0;
            if (item.rateLimit() != null && item.rateLimit().signum() <= 0) {
                problems.add(at + ".rate-limit", "must be above 0 requests per second (leave it out for no limit)");
            } else if (item.rateLimit() != null) {
                rate = item.rateLimit().doubleValue();
            }
            int burst = item.burst() != null ? (int) whole(at + ".burst", item.burst(), 1, 1_000_000)
                    : rate > 0 ? (int) Math.max(1, Math.ceil(rate)) : 0;
            keys.add(new ApiKey(name, digest, scopes(at + ".scopes", item.scopes()), hmacSecret, rate, burst));
        }
        return List.copyOf(keys);
    }

    /**
     * The SHA-256 (hex) of a key given either as {@code key-sha256} (preferred: the secret is never at rest
     * in the file) or as {@code key} (hashed here, never kept); exactly one of them.
     */
    private String keyDigest(String at, ConfigTree.ApiKey item) {
        boolean plain = item.key() != null || problems.refused(at + ".key");
        boolean hashed = item.keySha256() != null || problems.refused(at + ".key-sha256");
        if (plain == hashed) {
            problems.add(at + ".key", "give exactly one of key or key-sha256 (printf %s KEY | sha256sum)");
            return null;
        }
        if (hashed) {
            String hex = text(at + ".key-sha256", item.keySha256());
            if (hex != null && !hex.matches("[0-9a-fA-F]{64}")) {
                problems.add(at + ".key-sha256", "must be 64 hex digits (the SHA-256 of the key)");
                return null;
            }
            return hex == null ? null : hex.toLowerCase(Locale.ROOT);
        }
        String secret = text(at + ".key", item.key());
        if (secret != null && !secret.chars().allMatch(c -> c > ' ' && c < 127)) {
            problems.add(at + ".key", "must be printable ASCII without spaces (it travels in an HTTP header)");
        }
        return secret == null ? null : ApiKey.sha256Hex(secret);
    }

    private Set<Scope> scopes(String key, List<String> items) {
        List<String> names = texts(key, items);
        if (names == null) {
            return Set.of();
        }
        if (names.isEmpty()) {
            problems.add(key, "at least one scope is needed (ingest, read, admin)");
        }
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : names) {
            try {
                scopes.add(Scope.valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add(key, "unknown scope '" + name + "', expected ingest, read or admin");
            }
        }
        return Collections.unmodifiableSet(scopes);
    }

    private EngineConfig.Tls tls(ConfigTree.Tls tls) {
        if (!required("api.tls.enabled", tls.enabled(), false)) {
            return new EngineConfig.Tls(false, null, null);
        }
        return new EngineConfig.Tls(true, readableFile("api.tls.cert", tls.cert()), readableFile("api.tls.key", tls.key()));
    }

    private Path readableFile(String key, String value) {
        String text = text(key, value);
        if (text == null) {
            return null;
        }
        Path p = Path.of(text);
        if (!Files.isReadable(p)) {
            problems.add(key, "no readable file at " + text);
        }
        return p;
    }

    // ---- storage, logging, statistics ----

    private Path path(String key, String value) {
        String text = text(key, value);
        try {
            return Path.of(text == null ? "." : text);
        } catch (InvalidPathException e) {
            problems.add(key, "not a usable path: " + e.getMessage());
            return Path.of(".");
        }
    }

    private String logLevel(String value) {
        String text = text("log.level", value);
        String level = text == null ? "info" : text.toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            problems.add("log.level", "must be one of " + String.join(", ", LOG_LEVELS) + ", got '" + text + "'");
            return "info";
        }
        return level;
    }

    /** A list of distinct whole-day windows (statistics per window in GET /stats). */
    private List<Integer> windowsDays(String key, List<Long> items) {
        if (items == null) {
            missing(key);
            return List.of();
        }
        List<Integer> windows = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Long days = items.get(i);
            if (days == null) {
                missing(key, key + "[" + i + "]");
            } else if (days < 1 || days > MAX_DAYS) {
                problems.add(key, "each window must be 1.." + MAX_DAYS + " days, got " + days);
            } else if (windows.contains(days.intValue())) {
                problems.add(key, "window " + days + " is listed twice");
            } else {
                windows.add(days.intValue());
            }
        }
        return List.copyOf(windows);
    }

    // ---- rules ----

    private RulesConfig rules(ConfigTree.Rules r) {
        List<AccountRules> accounts = accounts(r.accounts());
        Set<String> accountNames = new LinkedHashSet<>();
        accounts.forEach(a -> accountNames.add(a.name()));
        String defaultAccount = accountRef("rules.default-account", r.defaultAccount(), accountNames);
        int maxBackdateDays = wholeDays("rules.max-backdate", r.maxBackdate(), 0);
        int maxFutureSeconds = wholeSeconds("rules.max-future", r.maxFuture());
        BigDecimal earnRate = required("rules.earn.rate", r.earn().rate(), BigDecimal.ZERO);
        if (earnRate.signum() < 0) {
            problems.add("rules.earn.rate", "must be 0 or more, got " + earnRate.toPlainString());
        }
        int pendingDays = (int) whole("rules.earn.pending-days", r.earn().pendingDays(), 0, MAX_DAYS);
        ConfigTree.Tiers t = r.tiers();
        RulesConfig.TierRules tiers = new RulesConfig.TierRules(
                accountRef("rules.tiers.qualifying-account", t.qualifyingAccount(), accountNames),
                wholeDays("rules.tiers.window", t.window(), 1), wholeDays("rules.tiers.validity", t.validity(), 1),
                tierLevels(t.levels()));
        return new RulesConfig(defaultAccount, accounts, maxBackdateDays, maxFutureSeconds, earnRate, pendingDays,
                tiers, activityActions(r.activityActions()), customActions(r.customActions(), accountNames, defaultAccount));
    }

    private List<AccountRules> accounts(Map<String, ConfigTree.Account> entries) {
        String key = "rules.accounts";
        if (entries == null || entries.isEmpty()) {
            problems.add(key, "at least one account is needed");
            return List.of();
        }
        List<AccountRules> accounts = new ArrayList<>();
        entries.forEach((name, account) -> {
            String prefix = key + "." + name + ".expiry";
            ConfigTree.Expiry expiry = account == null ? null : account.expiry();
            if (expiry == null) {
                missing(prefix);
                return;
            }
            MonthDay calendarDay = monthDay(prefix + ".calendar-day", expiry.calendarDay());
            accounts.add(new AccountRules(name, required(prefix + ".policy", expiry.policy(), ExpiryPolicy.NONE),
                    (int) whole(prefix + ".days", expiry.days(), 1, MAX_DAYS),
                    calendarDay.getMonthValue(), calendarDay.getDayOfMonth()));
        });
        return List.copyOf(accounts);
    }

    private List<Tier> tierLevels(List<ConfigTree.Level> items) {
        String key = "rules.tiers.levels";
        if (items == null) {
            missing(key);
            return List.of();
        }
        if (items.isEmpty()) {
            problems.add(key, "at least one level is needed (the first with threshold 0)");
        }
        List<Tier> levels = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Long previous = null;
        for (int i = 0; i < items.size(); i++) {
            String at = key + "[" + i + "]";
            ConfigTree.Level item = items.get(i);
            String name = text(at + ".name", item.name());
            if (name != null && !names.add(name)) {
                problems.add(at + ".name", "level '" + name + "' is listed twice");
            }
            Long threshold = required(at + ".threshold", item.threshold(), null);
            if (threshold != null) {
                if (i == 0 && threshold != 0) {
                    problems.add(at + ".threshold", "the first level must have threshold 0, got " + threshold);
                } else if (previous != null && threshold <= previous) {
                    problems.add(at + ".threshold",
                            "thresholds must ascend: must be above " + previous + ", got " + threshold);
                }
                previous = threshold;
            }
            BigDecimal multiplier = required(at + ".multiplier", item.multiplier(), BigDecimal.ONE);
            if (multiplier.signum() <= 0) {
                problems.add(at + ".multiplier", "must be above 0, got " + multiplier.toPlainString());
            }
            levels.add(new Tier(name, threshold == null ? 0 : threshold, multiplier));
        }
        return List.copyOf(levels);
    }

    private List<String> activityActions(List<String> items) {
        String key = "rules.activity-actions";
        List<String> names = texts(key, items);
        List<String> actions = new ArrayList<>();
        for (String name : names == null ? List.<String>of() : names) {
            if (!ConfigSchema.BUILT_IN_ACTIONS.contains(name)) {
                problems.add(key, "'" + name + "' is not a built-in action (custom actions always count as activity)");
            } else if (actions.contains(name)) {
                problems.add(key, "'" + name + "' is listed twice");
            } else {
                actions.add(name);
            }
        }
        return List.copyOf(actions);
    }

    private List<CustomAction> customActions(Map<String, ConfigTree.CustomAction> entries, Set<String> accountNames,
                                             String defaultAccount) {
        List<CustomAction> actions = new ArrayList<>();
        (entries == null ? Map.<String, ConfigTree.CustomAction>of() : entries).forEach((name, action) -> {
            String prefix = "rules.custom-actions." + name;
            if (ConfigSchema.BUILT_IN_ACTIONS.contains(name)) {
                problems.add(prefix, "'" + name + "' is a built-in action; choose another name");
            }
            if (action == null) {
                missing(prefix + ".points");
                return;
            }
            long points = whole(prefix + ".points", action.points(), 1, Long.MAX_VALUE);
            boolean accountGiven = action.account() != null || problems.refused(prefix + ".account");
            String account = accountGiven ? accountRef(prefix + ".account", action.account(), accountNames)
                    : defaultAccount;
            actions.add(new CustomAction(name, points, account, required(prefix + ".once", action.once(), false)));
        });
        return List.copyOf(actions);
    }

    private String accountRef(String key, String value, Set<String> accountNames) {
        String name = text(key, value);
        if (name != null && !accountNames.isEmpty() && !accountNames.contains(name)) {
            problems.add(key, "no account '" + name + "' in rules.accounts " + accountNames);
        }
        return name;
    }

    private MonthDay monthDay(String key, String value) {
        MonthDay fallback = MonthDay.of(12, 31);
        String text = text(key, value);
        if (text == null) {
            return fallback;
        }
        Matcher m = MONTH_DAY.matcher(text);
        try {
            if (m.matches()) {
                MonthDay day = MonthDay.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                if (!day.equals(MonthDay.of(2, 29))) {
                    return day;
                }
            }
        } catch (DateTimeException e) {
            // reported below
        }
        problems.add(key, "must be a day that exists every year, written MM-DD (e.g. 12-31), got '" + text + "'");
        return fallback;
    }

    // ---- values by kind; on a problem each returns a stand-in (the result is then thrown away) ----

    private int port(String key, Long value) {
        return (int) whole(key, value, 1, 65_535);
    }

    private long whole(String key, Long value, long min, long max) {
        if (value == null) {
            missing(key);
            return min;
        }
        if (value < min || value > max) {
            String range = max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "at least " + min : min + ".." + max;
            problems.add(key, "must be " + range + ", got " + value);
            return min;
        }
        return value;
    }

    /** A duration longer than 0, or (for retention) also 0. */
    private Duration duration(String key, TimeSpan span, boolean zeroAllowed) {
        Duration fallback = zeroAllowed ? Duration.ZERO : Duration.ofSeconds(1);
        if (required(key, span, null) == null) {
            return fallback;
        }
        if (span.duration().isZero() && !zeroAllowed) {
            problems.add(key, "must be longer than 0, got " + span.text());
            return fallback;
        }
        return span.duration();
    }

    /** A size of at least {@code min} bytes: 1, or (for retention) 0. */
    private long bytes(String key, ByteSize size, long min) {
        if (required(key, size, null) == null) {
            return min;
        }
        if (size.bytes() < min) {
            problems.add(key, (min > 0 ? "must be more than 0 bytes, got " : "must be 0 or more bytes, got ")
                    + size.text());
            return min;
        }
        return size.bytes();
    }

    private int wholeDays(String key, TimeSpan span, int min) {
        if (required(key, span, null) == null) {
            return min;
        }
        Duration d = span.duration();
        if (d.toDaysPart() * 86_400_000L != d.toMillis() || d.toDays() < min || d.toDays() > MAX_DAYS) {
            problems.add(key, "must be whole days " + min + ".." + MAX_DAYS + " (e.g. 365d), got " + span.text());
            return min;
        }
        return (int) d.toDays();
    }

    private int wholeSeconds(String key, TimeSpan span) {
        if (required(key, span, null) == null) {
            return 0;
        }
        Duration d = span.duration();
        if (d.toMillisPart() != 0 || d.getSeconds() > Integer.MAX_VALUE) {
            problems.add(key, "must be whole seconds (e.g. 5m, 300s), got " + span.text());
            return 0;
        }
        return (int) d.getSeconds();
    }

    /** A text that must be given and not blank, or null (reported). */
    private String text(String key, String value) {
        return text(key, key, value);
    }

    private String text(String key, String path, String value) {
        if (value == null) {
            missing(key, path);
            return null;
        }
        if (value.isEmpty()) {
            problems.add(key, "must not be empty");
            return null;
        }
        return value;
    }

    /** The non-blank texts of a list (the blank ones reported), or null when the list itself is absent. */
    private List<String> texts(String key, List<String> items) {
        if (items == null) {
            missing(key);
            return null;
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String text = text(key, key + "[" + i + "]", items.get(i));
            if (text != null) {
                texts.add(text);
            }
        }
        return texts;
    }

    private <T> T required(String key, T value, T fallback) {
        if (value == null) {
            missing(key);
            return fallback;
        }
        return value;
    }

    private void missing(String key) {
        missing(key, key);
    }

    /** Reports an absent value, unless binding already refused what was there. */
    private void missing(String key, String path) {
        if (!problems.refused(path)) {
            problems.add(key, "missing");
        }
    }
}
