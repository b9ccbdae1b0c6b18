/**
 * The engine's Prometheus meters outside the processors' hot path: journal appends and failures, partition
 * positions and lag, RocksDB, the data folder's disk, and business figures read from the latest statistics
 * snapshots (never by scanning customers). {@link dev.loyalty.engine.metrics.EngineMetrics} is created by
 * the engine once its parts are open and closed before they close; gauges are read on the scraping thread.
 * The processors' own meters live in {@code dev.loyalty.engine.processor.ProcessorMetrics}. Every tag has a
 * bounded set of values (partition, action, code, account, tier, window, operation); docs/metrics.md lists
 * every metric.
 */
package dev.loyalty.engine.metrics;
