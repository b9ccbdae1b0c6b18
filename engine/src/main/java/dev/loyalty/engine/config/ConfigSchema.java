package dev.loyalty.engine.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every configuration key and its type: the one place that says which dotted keys exist. Keys inside an
 * open map (accounts, custom actions: entries named by the user) are written with {@code *} for the name.
 */
final class ConfigSchema {

    /** The type of a leaf; values written as text (environment, command line) are converted by it. */
    enum Type { INT, LONG, DECIMAL, BOOLEAN, STRING, DURATION, SIZE, INT_LIST, STRING_LIST, OBJECT_LIST }

    /** One field of the maps in an {@link Type#OBJECT_LIST}; the order is that of the compact text form. */
    record Field(String name, Type type) {
    }

    static final String ACCOUNTS = "rules.accounts";
    static final String CUSTOM_ACTIONS = "rules.custom-actions";

    /** Names of accounts and custom actions: they become JSON keys and parts of dotted keys. */
    static final Pattern ENTRY_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

    /** Built-in actions (loyalty-rules.md, Actions); custom actions may not take these names. */
    static final Set<String> BUILT_IN_ACTIONS = Set.of(
            "opt_in", "opt_out", "profile", "point_add", "point_sub", "point_spend", "point_unspend",
            "checkout", "checkout_accept", "checkout_reject", "refund", "partial_refund",
            "reserve_points", "release_points");

    static final Map<String, Type> LEAVES = leaves();

    /** Fields an item of a compact object list must give (the rest may be left off the end or empty). */
    static final Map<String, Integer> REQUIRED_COMPACT_FIELDS = Map.of("api.keys", 3, "rules.tiers.levels", 3);

    /** Fields of the maps held by the object-list leaves. */
    static final Map<String, List<Field>> OBJECT_FIELDS = Map.of(
            "api.keys", List.of(
                    new Field("name", Type.STRING), new Field("key", Type.STRING),
                    new Field("scopes", Type.STRING_LIST), new Field("key-sha256", Type.STRING),
                    new Field("hmac-secret", Type.STRING), new Field("rate-limit", Type.DECIMAL),
                    new Field("burst", Type.INT)),
            "rules.tiers.levels", List.of(
                    new Field("name", Type.STRING), new Field("threshold", Type.LONG),
                    new Field("multiplier", Type.DECIMAL)));

    private ConfigSchema() {
    }

    private static Map<String, Type> leaves() {
        Map<String, Type> m = new LinkedHashMap<>();
        m.put("api.host", Type.STRING);
        m.put("api.port", Type.INT);
        m.put("api.max-body", Type.SIZE);
        m.put("api.bulk-max", Type.INT);
        m.put("api.sync-timeout", Type.DURATION);
        m.put("api.max-in-flight", Type.INT);
        m.put("api.max-lag", Type.LONG);
        m.put("api.keys", Type.OBJECT_LIST);
        m.put("api.tls.enabled", Type.BOOLEAN);
        m.put("api.tls.cert", Type.STRING);
        m.put("api.tls.key", Type.STRING);
        m.put("management.host", Type.STRING);
        m.put("management.port", Type.INT);
        m.put("partitions", Type.INT);
        m.put("data-dir", Type.STRING);
        m.put("journal.sync", Type.STRING);
        m.put("journal.heartbeat", Type.DURATION);
        m.put("journal.min-free", Type.SIZE);
        m.put("journal.retention", Type.DURATION);
        m.put("journal.retention-size", Type.SIZE);
        m.put("log.format", Type.STRING);
        m.put("log.level", Type.STRING);
        m.put("state.wal", Type.BOOLEAN);
        m.put("state.block-cache", Type.SIZE);
        m.put("state.cache-customers", Type.INT);
        m.put("state.flush-interval", Type.DURATION);
        m.put("processor.batch-max", Type.INT);
        m.put("clock.adjustable", Type.BOOLEAN);
        m.put("idempotency.retention", Type.DURATION);
        m.put("outcomes.retention", Type.DURATION);
        m.put("stats.active-windows", Type.INT_LIST);
        m.put("stats.expiring-windows", Type.INT_LIST);
        m.put("rules.default-account", Type.STRING);
        m.put(ACCOUNTS + ".*.expiry.policy", Type.STRING);
        m.put(ACCOUNTS + ".*.expiry.days", Type.INT);
        m.put(ACCOUNTS + ".*.expiry.calendar-day", Type.STRING);
        m.put("rules.max-backdate", Type.DURATION);
        m.put("rules.max-future", Type.DURATION);
        m.put("rules.earn.rate", Type.DECIMAL);
        m.put("rules.earn.pending-days", Type.INT);
        m.put("rules.tiers.qualifying-account", Type.STRING);
        m.put("rules.tiers.window", Type.DURATION);
        m.put("rules.tiers.validity", Type.DURATION);
        m.put("rules.tiers.levels", Type.OBJECT_LIST);
        m.put("rules.activity-actions", Type.STRING_LIST);
        m.put(CUSTOM_ACTIONS + ".*.points", Type.LONG);
        m.put(CUSTOM_ACTIONS + ".*.account", Type.STRING);
        m.put(CUSTOM_ACTIONS + ".*.once", Type.BOOLEAN);
        return Map.copyOf(m);
    }

    /** Whether the children of this path are named by the user (accounts, custom actions). */
    static boolean isOpenMap(String path) {
        return ACCOUNTS.equals(path) || CUSTOM_ACTIONS.equals(path);
    }

    /** The schema form of a concrete path: the entry name below an open map replaced by {@code *}. */
    static String pattern(String path) {
        for (String open : List.of(ACCOUNTS, CUSTOM_ACTIONS)) {
            if (path.startsWith(open + ".")) {
                String rest = path.substring(open.length() + 1);
                int dot = rest.indexOf('.');
                return open + ".*" + (dot < 0 ? "" : rest.substring(dot));
            }
        }
        return path;
    }

    /** The leaf type of a concrete path, or null when the path is not a leaf. */
    static Type leafType(String path) {
        return LEAVES.get(pattern(path));
    }

    /** Whether a concrete path is a map holding further keys (the root is ""). */
    static boolean isBranch(String path) {
        if (path.isEmpty() || isOpenMap(path)) {
            return true;
        }
        String prefix = pattern(path) + ".";
        for (String leaf : LEAVES.keySet()) {
            if (leaf.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a new entry of an open map starts from before the user's values are merged in; fields absent
     * here and from the entry are reported missing (custom-action points) or resolved later (account).
     */
    static ObjectNode entryTemplate(String openMap) {
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        if (ACCOUNTS.equals(openMap)) {
            entry.putObject("expiry").put("policy", "rolling").put("days", 365).put("calendar-day", "12-31");
        } else {
            entry.put("once", false);
        }
        return entry;
    }
}
