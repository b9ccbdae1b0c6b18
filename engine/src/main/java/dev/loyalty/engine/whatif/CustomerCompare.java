package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerCodec;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionStore;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compares the customers of one partition's two rebuilt states (one scan of each at the end). */
final class CustomerCompare {

    private CustomerCompare() {
    }

    /** Adds to {@code out} every customer of the partition whose balances or tier differ. */
    static void partition(PartitionStore baseline, RulesConfig baselineRules, PartitionStore scenario,
                          RulesConfig scenarioRules, List<CustomerDiff> out) {
        // Compact per customer (tier, then balances): a partition may hold a million customers.
        Map<String, long[]> left = new HashMap<>();
        baseline.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            Customer c = CustomerCodec.decode(v);
            if (c.exists()) {
                left.put(c.id(), facts(c, baselineRules));
            }
            return true;
        });
        scenario.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            Customer s = CustomerCodec.decode(v);
            if (s.exists()) {
                compare(s.id(), left.remove(s.id()), baselineRules, facts(s, scenarioRules), scenarioRules, out);
            }
            return true;
        });
        for (Map.Entry<String, long[]> b : left.entrySet()) {
            compare(b.getKey(), b.getValue(), baselineRules, null, scenarioRules, out);
        }
    }

    private static long[] facts(Customer c, RulesConfig rules) {
        int n = rules.accounts().size();
        long[] f = new long[n + 1];
        f[0] = c.tierIndex();
        for (int i = 0; i < n; i++) {
            f[i + 1] = c.balance(i);
        }
        return f;
    }

    private static void compare(String id, long[] b, RulesConfig br, long[] s, RulesConfig sr,
                                List<CustomerDiff> out) {
        Map<String, Long> bb = balances(b, br);
        Map<String, Long> sb = balances(s, sr);
        for (String account : bb.keySet()) {
            sb.putIfAbsent(account, 0L);
        }
        for (String account : sb.keySet()) {
            bb.putIfAbsent(account, 0L);
        }
        String bt = tier(b, br);
        String st = tier(s, sr);
        if (!bb.equals(sb) || !bt.equals(st)) {
            out.add(new CustomerDiff(id, bb, bt, sb, st));
        }
    }

    private static Map<String, Long> balances(long[] f, RulesConfig rules) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (f == null) {
            return m;
        }
        for (int i = 0; i < rules.accounts().size(); i++) {
            m.put(rules.accounts().get(i).name(), f[i + 1]);
        }
        return m;
    }

    private static String tier(long[] f, RulesConfig rules) {
        if (f == null) {
            return "";
        }
        int t = (int) f[0];
        return t >= 0 && t < rules.tiers().levels().size() ? rules.tiers().levels().get(t).name() : "";
    }
}
