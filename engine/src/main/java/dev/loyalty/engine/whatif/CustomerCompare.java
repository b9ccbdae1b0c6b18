package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerCodec;
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
        baseline.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            Customer c = CustomerCodec.decode(v);
            if (c.exists()) {
                left.put(c.id(), facts(c, baselineSlots));
            }
            return true;
        });
        scenario.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            Customer s = CustomerCodec.decode(v);
            if (s.exists()) {
                compare(s.id(), left.remove(s.id()), facts(s, scenarioSlots), out);
            }
            return true;
        });
        for (Map.Entry<String, long[]> b : left.entrySet()) {
            compare(b.getKey(), b.getValue(), null, out);
        }
    }

    /** Tier index, then the balances in the shared account order. */
    private long[] facts(Customer c, int[] slots) {
        long[] f = new long[accounts.size() + 1];
        f[0] = c.tierIndex();
        for (int i = 0; i < slots.length; i++) {
            f[slots[i] + 1] = c.balance(i);
        }
        return f;
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
