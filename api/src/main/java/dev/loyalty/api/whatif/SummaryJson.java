package dev.loyalty.api.whatif;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.loyalty.engine.whatif.Figures;
import dev.loyalty.engine.whatif.Flow;
import dev.loyalty.engine.whatif.Month;
import dev.loyalty.engine.whatif.RulesDiff;
import dev.loyalty.engine.whatif.Side;
import dev.loyalty.engine.whatif.WhatIf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code summary.json}: {@code baseline} and {@code scenario} hold the figures at the end (the same
 * names and shapes as {@code GET /stats}, plus {@code events} and {@code rejected}); {@code months} holds, per
 * UTC month of ingest time and side, the points flow per account and the figures at the month's end.
 * {@code started_from} says where both replays started: {@code "journal_start"}, or
 * {@code {"backup": folder, "seq": n}} (then events, rejections and the months' flow count after seq n only).
 */
public final class SummaryJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private SummaryJson() {
    }

    /** Writes the summary of that run into {@code file}. */
    public static void write(WhatIf.Result r, Path file) {
        try (JsonGenerator g = FACTORY.createGenerator(file.toFile(), JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("journal_last_seq", r.lastSeq());
            if (r.start().fromBackup()) {
                g.writeObjectFieldStart("started_from");
                g.writeStringField("backup", r.start().backup().toAbsolutePath().normalize().toString());
                g.writeNumberField("seq", r.start().seq());
                g.writeEndObject();
            } else {
                g.writeStringField("started_from", "journal_start");
            }
            g.writeArrayFieldStart("rules_diff");
            for (String line : RulesDiff.describe(r.baseRules(), r.scenarioRules())) {
                g.writeString(line);
            }
            g.writeEndArray();
            g.writeFieldName("baseline");
            side(g, r.baseline());
            g.writeFieldName("scenario");
            side(g, r.scenario());
            g.writeArrayFieldStart("months");
            Map<YearMonth, Month[]> months = months(r);
            for (Map.Entry<YearMonth, Month[]> m : months.entrySet()) {
                g.writeStartObject();
                g.writeStringField("month", m.getKey().toString());
                month(g, "baseline", m.getValue()[0]);
                month(g, "scenario", m.getValue()[1]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The months of both sides, side by side ([0] baseline, [1] scenario; null where a side has none). */
    static Map<YearMonth, Month[]> months(WhatIf.Result r) {
        Map<YearMonth, Month[]> out = new TreeMap<>();
        for (Month m : r.baseline().months()) {
            out.computeIfAbsent(m.month(), k -> new Month[2])[0] = m;
        }
        for (Month m : r.scenario().months()) {
            out.computeIfAbsent(m.month(), k -> new Month[2])[1] = m;
        }
        return out;
    }

    private static void side(JsonGenerator g, Side s) throws IOException {
        g.writeStartObject();
        figures(g, s.end());
        g.writeNumberField("events", s.events());
        g.writeNumberField("rejected", s.rejected());
        counts(g, "rejected_by_code", s.rejectedByCode());
        g.writeEndObject();
    }

    private static void figures(JsonGenerator g, Figures f) throws IOException {
        g.writeStringField("as_of", f.clockMs() == Long.MIN_VALUE ? null : Instant.ofEpochMilli(f.clockMs()).toString());
        g.writeNumberField("events_applied", f.eventsApplied());
        g.writeObjectFieldStart("members");
        g.writeNumberField("total", f.membersTotal());
        g.writeNumberField("active", f.membersActive());
        g.writeNumberField("opted_out", f.membersOptedOut());
        g.writeEndObject();
        g.writeObjectFieldStart("active_members");
        for (Map.Entry<Integer, Long> e : f.activeMembers().entrySet()) {
            g.writeNumberField(e.getKey() + "d", e.getValue());
        }
        g.writeEndObject();
        counts(g, "tiers", f.tiers());
        counts(g, "liability", f.liability());
    }

    private static void month(JsonGenerator g, String name, Month m) throws IOException {
        if (m == null) {
            g.writeNullField(name);
            return;
        }
        g.writeObjectFieldStart(name);
        g.writeObjectFieldStart("flow");
        for (Map.Entry<String, Flow> e : m.flow().entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            g.writeNumberField("earned", e.getValue().earned());
            g.writeNumberField("spent", e.getValue().spent());
            g.writeNumberField("expired", e.getValue().expired());
            g.writeEndObject();
        }
        g.writeEndObject();
        counts(g, "liability", m.end().liability());
        counts(g, "tiers", m.end().tiers());
        g.writeObjectFieldStart("active_members");
        for (Map.Entry<Integer, Long> e : m.end().activeMembers().entrySet()) {
            g.writeNumberField(e.getKey() + "d", e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void counts(JsonGenerator g, String name, Map<String, Long> counts) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
