package dev.loyalty.engine.metrics;

import dev.loyalty.engine.state.PartitionStore;
import io.micrometer.core.instrument.Gauge;
import org.rocksdb.Cache;

import java.util.List;

/**
 * RocksDB gauges: per partition the write-stall state, pending compaction, memtables, live data and SST
 * size (RocksDB properties), and the block cache all partitions share. Gauges call into native code, so
 * {@link #close()} must run before the stores and the cache close; after it every gauge reads NaN.
 */
final class RocksDbMetrics {

    /** A RocksDB integer property exported as a per-partition gauge. */
    private record Property(String metric, String rocksDbName, String unit, String description) {
    }

    private static final List<Property> PROPERTIES = List.of(
            new Property("loyalty_rocksdb_write_stopped", "rocksdb.is-write-stopped", null,
                    "1 while RocksDB stops writes (write stall: too many memtables or L0 files, or too much"
                            + " pending compaction), else 0"),
            new Property("loyalty_rocksdb_delayed_write_rate", "rocksdb.actual-delayed-write-rate",
                    "bytes_per_second", "Rate RocksDB throttles writes to while it delays them; 0 when not delayed"),
            new Property("loyalty_rocksdb_pending_compaction", "rocksdb.estimate-pending-compaction-bytes",
                    "bytes", "Estimated bytes compaction needs to rewrite to bring every level under its target"),
            new Property("loyalty_rocksdb_running_compactions", "rocksdb.num-running-compactions", null,
                    "Compactions running now"),
            new Property("loyalty_rocksdb_memtable", "rocksdb.cur-size-all-mem-tables", "bytes",
                    "Memory of the active and unflushed immutable memtables"),
            new Property("loyalty_rocksdb_live_data", "rocksdb.estimate-live-data-size", "bytes",
                    "Estimated size of the live data (what a full compaction would leave)"),
            new Property("loyalty_rocksdb_sst_files", "rocksdb.total-sst-files-size", "bytes",
                    "Size of all SST files on disk"),
            new Property("loyalty_rocksdb_estimated_keys", "rocksdb.estimate-num-keys", null,
                    "Estimated number of keys (customers, ledger entries, outcomes, index entries)"));

    private final Object lock = new Object();
    private boolean closed;

    RocksDbMetrics(MeterSet meters, List<PartitionStore> stores, Cache blockCache, long blockCacheCapacityBytes) {
        for (int p = 0; p < stores.size(); p++) {
            PartitionStore store = stores.get(p);
            for (Property property : PROPERTIES) {
                meters.add(Gauge.builder(property.metric(), store, s -> read(s, property.rocksDbName()))
                        .description(property.description())
                        .baseUnit(property.unit())
                        .tag("partition", Integer.toString(p))
                        .register(meters.registry()));
            }
        }
        meters.add(Gauge.builder("loyalty_rocksdb_block_cache_usage", blockCache, this::usage)
                .description("Memory used by the block cache all partitions share")
                .baseUnit("bytes")
                .register(meters.registry()));
        meters.add(Gauge.builder("loyalty_rocksdb_block_cache_capacity", () -> blockCacheCapacityBytes)
                .description("Configured capacity of the shared block cache (state.block-cache)")
                .baseUnit("bytes")
                .register(meters.registry()));
    }

    private double read(PartitionStore store, String property) {
        synchronized (lock) {
            if (closed) {
                return Double.NaN;
            }
            long v = store.longProperty(property);
            return v < 0 ? Double.NaN : v;
        }
    }

    private double usage(Cache cache) {
        synchronized (lock) {
            return closed ? Double.NaN : cache.getUsage();
        }
    }

    /** From now on no gauge touches RocksDB; returns once no gauge is reading it. */
    void close() {
        synchronized (lock) {
            closed = true;
        }
    }
}
