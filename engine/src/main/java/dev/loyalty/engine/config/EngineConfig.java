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
        RulesConfig rules,
        Log log) {

    /** Scopes an API key may hold. */
    public enum Scope { INGEST, READ, ADMIN }

    /** One API key; {@code key} is the secret itself (never logged). */
    public record ApiKey(String name, String key, Set<Scope> scopes) {
        @Override
        public String toString() {
            return "ApiKey[name=" + name + ", scopes=" + scopes + "]";
        }
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
                      int maxInFlight, long maxLagEvents, List<ApiKey> keys) {
    }

    /** Management port: metrics and health. */
    public record Management(String host, int port) {
    }

    /** How acknowledged records reach the disk. */
    public enum SyncMode { NONE, BATCH }

    /**
     * Journal settings.
     *
     * @param sync            {@code none}: process-crash safe; {@code batch}: synced before acknowledging
     * @param heartbeat       interval of heartbeat records that move the processors' clock
     * @param retention       journal files whose day ended longer ago than this may be dropped; zero keeps
     *                        them by age
     * @param retentionBytes  the oldest journal files may be dropped while the journal is larger; 0 keeps
     *                        them by size. Either way a file is dropped only when no partition and no kept
     *                        backup needs it, and never the newest one.
     */
    public record Journal(SyncMode sync, Duration heartbeat, Duration retention, long retentionBytes) {

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
     * @param cacheCustomers  customers kept decoded in memory per partition
     */
    public record State(boolean wal, long blockCacheBytes, int cacheCustomers) {
    }

    /**
     * Processor settings.
     *
     * @param batchMax   most journal records applied in one RocksDB write batch
     */
    public record Processor(int batchMax) {
    }
}
