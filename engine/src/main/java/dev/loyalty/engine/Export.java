package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.TransactionArchive;
import dev.loyalty.engine.rules.CustomerView;
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
        folder.requireCurrentFormat("data-dir");
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
        RulesConfig rulesConfig = rulesJson == null ? config.rules()
                : RulesJson.read(new String(rulesJson, StandardCharsets.UTF_8));
        // One row at a time: each customer is decoded into the single slot, viewed, and dropped.
        CustomerTable table = new CustomerTable(1, rulesConfig.accounts().size());
        CoreRules rules = new CoreRules(rulesConfig, table, TransactionArchive.NONE);
        CoreCustomerCodec codec = new CoreCustomerCodec(rulesConfig.customActions());
        long clockMs = checkpoint.clockMs();
        long[] count = {0};
        store.forEachWithPrefix(Keys.CUSTOMER, (key, value) -> {
            int slot = codec.decode(value, table);
            if (table.exists(slot)) {
                sink.accept(rules.view(slot, clockMs));
                count[0]++;
            }
            table.remove(slot);
            return true;
        });
        return count[0];
    }
}
