package dev.loyalty.bench;

import dev.loyalty.bench.Fixtures.BenchContext;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.core.TransactionArchive;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * A partition's customer table under a cache-missing load, without HTTP, journal or RocksDB: {@code customers}
 * stored customers (snapshot bytes in memory, standing in for RocksDB) behind a table of {@code capacity} rows;
 * each event picks a random customer, loads it when not held (evicting a clean row, decoding its bytes), applies
 * the rules benchmarks' realistic mix, and every {@code commitEvery} events the dirty rows are encoded back and
 * marked clean (the write-behind commit). What is left is the collector's work on the table: run it with the
 * engine's collector and {@code -Xlog:gc} and compare pauses. Run: {@code java -Xms1g -Xmx1g -XX:+UseG1GC
 * -XX:MaxGCPauseMillis=10 -Xlog:gc:file=gc.log -cp bench/target/benchmarks.jar dev.loyalty.bench.TableChurn
 * [customers=500000] [capacity=65536] [seconds=30] [commitEvery=20000]}.
 */
public final class TableChurn {

    private TableChurn() {
    }

    public static void main(String[] args) {
        int customers = 500_000;
        int capacity = 65_536;
        int seconds = 30;
        int commitEvery = 20_000;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "customers" -> customers = Integer.parseInt(kv[1]);
                case "capacity" -> capacity = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Integer.parseInt(kv[1]);
                case "commitEvery" -> commitEvery = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        RulesConfig config = Fixtures.rules();
        CoreCustomerCodec codec = new CoreCustomerCodec(config.customActions());
        EffectSink sink = new EffectSink();
        BenchContext ctx = new BenchContext().at(Fixtures.T0 - 60 * Fixtures.DAY_MS);

        // the stored customers: opted in with points, as bench/run-all.sh pre-loads them
        byte[][] stored = new byte[customers][];
        String[] ids = new String[customers];
        CustomerTable scratch = new CustomerTable(1, config.accounts().size());
        CoreRules scratchRules = new CoreRules(config, scratch, TransactionArchive.NONE);
        for (int i = 0; i < customers; i++) {
            ids[i] = "customer-" + i;
            int slot = scratch.create(ids[i]);
            scratchRules.apply(slot, Fixtures.optIn(ids[i]), ctx, sink);
            scratchRules.apply(slot, Fixtures.pointAdd(ids[i], 500), ctx, sink);
            sink.clear();
            stored[i] = codec.encode(scratch, slot);
            scratch.remove(slot);
        }

        CustomerTable table = new CustomerTable(capacity, config.accounts().size());
        CoreRules rules = new CoreRules(config, table, TransactionArchive.NONE);
        EventMix mix = new EventMix(customers);
        SplittableRandom random = new SplittableRandom(11);
        int[] dirty = new int[capacity];
        long stepMs = Math.max(1, Fixtures.DAY_MS / customers);
        long gcCount0 = gcCount();
        long gcMs0 = gcMs();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long events = 0;
        long loads = 0;
        long n = 0;
        int dirtyN = 0;
        while (System.nanoTime() < end) {
            for (int k = 0; k < commitEvery; k++) {
                int i = random.nextInt(customers);
                int slot = table.find(ids[i]);
                if (slot < 0) {
                    if (table.size() == capacity) {
                        table.evictClean();
                    }
                    slot = codec.decode(stored[i], table);
                    loads++;
                }
                String kind = mix.kind(i);
                ctx.step(stepMs);
                if (!kind.equals("opt_in")) {
                    boolean wasDirty = table.dirty(slot);
                    rules.apply(slot, mix.event(kind, i, ids[i], ++n), ctx, sink);
                    sink.clear();
                    table.markDirty(slot);
                    if (!wasDirty) {
                        dirty[dirtyN++] = slot;
                    }
                }
                events++;
            }
            // the commit: encode every dirty row back (what RocksDB would get), mark it clean
            for (int d = 0; d < dirtyN; d++) {
                int slot = dirty[d];
                int i = Integer.parseInt(table.id(slot), 9, table.id(slot).length(), 10);
                stored[i] = codec.encode(table, slot);
                table.markClean(slot);
            }
            dirtyN = 0;
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("RESULT events_per_s=%.0f loads_per_s=%.0f held=%d gc_count=%d gc_ms=%d (customers %d, capacity %d, %.1f s)%n",
                events / s, loads / s, table.size(), gcCount() - gcCount0, gcMs() - gcMs0, customers, capacity, s);
    }

    private static long gcCount() {
        long c = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, b.getCollectionCount());
        }
        return c;
    }

    private static long gcMs() {
        long c = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, b.getCollectionTime());
        }
        return c;
    }
}
