package dev.loyalty.bench;

import dev.loyalty.bench.Fixtures.BenchContext;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.core.TransactionArchive;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Live heap per customer held in a {@link CustomerTable}: fills a table through {@link CoreRules} with N customers
 * of one history, then prints the heap after a full GC less the empty table's, per customer, and the top classes
 * of the class histogram. Histories: {@code preload} (opt_in with a country + one point_add, what
 * {@code bench/run-all.sh} pre-loads), {@code typical} ({@link Fixtures#typicalCustomer}'s: 5000 points and eight
 * weekly checkouts, the last two pending), {@code mix} (preload, then {@code rounds} events each of the rules
 * benchmarks' realistic mix). Run: {@code java -cp bench/target/benchmarks.jar dev.loyalty.bench.TableFootprint
 * [customers=200000] [history=typical] [rounds=10]} with a fixed heap ({@code -Xms2g -Xmx2g}) so the figure is not
 * clouded by resizing.
 */
public final class TableFootprint {

    private TableFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int customers = 200_000;
        String history = "typical";
        int rounds = 10;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "customers" -> customers = Integer.parseInt(kv[1]);
                case "history" -> history = kv[1];
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        RulesConfig config = Fixtures.rules();
        long none = liveHeap();
        CustomerTable table = new CustomerTable(customers, config.accounts().size());
        CoreRules rules = new CoreRules(config, table, TransactionArchive.NONE);
        long empty = liveHeap();
        long emptyCounted = table.heapBytes();
        fill(table, rules, customers, history, rounds);
        for (int slot = 0; slot < table.slots(); slot++) {
            if (table.id(slot) != null) {
                table.weigh(slot); // what the partition state does after each change
            }
        }
        long full = liveHeap();
        // What the same customers take encoded (the snapshot bytes a commit writes and a warm tier would keep).
        CoreCustomerCodec codec = new CoreCustomerCodec(config.customActions());
        long encoded = 0;
        for (int slot = 0; slot < table.slots(); slot++) {
            if (table.id(slot) != null) {
                encoded += codec.encodeInto(table, slot);
            }
        }
        System.out.printf("history=%s customers=%d rounds=%d held=%d%n", history, customers, rounds, table.size());
        System.out.printf("RESULT bytes_per_customer=%.0f (live heap %d -> %d bytes after full GC)%n",
                (full - empty) / (double) customers, empty, full);
        System.out.printf("ENCODED bytes_per_customer=%.0f (CoreCustomerCodec)%n", encoded / (double) table.size());
        // The table's own estimate (CustomerTable.heapBytes, its byte budget's measure) against the live heap.
        System.out.printf("ACCOUNTED slots %.0f B/customer (live %.0f), customers %.0f B/customer (live %.0f):"
                        + " estimate / live = %.2f%n",
                emptyCounted / (double) customers, (empty - none) / (double) customers,
                (table.heapBytes() - emptyCounted) / (double) customers, (full - empty) / (double) customers,
                table.heapBytes() / (double) (full - none));
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String[] lines = histogram.split("\n");
        System.out.println("top classes (jcmd GC.class_histogram; bytes/customer = bytes / customers):");
        for (int i = 0; i < Math.min(lines.length, 17); i++) {
            String[] f = lines[i].trim().split("\\s+");
            String perCustomer = f.length == 4 && f[2].matches("\\d+")
                    ? String.format("  %7.1f B/customer", Long.parseLong(f[2]) / (double) customers) : "";
            System.out.println(lines[i] + perCustomer);
        }
        // keep the table reachable until after the histogram
        System.out.println("(table of " + table.capacity() + " slots, rules " + rules.hashCode() + ")");
    }

    private static void fill(CustomerTable table, CoreRules rules, int customers, String history, int rounds) {
        EffectSink sink = new EffectSink();
        BenchContext ctx = new BenchContext();
        long start = Fixtures.T0 - 60 * Fixtures.DAY_MS;
        if (history.equals("typical")) {
            for (int i = 0; i < customers; i++) {
                String id = "customer-" + i;
                int slot = table.create(id);
                BenchContext c = new BenchContext();
                rules.apply(slot, Fixtures.optIn(id), c.at(start), sink);
                rules.apply(slot, Fixtures.pointAdd(id, 5000), c.at(start + 1000), sink);
                for (int week = 0; week < 8; week++) {
                    rules.apply(slot, Fixtures.checkout(id, "W" + week),
                            c.at(start + (week + 1) * 7 * Fixtures.DAY_MS), sink);
                }
                rules.runDue(slot, c.at(Fixtures.T0), sink);
                sink.clear();
            }
            return;
        }
        if (!history.equals("preload") && !history.equals("mix")) {
            throw new IllegalArgumentException("history must be preload, typical or mix: " + history);
        }
        int[] slots = new int[customers];
        String[] ids = new String[customers];
        ctx.at(start);
        for (int i = 0; i < customers; i++) {
            ids[i] = "customer-" + i;
            slots[i] = table.create(ids[i]);
            rules.apply(slots[i], Fixtures.optIn(ids[i]), ctx, sink);
            rules.apply(slots[i], Fixtures.pointAdd(ids[i], 500), ctx, sink);
            sink.clear();
        }
        if (history.equals("mix")) {
            EventMix mix = new EventMix(customers);
            long stepMs = Math.max(1, Fixtures.DAY_MS / customers);
            long n = 0;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < customers; i++) {
                    ctx.step(stepMs);
                    String kind = mix.kind(i);
                    if (kind.equals("opt_in")) {
                        continue; // the mix's opt_ins are new customers: not part of a held customer's history
                    }
                    rules.apply(slots[i], mix.event(kind, i, ids[i], ++n), ctx, sink);
                    sink.clear();
                }
            }
        }
    }

    /** Heap in use after full collections (several: until it stops shrinking). */
    private static long liveHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }
}
