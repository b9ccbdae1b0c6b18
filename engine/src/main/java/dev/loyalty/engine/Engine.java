package dev.loyalty.engine;

import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.IngestClock;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.LongSupplier;

/** The embedded engine: Chronicle Queue journal, partition processors, RocksDB state. */
public final class Engine {

    private Engine() {
    }

    /**
     * Opens the journal and state under {@code config.dataDir()} and starts the processors. Returns once
     * the journal is writable; recovery (catching up with the journal) goes on in the background and
     * {@link LoyaltyEngine#ready()} turns true when it is done.
     *
     * @throws dev.loyalty.engine.config.ConfigException when the data folder cannot be used with this
     *         configuration (e.g. another partition count), with a message saying why
     * @throws DataFolderInUseException when another process (or engine) holds the data folder
     */
    public static LoyaltyEngine start(EngineConfig config, MeterRegistry registry) {
        return start(config, registry, "serve");
    }

    /**
     * {@link #start(EngineConfig, MeterRegistry)} for a named purpose ({@code serve}, {@code import}), which
     * a process refused the same data folder is told.
     */
    public static LoyaltyEngine start(EngineConfig config, MeterRegistry registry, String purpose) {
        return new EngineImpl(config, registry, purpose, IngestClock.systemWall());
    }

    /**
     * {@link #start(EngineConfig, MeterRegistry)} with another wall clock: tests and what-if runs that need
     * ingest times to be the same from run to run.
     */
    public static LoyaltyEngine start(EngineConfig config, MeterRegistry registry, LongSupplier wallMs) {
        return new EngineImpl(config, registry, "serve", wallMs);
    }
}
