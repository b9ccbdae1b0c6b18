package dev.loyalty.engine.metrics;

import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.journal.Journal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Journal meters: events journaled by action, append latency, bytes appended, write failures by operation
 * and the newest seq. Called by the threads that append (event loops, the heartbeat timer, the sync
 * thread); thread-safe, and nothing is allocated per event once an action has been seen.
 */
final class JournalMetrics {
    private final MeterSet meters;
    private final ConcurrentHashMap<String, Counter> journaledByAction = new ConcurrentHashMap<>();
    private final EnumMap<JournalWrite, Counter> failures = new EnumMap<>(JournalWrite.class);
    private final Timer appendTime;

    /** @param actions the actions known at start, so their counters exist (at 0) before the first event */
    JournalMetrics(MeterSet meters, Journal journal, Collection<String> actions) {
        this.meters = meters;
        for (String action : actions) {
            journaledByAction.computeIfAbsent(action, this::journaledCounter);
        }
        for (JournalWrite op : JournalWrite.values()) {
            failures.put(op, meters.add(Counter.builder("loyalty_journal_write_failures")
                    .description("Journal writes that failed, by operation (events: the request got 503)")
                    .tag("operation", op.tag())
                    .register(meters.registry())));
        }
        appendTime = meters.add(Timer.builder("loyalty_journal_append")
                .description("Time to append one record of events (one request) to the journal")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(1))
                .register(meters.registry()));
        meters.add(FunctionCounter.builder("loyalty_journal_appended", journal, Journal::bytesAppended)
                .description("Bytes of journal records (header and payload) appended, every record type")
                .baseUnit("bytes")
                .register(meters.registry()));
        meters.add(Gauge.builder("loyalty_journal_last_seq", journal, Journal::lastSeq)
                .description("Highest seq journaled")
                .register(meters.registry()));
    }

    /** A record of one event was appended in {@code nanos}. */
    void appended(String action, long nanos) {
        appendTime.record(nanos, TimeUnit.NANOSECONDS);
        Counter c = journaledByAction.get(action);
        if (c == null) {
            c = journaledByAction.computeIfAbsent(action, this::journaledCounter);
        }
        c.increment();
    }

    /** A record of these events was appended in {@code nanos}. */
    void appended(List<Submitted> events, long nanos) {
        appendTime.record(nanos, TimeUnit.NANOSECONDS);
        int n = events.size();
        countJournaled(n, i -> events.get(i).event().action());
    }

    /** A record of a bulk's encoded events was appended in {@code nanos}. */
    void appended(BulkRecord events, long nanos) {
        appendTime.record(nanos, TimeUnit.NANOSECONDS);
        countJournaled(events.count(), events::action);
    }

    /** Counts {@code n} journaled events by action; a bulk usually repeats one: one update per run of equal actions. */
    private void countJournaled(int n, IntFunction<String> actionAt) {
        int i = 0;
        while (i < n) {
            String action = actionAt.apply(i);
            int run = 1;
            while (i + run < n && action.equals(actionAt.apply(i + run))) {
                run++;
            }
            Counter c = journaledByAction.get(action);
            if (c == null) {
                c = journaledByAction.computeIfAbsent(action, this::journaledCounter);
            }
            c.increment(run);
            i += run;
        }
    }

    void failed(JournalWrite operation) {
        failures.get(operation).increment();
    }

    private Counter journaledCounter(String action) {
        return meters.add(Counter.builder("loyalty_events_journaled")
                .description("Events journaled (acknowledged or about to be), by action")
                .tag("action", action)
                .register(meters.registry()));
    }
}
