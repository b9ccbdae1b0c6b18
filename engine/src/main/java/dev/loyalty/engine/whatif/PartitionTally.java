package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.processor.ReplayHooks;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.stats.PartitionStats;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The hooks of one partition of one side of a what-if run: puts the scenario rules in force from
 * {@code fromMs} on (in place of anything journaled from then on), and tallies the month figures by the
 * replay's clock (ingest time). Owned by the partition's processor thread until the replay has ended.
 */
final class PartitionTally implements ReplayHooks {
    /** Month-end figures leave the expiring forecast out (the summary has no use for it). */
    private static final int[] NO_WINDOWS = {};
    private final String scenarioJson;
    private final long fromMs;
    private final int[] windowsDays;
    private final Function<String, RulesConfig> parser;

    private String inForceJson;
    private RulesConfig inForce;
    private long monthEndMs = Long.MIN_VALUE;
    private long lastIngestMs = Long.MIN_VALUE;
    private Map<String, Flow> flow;
    private final TreeMap<YearMonth, PartitionMonth> months = new TreeMap<>();
    private YearMonth month;
    private final Map<String, long[]> rejectedByCode = new HashMap<>();
    private long events;
    private long rejected;

    /** One month of this partition: flow, and its figures at the end with the rules then in force. */
    record PartitionMonth(Map<String, Flow> flow, PartitionStats.Snapshot end, RulesConfig rules) {
    }

    /**
     * @param scenarioJson rules to put in force from {@code fromMs} on, or null to apply the journal as journaled
     * @param initialJson  rules in force before the first rules record
     * @param startMs      the clock of a state restored from a backup (its month is open from the start, with
     *                     the flow after the backup only), or {@code Long.MIN_VALUE} for an empty state
     */
    PartitionTally(String scenarioJson, long fromMs, String initialJson, long startMs, int[] windowsDays,
                   Function<String, RulesConfig> parser) {
        this.scenarioJson = scenarioJson;
        this.fromMs = fromMs;
        this.windowsDays = windowsDays.clone();
        this.parser = parser;
        track(initialJson);
        if (startMs != Long.MIN_VALUE) {
            openMonth(startMs);
        }
    }

    @Override
    public String rulesFor(long ingestMs, String journaledJson) {
        String json = scenarioJson != null && ingestMs >= fromMs ? scenarioJson : journaledJson;
        if (json != null) {
            track(json);
        }
        return json;
    }

    private void track(String json) {
        if (!json.equals(inForceJson)) {
            inForceJson = json;
            inForce = parser.apply(json);
        }
    }

    @Override
    public boolean settleBefore(long ingestMs) {
        return month != null && ingestMs > monthEndMs;
    }

    @Override
    public void beforeRecord(long ingestMs, PartitionStats stats) {
        if (month == null || ingestMs > monthEndMs) {
            if (month != null) {
                months.put(month, new PartitionMonth(flow, stats.snapshot(lastIngestMs, windowsDays, NO_WINDOWS, 0), inForce));
            }
            openMonth(ingestMs);
        }
        lastIngestMs = Math.max(lastIngestMs, ingestMs);
    }

    private void openMonth(long ingestMs) {
        month = YearMonth.from(Instant.ofEpochMilli(ingestMs).atZone(ZoneOffset.UTC));
        monthEndMs = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - 1;
        flow = new LinkedHashMap<>();
        lastIngestMs = Math.max(lastIngestMs, ingestMs);
    }

    @Override
    public void ledger(LedgerEntry e) {
        if (flow == null) {
            return;
        }
        Flow f = flow.computeIfAbsent(e.account(), a -> new Flow());
        switch (e.kind()) {
            case EARN:
            case ACCEPT:
                f.earned += e.points();
                break;
            case SPEND:
                f.spent += e.points();
                break;
            case UNSPEND:
                f.spent -= e.points();
                break;
            case EXPIRE:
                f.expired += e.points();
                break;
            default:
                break;
        }
    }

    @Override
    public void outcome(EventOutcome o) {
        events++;
        if (!o.applied()) {
            rejected++;
            rejectedByCode.computeIfAbsent(o.error().code(), c -> new long[1])[0]++;
        }
    }

    /** Closes the last month with the final statistics; call once the processor has stopped. */
    void finish(PartitionStats.Snapshot last) {
        if (month != null) {
            months.put(month, new PartitionMonth(flow, last, inForce));
            month = null;
        }
    }

    TreeMap<YearMonth, PartitionMonth> months() {
        return months;
    }

    RulesConfig inForce() {
        return inForce;
    }

    long events() {
        return events;
    }

    long rejected() {
        return rejected;
    }

    Map<String, long[]> rejectedByCode() {
        return rejectedByCode;
    }
}
