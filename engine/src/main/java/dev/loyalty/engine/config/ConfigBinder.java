package dev.loyalty.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loyalty.engine.config.ConfigSchema.Field;
import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.config.RulesConfig.CustomAction;
import dev.loyalty.engine.config.RulesConfig.Tier;
import java.math.BigDecimal;
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
 * Turns the merged configuration tree into a validated {@link EngineConfig}. Values may be typed YAML
 * values or text (from the environment or the command line); both are converted by the key's type. Every
 * problem is collected, each naming its key (and where the value came from, when not from the defaults),
 * and thrown together at the end.
 */
final class ConfigBinder {
    private static final int MAX_DAYS = 36_500;
    private static final int MAX_PARTITIONS = 1024;
    private static final Pattern MONTH_DAY = Pattern.compile("(\\d{2})-(\\d{2})");

    private final ObjectNode root;
    private final Map<String, String> origins;
    private final List<String> problems = new ArrayList<>();

    ConfigBinder(ObjectNode root, Map<String, String> origins) {
        this.root = root;
        this.origins = origins;
    }

    EngineConfig bind() {
        int problemsBeforePorts = problems.size();
        EngineConfig.Api api = new EngineConfig.Api(
                nonBlank("api.host"),
                port("api.port"),
                positiveSize("api.max-body"),
                intIn("api.bulk-max", 1, Integer.MAX_VALUE),
                positiveDuration("api.sync-timeout"),
                intIn("api.max-in-flight", 1, Integer.MAX_VALUE),
                longIn("api.max-lag", 1, Long.MAX_VALUE),
                apiKeys(),
                tls());
        EngineConfig.Management management = new EngineConfig.Management(
                nonBlank("management.host"), port("management.port"));
        if (problems.size() == problemsBeforePorts && api.port() == management.port()) {
            problem("management.port", "must differ from api.port, both are " + api.port());
        }
        int partitions = intIn("partitions", 0, MAX_PARTITIONS);
        if (partitions == 0) {
            partitions = Math.min(Runtime.getRuntime().availableProcessors(), MAX_PARTITIONS);
        }
        Path dataDir = path("data-dir");
        EngineConfig.Journal journal = new EngineConfig.Journal(
                enumValue("journal.sync", EngineConfig.SyncMode.class, EngineConfig.SyncMode.NONE),
                positiveDuration("journal.heartbeat"),
                positiveSize("journal.min-free"),

                nonNegativeDuration("journal.retention"),
                nonNegativeSize("journal.retention-size"));
        EngineConfig.Log log = new EngineConfig.Log(
                enumValue("log.format", EngineConfig.LogFormat.class, EngineConfig.LogFormat.TEXT),
                logLevel("log.level"));
        EngineConfig.State state = new EngineConfig.State(
                bool("state.wal"),
                positiveSize("state.block-cache"),
                intIn("state.cache-customers", 0, Integer.MAX_VALUE),
                positiveDuration("state.flush-interval"));
        EngineConfig.Processor processor = new EngineConfig.Processor(intIn("processor.batch-max", 1, Integer.MAX_VALUE));
        boolean clockAdjustable = bool("clock.adjustable");
        Duration idempotencyRetention = positiveDuration("idempotency.retention");
        Duration outcomesRetention = positiveDuration("outcomes.retention");
        if (idempotencyRetention.compareTo(outcomesRetention) > 0) {
            // A retry answers the original's stored outcome: it must outlive the id, or a remembered id
            // would point at a forgotten outcome (202 for an event GET /events/{seq} calls unknown).
            problem("idempotency.retention", "must not exceed outcomes.retention (" + shown("outcomes.retention")
                    + "), got " + shown("idempotency.retention"));
        }
        List<Integer> activeWindows = windowsDays("stats.active-windows");
        List<Integer> expiringWindows = windowsDays("stats.expiring-windows");
        RulesConfig rules = rules();

        ConfigLoader.throwIfAny(problems);
        return new EngineConfig(api, management, partitions, dataDir, journal, state, processor, clockAdjustable,
                idempotencyRetention, outcomesRetention, activeWindows, expiringWindows, rules, log);
    }

