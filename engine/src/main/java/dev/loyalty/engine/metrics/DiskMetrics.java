package dev.loyalty.engine.metrics;

import io.micrometer.core.instrument.Gauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free and total space of the file system holding the data folder (journal and state): when it fills up
 * the journal cannot be written and every ingest answers 503. One {@code statfs} per gauge per scrape.
 */
final class DiskMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(DiskMetrics.class);

    DiskMetrics(MeterSet meters, Path dataDir) {
        FileStore store;
        try {
            store = Files.getFileStore(dataDir);
        } catch (IOException e) {
            LOG.warn("no disk space metrics: cannot find the file system of {}: {}", dataDir, e.toString());
            return;
        }
        // Nothing else holds the FileStore: strong references keep the gauges from going NaN after a GC.
        meters.add(Gauge.builder("loyalty_data_filesystem_avail", store, DiskMetrics::usable)
                .description("Bytes available to the engine on the file system of the data folder")
                .baseUnit("bytes")
                .strongReference(true)
                .register(meters.registry()));
        meters.add(Gauge.builder("loyalty_data_filesystem_size", store, DiskMetrics::total)
                .description("Size of the file system of the data folder")
                .baseUnit("bytes")
                .strongReference(true)
                .register(meters.registry()));
    }

    private static double usable(FileStore store) {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static double total(FileStore store) {
        try {
            return store.getTotalSpace();
        } catch (IOException e) {
            return Double.NaN;
        }
    }
}
