package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerCodec;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.Rules;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.Consumer;

/**
 * Reads every customer of a stopped data folder, as {@code GET /customers/{id}} shows it: each partition's
 * customers in id order, under the rules in force at the partition's journal position and as of its clock.
 * The folder is locked while it runs: with RocksDB's WAL off, a running engine's newest changes are in
 * memory only, so an export of a running engine would silently miss them.
 */
public final class Export {

    private Export() {
    }

    /**
     * Hands every existing customer to {@code sink}, partition by partition; returns how many.
     *
     * @throws DataFolderInUseException while an engine (or another tool) uses the data folder
     * @throws ConfigException when the folder holds no engine state
     */
    public static long run(EngineConfig config, Consumer<CustomerView> sink) {
        DataFolder folder = new DataFolder(config.dataDir());
        int partitions = folder.storedPartitions();
        if (partitions <= 0) {
            throw new ConfigException("data-dir: " + config.dataDir() + " holds no engine data (no "
                    + folder.properties().getFileName() + ")");
        }
        long count = 0;
        FolderLock lock = FolderLock.acquire(config.dataDir(), "export");
        try {
            for (int p = 0; p < partitions; p++) {
                if (!Files.isDirectory(folder.state(p))) {
                    continue; // never started: no customers
                }
                try (PartitionStore store = PartitionStore.openReadOnly(folder.state(p))) {
                    count += exportPartition(store, config, sink);
                }
            }
        } finally {
            lock.close();
        }
        return count;
    }

    private static long exportPartition(PartitionStore store, EngineConfig config, Consumer<CustomerView> sink) {
        PartitionCheckpoint checkpoint = PartitionCheckpoint.read(store);
        if (checkpoint == null) {
            return 0;
        }
        byte[] rulesJson = store.get(Keys.meta("rules"));
        Rules rules = new Rules(rulesJson == null ? config.rules()
                : RulesJson.read(new String(rulesJson, StandardCharsets.UTF_8)));
        long clockMs = checkpoint.clockMs();
        long[] count = {0};
        store.forEachWithPrefix(Keys.CUSTOMER, (key, value) -> {
            Customer c = CustomerCodec.decode(value);
            if (c.exists()) {
                sink.accept(rules.view(c, clockMs));
                count[0]++;
            }
            return true;
        });
        return count[0];
    }
}