    // ---- composite values ----

    private List<ApiKey> apiKeys() {
        String key = "api.keys";
        List<ObjectNode> items = objects(key);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            problem(key, "at least one API key is needed");
        }
        List<ApiKey> keys = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> secrets = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String at = key + "[" + i + "]";
            ObjectNode item = items.get(i);
            String name = nonBlank(at + ".name", item.get("name"));
            String digest = keyDigest(at, item);
            Integer sameName = name == null ? null : names.putIfAbsent(name, i);
            if (sameName != null) {
                problem(at + ".name", "duplicates the name of " + key + "[" + sameName + "] ('" + name + "')");
            }
            Integer sameSecret = digest == null ? null : secrets.putIfAbsent(digest, i);
            if (sameSecret != null) {
                problem(at + ".key", "duplicates the key of " + key + "[" + sameSecret + "]");
            }
            String hmacSecret = null;
            if (item.hasNonNull("hmac-secret")) {
                hmacSecret = nonBlank(at + ".hmac-secret", item.get("hmac-secret"));
                if (hmacSecret != null && hmacSecret.length() < 16) {
                    problem(at + ".hmac-secret", "must be at least 16 characters");
                }
            }
            double rate = 0;
            if (item.hasNonNull("rate-limit")) {
                BigDecimal r = decimal(at + ".rate-limit", item.get("rate-limit"));
                if (r != null && r.signum() <= 0) {
                    problem(at + ".rate-limit", "must be above 0 requests per second (leave it out for no limit)");
                } else if (r != null) {
                    rate = r.doubleValue();
                }
            }
            int burst = rate > 0 ? (int) Math.max(1, Math.ceil(rate)) : 0;
            if (item.hasNonNull("burst")) {
                Long b = whole(at + ".burst", item.get("burst"));
                if (b != null && (b < 1 || b > 1_000_000)) {
                    problem(at + ".burst", "must be 1..1000000, got " + b);
                } else if (b != null) {
                    burst = b.intValue();
                }
            }
            keys.add(new ApiKey(name, digest, scopes(at + ".scopes", item.get("scopes")), hmacSecret, rate, burst));
        }
        return List.copyOf(keys);
    }

    /**
     * The SHA-256 (hex) of a key given either as {@code key-sha256} (preferred: the secret is never at rest
     * in the file) or as {@code key} (hashed here, never kept); exactly one of them.
     */
    private String keyDigest(String at, ObjectNode item) {
        boolean plain = item.hasNonNull("key");
        boolean hashed = item.hasNonNull("key-sha256");
        if (plain == hashed) {
            problem(at + ".key", "give exactly one of key or key-sha256 (printf %s KEY | sha256sum)");
            return null;
        }
        if (hashed) {
            String hex = nonBlank(at + ".key-sha256", item.get("key-sha256"));
            if (hex != null && !hex.matches("[0-9a-fA-F]{64}")) {
                problem(at + ".key-sha256", "must be 64 hex digits (the SHA-256 of the key)");
                return null;
            }
            return hex == null ? null : hex.toLowerCase(Locale.ROOT);
        }
        String secret = nonBlank(at + ".key", item.get("key"));
        if (secret != null && !secret.chars().allMatch(c -> c > ' ' && c < 127)) {
            problem(at + ".key", "must be printable ASCII without spaces (it travels in an HTTP header)");
        }
        return secret == null ? null : ApiKey.sha256Hex(secret);
    }

    private EngineConfig.Tls tls() {
        if (!bool("api.tls.enabled")) {
            return new EngineConfig.Tls(false, null, null);
        }
        Path cert = readableFile("api.tls.cert");
        Path key = readableFile("api.tls.key");
        return new EngineConfig.Tls(true, cert, key);
    }

    private Path readableFile(String key) {
        String text = nonBlank(key, at(key));
        if (text == null) {
            return null;
        }
        Path p = Path.of(text);
        if (!java.nio.file.Files.isReadable(p)) {
            problem(key, "no readable file at " + text);
        }
        return p;
    }

    private Set<Scope> scopes(String key, JsonNode node) {
        List<String> names = strings(key, node);
        if (names == null) {
            return Set.of();
        }
        if (names.isEmpty()) {
            problem(key, "at least one scope is needed (ingest, read, admin)");
        }
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : names) {
            try {
                scopes.add(Scope.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problem(key, "unknown scope '" + name + "', expected ingest, read or admin");
            }
        }
        return Collections.unmodifiableSet(scopes);
    }

    /** A list of distinct whole-day windows (statistics per window in GET /stats). */
    private List<Integer> windowsDays(String key) {
        List<JsonNode> items = list(key, at(key));
        if (items == null) {
            return List.of();
        }
        List<Integer> windows = new ArrayList<>();
        for (JsonNode item : items) {
            Long days = whole(key, item);
            if (days == null) {
                continue;
            }
            if (days < 1 || days > MAX_DAYS) {
                problem(key, "each window must be 1.." + MAX_DAYS + " days, got " + days);
            } else if (windows.contains(days.intValue())) {
                problem(key, "window " + days + " is listed twice");
            } else {
                windows.add(days.intValue());
            }
        }
        return List.copyOf(windows);
    }

    private RulesConfig rules() {
        List<AccountRules> accounts = accounts();
        Set<String> accountNames = new LinkedHashSet<>();
        accounts.forEach(a -> accountNames.add(a.name()));
        String defaultAccount = accountRef("rules.default-account", at("rules.default-account"), accountNames);
        int maxBackdateDays = wholeDays("rules.max-backdate", 0);
        int maxFutureSeconds = wholeSeconds("rules.max-future");
        BigDecimal earnRate = decimal("rules.earn.rate", at("rules.earn.rate"));
        if (earnRate != null && earnRate.signum() < 0) {
            problem("rules.earn.rate", "must be 0 or more, got " + earnRate.toPlainString());
        }
        int pendingDays = intIn("rules.earn.pending-days", 0, MAX_DAYS);
        RulesConfig.TierRules tiers = new RulesConfig.TierRules(
                accountRef("rules.tiers.qualifying-account", at("rules.tiers.qualifying-account"), accountNames),
                wholeDays("rules.tiers.window", 1),
                wholeDays("rules.tiers.validity", 1),
                tierLevels());
        return new RulesConfig(defaultAccount, accounts, maxBackdateDays, maxFutureSeconds,
                earnRate == null ? BigDecimal.ZERO : earnRate, pendingDays, tiers, activityActions(),
                customActions(accountNames, defaultAccount));
    }

    private List<AccountRules> accounts() {
        JsonNode map = at(ConfigSchema.ACCOUNTS);
        if (!(map instanceof ObjectNode entries) || entries.isEmpty()) {
            problem(ConfigSchema.ACCOUNTS, "at least one account is needed");
            return List.of();
        }
        List<AccountRules> accounts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : entries.properties()) {
            String name = entry.getKey();
            String prefix = ConfigSchema.ACCOUNTS + "." + name + ".expiry.";
            ExpiryPolicy policy = enumValue(prefix + "policy", ExpiryPolicy.class, ExpiryPolicy.NONE);
            int days = intIn(prefix + "days", 1, MAX_DAYS);
            MonthDay calendarDay = monthDay(prefix + "calendar-day");
            accounts.add(new AccountRules(name, policy, days, calendarDay.getMonthValue(), calendarDay.getDayOfMonth()));
        }
        return List.copyOf(accounts);
    }

    private List<Tier> tierLevels() {
        String key = "rules.tiers.levels";
        List<ObjectNode> items = objects(key);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            problem(key, "at least one level is needed (the first with threshold 0)");
        }
        List<Tier> levels = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Long previous = null;
        for (int i = 0; i < items.size(); i++) {
            String at = key + "[" + i + "]";
            ObjectNode item = items.get(i);
            String name = nonBlank(at + ".name", item.get("name"));
            if (name != null && !names.add(name)) {
                problem(at + ".name", "level '" + name + "' is listed twice");
            }
            Long threshold = whole(at + ".threshold", item.get("threshold"));
            if (threshold != null) {
                if (i == 0 && threshold != 0) {
                    problem(at + ".threshold", "the first level must have threshold 0, got " + threshold);
                } else if (previous != null && threshold <= previous) {
                    problem(at + ".threshold", "thresholds must ascend: must be above " + previous + ", got " + threshold);
                }
                previous = threshold;
            }
            BigDecimal multiplier = decimal(at + ".multiplier", item.get("multiplier"));
            if (multiplier != null && multiplier.signum() <= 0) {
                problem(at + ".multiplier", "must be above 0, got " + multiplier.toPlainString());
            }
            levels.add(new Tier(name, threshold == null ? 0 : threshold, multiplier == null ? BigDecimal.ONE : multiplier));
        }
        return List.copyOf(levels);
    }

    private List<String> activityActions() {
        String key = "rules.activity-actions";
        List<String> names = strings(key, at(key));
        if (names == null) {
            return List.of();
        }
        List<String> actions = new ArrayList<>();
        for (String name : names) {
            if (!ConfigSchema.BUILT_IN_ACTIONS.contains(name)) {
                problem(key, "'" + name + "' is not a built-in action (custom actions always count as activity)");
            } else if (actions.contains(name)) {
                problem(key, "'" + name + "' is listed twice");
            } else {
                actions.add(name);
            }
        }
        return List.copyOf(actions);
    }

    private List<CustomAction> customActions(Set<String> accountNames, String defaultAccount) {
        JsonNode map = at(ConfigSchema.CUSTOM_ACTIONS);
        if (!(map instanceof ObjectNode entries)) {
            return List.of();
        }
        List<CustomAction> actions = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : entries.properties()) {
            String name = entry.getKey();
            String prefix = ConfigSchema.CUSTOM_ACTIONS + "." + name;
            if (ConfigSchema.BUILT_IN_ACTIONS.contains(name)) {
                problem(prefix, "'" + name + "' is a built-in action; choose another name");
            }
            long points = longIn(prefix + ".points", 1, Long.MAX_VALUE);
            JsonNode accountNode = entry.getValue().get("account");
            String account = accountNode == null ? defaultAccount : accountRef(prefix + ".account", accountNode, accountNames);
            actions.add(new CustomAction(name, points, account, bool(prefix + ".once")));
        }
        return List.copyOf(actions);
    }

    private String accountRef(String key, JsonNode node, Set<String> accountNames) {
        String name = nonBlank(key, node);
        if (name != null && !accountNames.isEmpty() && !accountNames.contains(name)) {
            problem(key, "no account '" + name + "' in rules.accounts " + accountNames);
        }
        return name;
    }

    private MonthDay monthDay(String key) {
        MonthDay fallback = MonthDay.of(12, 31);
        String text = nonBlank(key, at(key));
        if (text == null) {
            return fallback;
        }
        Matcher m = MONTH_DAY.matcher(text.trim());
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
        problem(key, "must be a day that exists every year, written MM-DD (e.g. 12-31), got '" + text + "'");
        return fallback;
    }

    // ---- scalar values by key ----

    private int port(String key) {
        return intIn(key, 1, 65_535);
    }

    private int intIn(String key, int min, int max) {
        return (int) longIn(key, min, max);
    }

    private long longIn(String key, long min, long max) {
        Long value = whole(key, at(key));
        if (value == null) {
            return min;
        }
        if (value < min || value > max) {
            problem(key, "must be " + range(min, max) + ", got " + value);
            return min;
        }
        return value;
    }

    private boolean bool(String key) {
        JsonNode node = at(key);
        if (node == null) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            String text = node.textValue().trim().toLowerCase(Locale.ROOT);
            if (text.equals("true") || text.equals("false")) {
                return Boolean.parseBoolean(text);
            }
        }
        problem(key, "must be true or false, got " + show(node));
        return false;
    }

    private String nonBlank(String key) {
        String text = nonBlank(key, at(key));
        return text == null ? "" : text;
    }

    private String nonBlank(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            problem(key, "missing");
            return null;
        }
        if (node.isContainerNode()) {
            problem(key, "must be a single value, got " + show(node));
            return null;
        }
        String text = node.asText().trim();
        if (text.isEmpty()) {
            problem(key, "must not be empty");
            return null;
        }
        return text;
    }

    private <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback) {
        String text = nonBlank(key, at(key));
        if (text == null) {
            return fallback;
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT);
            if (name.equalsIgnoreCase(text)) {
                return constant;
            }
            allowed.add(name);
        }
        problem(key, "must be one of " + String.join(", ", allowed) + ", got '" + text + "'");
        return fallback;
    }

    private Path path(String key) {
        String text = nonBlank(key);
        try {
            return Path.of(text.isEmpty() ? "." : text);
        } catch (InvalidPathException e) {
            problem(key, "not a usable path: " + e.getMessage());
            return Path.of(".");
        }
    }

    private Duration duration(String key) {
        JsonNode node = at(key);
        if (node == null) {
            return null;
        }
        if (!node.isValueNode()) {
            problem(key, "must be a duration such as 250ms, 5s, 7d, got " + show(node));
            return null;
        }
        try {
            return Units.parseDuration(node.asText());
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return null;
        }
    }

    private Duration positiveDuration(String key) {
        Duration d = duration(key);
        if (d == null) {
            return Duration.ofSeconds(1);
        }
        if (d.isZero()) {
            problem(key, "must be longer than 0, got " + at(key).asText());
            return Duration.ofSeconds(1);
        }
        return d;
    }

    private Duration nonNegativeDuration(String key) {
        Duration d = duration(key);
        return d == null ? Duration.ZERO : d;
    }

    private static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");

    private String logLevel(String key) {
        String text = nonBlank(key, at(key));
        if (text == null) {
            return "info";
        }
        String level = text.toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            problem(key, "must be one of " + String.join(", ", LOG_LEVELS) + ", got '" + text + "'");
            return "info";
        }
        return level;
    }

    private int wholeDays(String key, int min) {
        Duration d = duration(key);
        if (d == null) {
            return min;
        }
        if (d.toDaysPart() * 86_400_000L != d.toMillis() || d.toDays() < min || d.toDays() > MAX_DAYS) {
            problem(key, "must be whole days " + range(min, MAX_DAYS) + " (e.g. 365d), got " + at(key).asText());
            return min;
        }
        return (int) d.toDays();
    }

    private int wholeSeconds(String key) {
        Duration d = duration(key);
        if (d == null) {
            return 0;
        }
        if (d.toMillisPart() != 0 || d.getSeconds() > Integer.MAX_VALUE) {
            problem(key, "must be whole seconds (e.g. 5m, 300s), got " + at(key).asText());
            return 0;
        }
        return (int) d.getSeconds();
    }

    private long nonNegativeSize(String key) {
        JsonNode node = at(key);
        if (node != null && (node.isIntegralNumber() && node.longValue() == 0
                || node.isTextual() && node.textValue().trim().equals("0"))) {
            return 0;
        }
        return positiveSize(key);
    }

    private long positiveSize(String key) {
        JsonNode node = at(key);
        if (node == null) {
            return 1;
        }
        long bytes;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            bytes = node.longValue();
        } else if (node.isTextual()) {
            try {
                bytes = Units.parseSize(node.textValue());
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage());
                return 1;
            }
        } else {
            problem(key, "must be a size such as 512KiB or 1MiB, got " + show(node));
            return 1;
        }
        if (bytes <= 0) {
            problem(key, "must be more than 0 bytes, got " + node.asText());
            return 1;
        }
        return bytes;
    }

    // ---- conversions of single nodes ----

    private Long whole(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            problem(key, "missing");
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.textValue().trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        problem(key, "must be a whole number, got " + show(node));
        return null;
    }

    private BigDecimal decimal(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            problem(key, "missing");
            return null;
        }
        try {
            BigDecimal value;
            if (node.isNumber()) {
                value = node.decimalValue();
            } else if (node.isTextual()) {
                value = new BigDecimal(node.textValue().trim());
            } else {
                throw new NumberFormatException();
            }
            // One canonical form (1.0 and 1 alike), since the rules are journaled and compared.
            value = value.stripTrailingZeros();
            return value.scale() < 0 ? value.setScale(0) : value;
        } catch (NumberFormatException e) {
            problem(key, "must be a decimal number, got " + show(node));
            return null;
        }
    }

    /** A list given as a YAML list, or as comma-separated text (environment, command line). */
    private List<JsonNode> list(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            problem(key, "missing");
            return null;
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else if (node.isTextual()) {
            for (String part : splitList(node.textValue(), ",")) {
                items.add(TextNode.valueOf(part));
            }
        } else {
            problem(key, "must be a list, got " + show(node));
            return null;
        }
        return items;
    }

    private List<String> strings(String key, JsonNode node) {
        List<JsonNode> items = list(key, node);
        if (items == null) {
            return null;
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode item : items) {
            String text = nonBlank(key, item);
            if (text != null) {
                strings.add(text);
            }
        }
        return strings;
    }

    /**
     * A list of maps: a YAML list, or compact text {@code a:b:c+d,e:f:g} with the fields in schema order,
     * list-valued fields joined by {@code +}. Values are never echoed (API keys are secrets).
     */
    private List<ObjectNode> objects(String key) {
        JsonNode node = at(key);
        List<Field> fields = ConfigSchema.OBJECT_FIELDS.get(key);
        if (node == null) {
            problem(key, "missing");
            return null;
        }
        List<ObjectNode> items = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode item : node) {
                items.add((ObjectNode) item);
            }
            return items;
        }
        if (!node.isTextual()) {
            problem(key, "must be a list");
            return null;
        }
        String form = String.join(":", fields.stream()
                .map(f -> f.type() == ConfigSchema.Type.STRING_LIST ? f.name() + "+..." : f.name()).toList());
        List<String> entries = splitList(node.textValue(), ",");
        int required = ConfigSchema.REQUIRED_COMPACT_FIELDS.getOrDefault(key, fields.size());
        for (int i = 0; i < entries.size(); i++) {
            String[] parts = entries.get(i).split(":", -1);
            if (parts.length < required || parts.length > fields.size()) {
                problem(key, "item " + (i + 1) + " must have the form " + form + " (items separated by commas;"
                        + " fields after the first " + required + " may be left off or empty), got "
                        + parts.length + " field(s)");
                continue;
            }
            ObjectNode item = JsonNodeFactory.instance.objectNode();
            for (int f = 0; f < parts.length; f++) {
                Field field = fields.get(f);
                if (parts[f].isBlank()) {
                    continue;
                }
                if (field.type() == ConfigSchema.Type.STRING_LIST) {
                    ArrayNode values = item.putArray(field.name());
                    splitList(parts[f], "+").forEach(values::add);
                } else {
                    item.put(field.name(), parts[f].trim());
                }
            }
            items.add(item);
        }
        return items;
    }

    private static List<String> splitList(String text, String separator) {
        List<String> parts = new ArrayList<>();
        if (text.isBlank()) {
            return parts;
        }
        for (String part : text.split(Pattern.quote(separator), -1)) {
            parts.add(part.trim());
        }
        return parts;
    }

    // ---- plumbing ----

    /** The node at a dotted key, or null (reported as missing by the caller's conversion). */
    private JsonNode at(String key) {
        JsonNode node = root;
        for (String part : key.split("\\.")) {
            node = node.get(part);
            if (node == null) {
                return null;
            }
        }
        return node.isNull() ? null : node;
    }

    /** The value of a key as written, for messages. */
    private String shown(String key) {
        JsonNode node = at(key);
        return node == null ? "unset" : node.asText();
    }

    private void problem(String key, String message) {
        int bracket = key.indexOf('[');
        String origin = origins.get(bracket < 0 ? key : key.substring(0, bracket));
        problems.add(key + ": " + message + (origin == null ? "" : " (" + origin + ")"));
    }

    private static String range(long min, long max) {
        if (max == Integer.MAX_VALUE || max == Long.MAX_VALUE) {
            return "at least " + min;
        }
        return min + ".." + max;
    }

    private static String show(JsonNode node) {
        return node.isTextual() ? "'" + node.textValue() + "'" : node.toString();
    }
}
