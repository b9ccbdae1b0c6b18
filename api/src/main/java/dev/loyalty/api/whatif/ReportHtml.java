package dev.loyalty.api.whatif;

import dev.loyalty.engine.whatif.CustomerDiff;
import dev.loyalty.engine.whatif.Figures;
import dev.loyalty.engine.whatif.Flow;
import dev.loyalty.engine.whatif.Month;
import dev.loyalty.engine.whatif.RulesDiff;
import dev.loyalty.engine.whatif.Side;
import dev.loyalty.engine.whatif.WhatIf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Writes {@code report.html}: one self-contained page (inline SVG, inline style, no scripts, fonts or other
 * outside resources): liability over time, points flow per month, tier mix, active members, the 20 most
 * affected customers and the rules diff in words.
 */
public final class ReportHtml {
    /** Customers shown in the report. */
    static final int TOP = 20;

    private ReportHtml() {
    }

    /** Writes the report of that run into {@code file}; {@code title} names what was run (folder, range). */
    public static void write(WhatIf.Result r, String title, Path file) {
        try {
            Files.writeString(file, render(r, title), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String render(WhatIf.Result r, String title) {
        Map<YearMonth, Month[]> months = SummaryJson.months(r);
        List<String> labels = new ArrayList<>();
        months.keySet().forEach(m -> labels.add(m.toString()));
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>What-if report</title>")
                .append("<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:960px}")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append("text-align:right}th:first-child,td:first-child{text-align:left}h2{margin-top:28px}")
                .append(".up{color:#2a7d2a}.down{color:#b22}</style></head><body>");
        b.append("<h1>What-if report</h1><p>").append(Html.escape(title)).append("</p>");

        b.append("<h2>Rules changes</h2>");
        List<String> diff = RulesDiff.describe(r.baseRules(), r.scenarioRules());
        if (diff.isEmpty()) {
            b.append("<p>The scenario rules are the journaled rules: nothing changes.</p>");
        } else {
            b.append("<ul>");
            diff.forEach(line -> b.append("<li>").append(Html.escape(line)).append("</li>"));
            b.append("</ul>");
        }

        b.append("<h2>At the end</h2>");
        summaryTable(b, r.baseline(), r.scenario());

        b.append("<h2>Liability over time</h2><p>Balance of every account at each month's end.</p>");
        b.append(Svg.lines("liability over time", labels, List.of(
                new Svg.Series("baseline", perMonth(months, 0, m -> m.end().totalLiability())),
                new Svg.Series("scenario", perMonth(months, 1, m -> m.end().totalLiability())))));

        b.append("<h2>Points flow per month</h2><p>Earned, spent and expired, all accounts.</p>");
        b.append(Svg.bars("points flow per month", labels, List.of(
                new Svg.Series("earned (baseline)", perMonth(months, 0, m -> flow(m, Flow::earned))),
                new Svg.Series("earned (scenario)", perMonth(months, 1, m -> flow(m, Flow::earned))),
                new Svg.Series("spent (baseline)", perMonth(months, 0, m -> flow(m, Flow::spent))),
                new Svg.Series("spent (scenario)", perMonth(months, 1, m -> flow(m, Flow::spent))),
                new Svg.Series("expired (baseline)", perMonth(months, 0, m -> flow(m, Flow::expired))),
                new Svg.Series("expired (scenario)", perMonth(months, 1, m -> flow(m, Flow::expired))))));

        b.append("<h2>Tier mix before and after</h2>");
        Set<String> tiers = new LinkedHashSet<>(r.baseline().end().tiers().keySet());
        tiers.addAll(r.scenario().end().tiers().keySet());
        List<String> tierNames = new ArrayList<>(tiers);
        b.append(Svg.bars("tier mix", tierNames, List.of(
                new Svg.Series("baseline", values(tierNames, r.baseline().end().tiers())),
                new Svg.Series("scenario", values(tierNames, r.scenario().end().tiers())))));

        b.append("<h2>Active members</h2>");
        List<String> windows = new ArrayList<>();
        r.baseline().end().activeMembers().keySet().forEach(w -> windows.add(w + "d"));
        b.append(Svg.bars("active members", windows, List.of(
                new Svg.Series("baseline", r.baseline().end().activeMembers().values().stream()
                        .mapToLong(Long::longValue).toArray()),
                new Svg.Series("scenario", r.scenario().end().activeMembers().values().stream()
                        .mapToLong(Long::longValue).toArray()))));

        b.append("<h2>Customers most affected</h2>");
        List<CustomerDiff> top = r.customers().subList(0, Math.min(TOP, r.customers().size()));
        if (top.isEmpty()) {
            b.append("<p>No customer's balances or tier differ.</p>");
        } else {
            b.append("<p>").append(r.customers().size()).append(" customers differ (all in customers.csv); the ")
                    .append(top.size()).append(" with the largest change in total balance:</p>");
            List<String> ids = new ArrayList<>();
            long[] deltas = new long[top.size()];
            for (int i = 0; i < top.size(); i++) {
                ids.add(top.get(i).customer());
                deltas[i] = top.get(i).totalDifference();
            }
            b.append(Svg.bars("customers most affected", ids, List.of(new Svg.Series("scenario − baseline", deltas))));
            b.append("<table><tr><th>customer</th><th>tier (baseline)</th><th>tier (scenario)</th>")
                    .append("<th>balance (baseline)</th><th>balance (scenario)</th><th>difference</th></tr>");
            for (CustomerDiff d : top) {
                long diffTotal = d.totalDifference();
                long base = d.baselineTotal();
                b.append("<tr><td>").append(Html.escape(d.customer())).append("</td><td>")
                        .append(Html.escape(d.baselineTier())).append("</td><td>").append(Html.escape(d.scenarioTier()))
                        .append("</td><td>").append(base).append("</td><td>").append(base + diffTotal)
                        .append("</td><td class=\"").append(diffTotal >= 0 ? "up" : "down").append("\">")
                        .append(diffTotal > 0 ? "+" : "").append(diffTotal).append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void summaryTable(StringBuilder b, Side base, Side scen) {
        Figures fb = base.end();
        Figures fs = scen.end();
        b.append("<table><tr><th></th><th>baseline</th><th>scenario</th><th>difference</th></tr>");
        Set<String> accounts = new LinkedHashSet<>(fb.liability().keySet());
        accounts.addAll(fs.liability().keySet());
        for (String a : accounts) {
            row(b, "liability: " + a, fb.liability().getOrDefault(a, 0L), fs.liability().getOrDefault(a, 0L));
        }
        row(b, "members", fb.membersTotal(), fs.membersTotal());
        for (Map.Entry<Integer, Long> w : fb.activeMembers().entrySet()) {
            row(b, "active members, " + w.getKey() + " days", w.getValue(),
                    fs.activeMembers().getOrDefault(w.getKey(), 0L));
        }
        row(b, "events rejected", base.rejected(), scen.rejected());
        b.append("</table>");
    }

    private static void row(StringBuilder b, String name, long baseline, long scenario) {
        long d = scenario - baseline;
        b.append("<tr><td>").append(Html.escape(name)).append("</td><td>").append(baseline).append("</td><td>")
                .append(scenario).append("</td><td>").append(d > 0 ? "+" : "").append(d).append("</td></tr>");
    }

    private static long[] perMonth(Map<YearMonth, Month[]> months, int side, ToLongFunction<Month> f) {
        long[] out = new long[months.size()];
        int i = 0;
        for (Month[] m : months.values()) {
            out[i++] = m[side] == null ? 0 : f.applyAsLong(m[side]);
        }
        return out;
    }

    private static long flow(Month m, ToLongFunction<Flow> f) {
        long sum = 0;
        for (Flow flow : m.flow().values()) {
            sum += f.applyAsLong(flow);
        }
        return sum;
    }

    private static long[] values(List<String> names, Map<String, Long> counts) {
        long[] out = new long[names.size()];
        for (int i = 0; i < names.size(); i++) {
            out[i] = counts.getOrDefault(names.get(i), 0L);
        }
        return out;
    }
}
