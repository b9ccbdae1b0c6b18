package dev.loyalty.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The whole validated configuration of one engine process. Built once at start by {@link ConfigLoader}
 * (shipped defaults, then {@code --config}, then {@code ENGINE_*} environment, then command-line options);
 * every value here has been checked, so the rest of the program trusts it.
 *
 * @param partitions  number of processor partitions (fixed per data folder)
 * @param dataDir     folder holding the journal and state
 * @param activeWindowsDays    windows of the active-member counts in GET /stats ({@code stats.active-windows})
 * @param expiringWindowsDays  windows of the expiring-points forecast in GET /stats ({@code stats.expiring-windows})
 */
public record EngineConfig(
        Api api,
        Management management,
        int partitions,
        Path dataDir,
        Journal journal,
        State state,
        Processor processor,
        boolean clockAdjustable,
        Duration idempotencyRetention,
        Duration outcomesRetention,
        List<Integer> activeWindowsDays,
        List<Integer> expiringWindowsDays,
        RulesConfig rules,
        Log log,
        Cluster cluster) {

    /** Scopes an API key may hold. */
    public enum Scope { INGEST, READ, ADMIN }

    /**
     * One API key, held only as the SHA-256 of the secret (lower-case hex); neither is ever logged.
     *
     * @param keySha256      SHA-256 of the key as sent, lower-case hex
     * @param hmacSecret     when not null, every request of this key must be signed with it (X-Signature)
     * @param ratePerSecond  requests per second the key may make on average; 0 = unlimited
     * @param burst          requests the key may make at once above the rate
     */
    public record ApiKey(String name, String keySha256, Set<Scope> scopes, String hmacSecret, double ratePerSecond,
                         int burst) {

        /** A key given in plain text (hashed here), unsigned and unlimited. */
        public static ApiKey of(String name, String key, Set<Scope> scopes) {
            return new ApiKey(name, sha256Hex(key), scopes, null, 0, 0);
        }

        /** SHA-256 of the text's UTF-8 bytes, lower-case hex ({@code printf %s KEY | sha256sum}). */
        public static String sha256Hex(String text) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        @Override
        public String toString() {
            return "ApiKey[name=" + name + ", scopes=" + scopes + ", signed=" + (hmacSecret != null)
                    + ", rate=" + ratePerSecond + "]";
        }
    }

    /**
     * TLS on the API port.
     *
     * @param certPath PEM certificate chain; null when TLS is off
     * @param keyPath  PEM private key; null when TLS is off
     */
    public record Tls(boolean enabled, Path certPath, Path keyPath) {
    }

    /**
     * Ingest/query API.
     *
     * @param maxBodyBytes   largest accepted request body ({@code 413} past it)
     * @param bulkMax        most events in one bulk request
     * @param syncTimeout    how long a synchronous request waits for its outcome before answering 202
     * @param maxInFlight    most synchronous requests waiting for outcomes at once ({@code 429} past it)
     * @param maxLagEvents   most journal records the slowest processor may be behind ({@code 429} past it)
     */
    public record Api(String host, int port, long maxBodyBytes, int bulkMax, Duration syncTimeout,
                      int maxInFlight, long maxLagEvents, List<ApiKey> keys, Tls tls) {
    }

    /** Management port: metrics and health. */
    public record Management(String host, int port) {
    }

    /** How acknowledged records reach the disk. */
    public enum SyncMode { NONE, BATCH }

    /** Where the journal lives: Chronicle Queue in the data folder, or a Kafka topic partitioned by customer. */
    public enum JournalKind { CHRONICLE, KAFKA }

    /**
     * The Kafka journal ({@code journal.kind: kafka}).
     *
     * @param bootstrapServers  {@code host:port[,host:port...]} of the cluster; null with the Chronicle journal
     * @param topic             the journal's topic; its partition count is the engine's
     */
    public record Kafka(String bootstrapServers, String topic) {
    }

    /**
     * This node among the engine nodes sharing a Kafka journal.
     *
     * @param nodeId        the node's name (1-64 of {@code [A-Za-z0-9._-]}); null when not set (Chronicle)
     * @param advertisedUrl how other nodes reach this node's API ({@code http(s)://host:port}); null when not set
     * @param sessionTimeout    how long the Kafka group waits for a silent node before moving its partitions
     * @param heartbeatInterval how often the node heartbeats to the group (below the session timeout)
     */
    public record Cluster(String nodeId, String advertisedUrl, java.time.Duration sessionTimeout,
                          java.time.Duration heartbeatInterval) {
    }

    /**
     * Journal settings.
     *
     * @param kind            Chronicle Queue in the data folder, or a Kafka topic ({@code kafka})
     * @param minFreeBytes    least free space left on the data folder's file system: below it appends are
     *                        refused (503) instead of faulting on a memory-mapped page that cannot be allocated
     * @param sync            {@code none}: process-crash safe; {@code batch}: synced before acknowledging
     * @param heartbeat       interval of heartbeat records that move the processors' clock
     * @param retention       journal files whose day ended longer ago than this may be dropped; zero keeps
     *                        them by age
     * @param retentionBytes  the oldest journal files may be dropped while the journal is larger; 0 keeps
     *                        them by size. Either way a file is dropped only when no partition and no kept
     *                        backup needs it, and never the newest one.
     * @param kafka           the Kafka journal's settings (used with {@code kind: kafka})
     */
    public record Journal(JournalKind kind, SyncMode sync, Duration heartbeat, long minFreeBytes, Duration retention,
                          long retentionBytes, Kafka kafka) {

        /** Whether any retention limit is set (else the whole journal is kept). */
        public boolean retains() {
            return !retention.isZero() || retentionBytes > 0;
        }
    }

    /** How the program's log lines are written. */
    public enum LogFormat { TEXT, JSON }

    /**
     * Logging of the program (the engine library only logs through SLF4J).
     *
     * @param format  {@code text}: one human-readable line per event; {@code json}: one JSON object per line
     * @param level   least level written: error, warn, info, debug or trace
     */
    public record Log(LogFormat format, String level) {
    }

    /**
     * State store settings.
     *
     * @param wal             RocksDB write-ahead log (the journal makes it optional)
     * @param blockCacheBytes RocksDB block cache shared by all partitions
     * @param cacheCustomers  customers kept in memory per partition at most (the table is also bounded by half the
     *                        heap across partitions, counted by the heap each customer holds)
     * @param warmRowsBytes   encoded rows kept in memory across partitions (the warm tier behind the tables); 0:
     *                        an eighth of the heap ({@code PartitionProcessor.warmBytes})
     * @param flushInterval   longest time committed state stays in memory only (with the WAL off, what a
     *                        crash makes the processors re-apply from the journal)
     */
    public record State(boolean wal, long blockCacheBytes, int cacheCustomers, long warmRowsBytes,
                        java.time.Duration flushInterval) {
    }

    /**
     * Processor settings.
     *
     * @param batchMax   most journal records applied in one RocksDB write batch
     */
    public record Processor(int batchMax) {
    }
}
