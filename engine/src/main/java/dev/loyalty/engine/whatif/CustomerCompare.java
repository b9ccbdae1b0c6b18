package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the customers of two rebuilt states partition by partition (one scan of each at the end), keeping
 * per customer only its tier and balances over the accounts of both sides.
 */
final class CustomerCompare {
    private final RulesConfig baselineRules;
    private final RulesConfig scenarioRules;
    private final List<String> accounts;
    private final int[] baselineSlots;
    private final int[] scenarioSlots;

    CustomerCompare(RulesConfig baselineRules, RulesConfig scenarioRules) {
        this.baselineRules = baselineRules;
        this.scenarioRules = scenarioRules;
        Set<String> names = new LinkedHashSet<>();
        baselineRules.accounts().forEach(a -> names.add(a.name()));
        scenarioRules.accounts().forEach(a -> names.add(a.name()));
        this.accounts = List.copyOf(new ArrayList<>(names));
        this.baselineSlots = slots(baselineRules);
        this.scenarioSlots = slots(scenarioRules);
    }

    /** Where each account of those rules goes in the shared account order. */
    private int[] slots(RulesConfig rules) {
        int[] slots = new int[rules.accounts().size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = accounts.indexOf(rules.accounts().get(i).name());
        }
        return slots;
    }

    /** Adds to {@code out} every customer of the partition whose balances or tier differ. */
    void partition(PartitionStore baseline, PartitionStore scenario, List<CustomerDiff> out) {
        Map<String, long[]> left = new HashMap<>();
        Reader b = new Reader(baselineRules, baselineSlots);
        baseline.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            b.read(v, (id, facts) -> left.put(id, facts));
            return true;
        });
        Reader s = new Reader(scenarioRules, scenarioSlots);
        scenario.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            s.read(v, (id, facts) -> compare(id, left.remove(id), facts, out));
            return true;
        });
        for (Map.Entry<String, long[]> e : left.entrySet()) {
            compare(e.getKey(), e.getValue(), null, out);
        }
    }

    /** Decodes stored customers one at a time into a one-slot table and takes their facts. */
    private final class Reader {
        private final CustomerTable table;
        private final CoreCustomerCodec codec;
        private final int[] slots;

        Reader(RulesConfig rules, int[] slots) {
            this.table = new CustomerTable(1, rules.accounts().size());
            this.codec = new CoreCustomerCodec(rules.customActions());
            this.slots = slots;
        }

        /** Hands the customer's id and facts (tier index, then balances in the shared order) when it exists. */
        void read(byte[] value, java.util.function.BiConsumer<String, long[]> to) {
            int slot = codec.decode(value, table);
            try {
                if (table.exists(slot)) {
                    long[] f = new long[accounts.size() + 1];
                    f[0] = table.tierIndex(slot);
                    for (int i = 0; i < slots.length; i++) {
                        f[slots[i] + 1] = table.balance(slot, i);
                    }
                    to.accept(table.id(slot), f);
                }
            } finally {
                table.remove(slot);
            }
        }
    }

    private void compare(String id, long[] b, long[] s, List<CustomerDiff> out) {
        String bt = tier(b, baselineRules);
        String st = tier(s, scenarioRules);
        long[] bb = balances(b);
        long[] sb = balances(s);
        if (!Arrays.equals(bb, sb) || !bt.equals(st)) {
            out.add(new CustomerDiff(id, accounts, bb, bt, sb, st));
        }
    }

    private long[] balances(long[] facts) {
        return facts == null ? new long[accounts.size()] : Arrays.copyOfRange(facts, 1, facts.length);
    }

    private static String tier(long[] f, RulesConfig rules) {
        if (f == null) {
            return "";
        }
        int t = (int) f[0];
        return t >= 0 && t < rules.tiers().levels().size() ? rules.tiers().levels().get(t).name() : "";
    }
}
