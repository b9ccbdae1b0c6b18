package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.stats.PartitionStats;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Sums the tallies of a side's partitions into its {@link Side}. */
final class SideSum {

    private SideSum() {
    }

    static Side of(PartitionTally[] tallies, int[] windows) {
        TreeSet<YearMonth> all = new TreeSet<>();
        for (PartitionTally t : tallies) {
            all.addAll(t.months().keySet());
        }
        List<Month> months = new ArrayList<>();
        Figures end = null;
        for (YearMonth ym : all) {
            Map<String, Flow> flow = new LinkedHashMap<>();
            List<PartitionStats.Snapshot> snapshots = new ArrayList<>();
            RulesConfig rules = null;
            for (PartitionTally t : tallies) {
                PartitionTally.PartitionMonth m = t.months().get(ym);
                if (m == null) {
                    continue;
                }
                for (Map.Entry<String, Flow> e : m.flow().entrySet()) {
                    flow.computeIfAbsent(e.getKey(), k -> new Flow()).add(e.getValue());
                }
                snapshots.add(m.end());
                rules = m.rules();
            }
            end = Figures.sum(snapshots, rules, windows);
            for (RulesConfig.AccountRules a : rules.accounts()) {
                flow.computeIfAbsent(a.name(), k -> new Flow());
            }
            months.add(new Month(ym, flow, end));
        }
        long events = 0;
        long rejected = 0;
        Map<String, Long> byCode = new java.util.TreeMap<>();
        for (PartitionTally t : tallies) {
            events += t.events();
            rejected += t.rejected();
            t.rejectedByCode().forEach((code, n) -> byCode.merge(code, n[0], Long::sum));
        }
        RulesConfig rulesAtEnd = tallies[0].inForce();
        if (end == null) {
            List<PartitionStats.Snapshot> none = List.of();
            end = Figures.sum(none, rulesAtEnd, windows);
        }
        return new Side(end, events, rejected, byCode, months, rulesAtEnd);
    }
}
