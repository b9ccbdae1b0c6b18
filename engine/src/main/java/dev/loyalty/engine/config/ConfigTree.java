package dev.loyalty.engine.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.loyalty.engine.config.Units.ByteSize;
import dev.loyalty.engine.config.Units.TimeSpan;
import java.lang.annotation.ElementType;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The configuration as written, mirroring {@code config/engine.yaml}: Jackson binds the merged tree into these
 * records (component {@code maxBody} is key {@code max-body}), and {@link ConfigSchema} reads the known keys off
 * them. Every value is nullable: null is a value that was absent or could not be converted (already reported);
 * {@link ConfigValidator} checks the values and builds the engine's view, {@link EngineConfig}.
 *
 * <p>Adding a key: a component here, its line in {@code config/engine.yaml}, its check in {@link ConfigValidator}.
 * A record nested here is a map of further keys; a {@code Map<String, record>} is an open map whose entries the
 * user names; a {@code List<record>} is a list of maps, written in the environment as colon-separated fields in
 * component order.
 */
record ConfigTree(Api api, Management management, Long partitions, String dataDir, Journal journal, Log log,
                  State state, Processor processor, Clock clock, Retention idempotency, Retention outcomes,
                  Stats stats, Rules rules, Cluster cluster) {

    /** On an item of a list of maps: how many leading fields its compact text form must give (else all). */
    @java.lang.annotation.Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface CompactFields {
        int required();
    }

    record Api(String host, Long port, ByteSize maxBody, Long bulkMax, TimeSpan syncTimeout, Long maxInFlight,
               Long maxLag, List<ApiKey> keys, Tls tls) {
    }

    @CompactFields(required = 3)
    record ApiKey(String name, String key, List<String> scopes, String keySha256, String hmacSecret,
                  BigDecimal rateLimit, Long burst) {
    }

    record Tls(Boolean enabled, String cert, String key) {
    }

    record Management(String host, Long port) {
    }

    record Journal(EngineConfig.JournalKind kind, EngineConfig.SyncMode sync, TimeSpan heartbeat, ByteSize minFree,
                   TimeSpan retention, ByteSize retentionSize, Kafka kafka) {
    }

    record Kafka(String bootstrapServers, String topic) {
    }

    record Cluster(String nodeId, String advertisedUrl, TimeSpan sessionTimeout, TimeSpan heartbeatInterval) {
    }

    record Log(EngineConfig.LogFormat format, String level) {
    }

    record State(Boolean wal, ByteSize blockCache, Long cacheCustomers, ByteSize warmRows, TimeSpan flushInterval) {
    }

    record Processor(Long batchMax) {
    }

    record Clock(Boolean adjustable) {
    }

    record Retention(TimeSpan retention) {
    }

    record Stats(List<Long> activeWindows, List<Long> expiringWindows) {
    }

    record Rules(String defaultAccount, Map<String, Account> accounts, TimeSpan maxBackdate, TimeSpan maxFuture,
                 Earn earn, Tiers tiers, List<String> activityActions, Map<String, CustomAction> customActions) {
    }

    /** An entry of {@code rules.accounts}; a new entry starts from the {@code defaultValue}s of its keys. */
    record Account(Expiry expiry) {
    }

    record Expiry(@JsonProperty(defaultValue = "rolling") ExpiryPolicy policy,
                  @JsonProperty(defaultValue = "365") Long days,
                  @JsonProperty(defaultValue = "12-31") String calendarDay) {
    }

    record Earn(BigDecimal rate, Long pendingDays) {
    }

    record Tiers(String qualifyingAccount, TimeSpan window, TimeSpan validity, List<Level> levels) {
    }

    record Level(String name, Long threshold, BigDecimal multiplier) {
    }

    /** An entry of {@code rules.custom-actions}; {@code points} has no default, so a new entry must give it. */
    record CustomAction(Long points, String account, @JsonProperty(defaultValue = "false") Boolean once) {
    }
}
