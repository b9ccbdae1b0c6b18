package dev.loyalty.engine;

import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.journal.EventRecord;
import dev.loyalty.engine.processor.OutcomeWaiter;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.stats.PartitionStats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the front end may ask of the engine. Thread-safe; no method blocks on I/O for longer than a
 * memory-mapped journal append. Futures complete on engine threads: callers hop back to their own.
 */
public interface LoyaltyEngine extends AutoCloseable {

    EngineConfig config();

    /** Validator for request events, bound to the rules in force. */
    EventValidator validator();

    /** The ingest clock now: wall clock plus the administrator's offset, never going backwards. */
    long nowMs();

    /**
     * Journals the events in one record, in order, or refuses the whole request.
     *
     * @param events        validated events with the hash of their request body (0 when no {@code id})
     * @param awaitOutcome  when true each accepted slot carries a future of its result
     * @return one submission per event, same order
     * @throws IngestRefusedException 429 (journal too far ahead, too many in flight) or 503 (journal not writable)
     */
    List<Submission> submit(List<Submitted> events, boolean awaitOutcome);

    /**
     * {@link #submit} of one awaited event whose outcome goes to {@code waiter} instead of a future: the lean
     * path of a synchronous request (no future, map node or boxed seq per request). When the event is
     * journaled and the waiter registered, the submission's {@code result} is null and {@code waiter} is told
     * the outcome (or the failure) on a processor thread, possibly before this returns; otherwise (a duplicate,
     * a refusal, or an engine without the lean path, as this default) the submission is {@link #submit}'s and
     * {@code waiter} is never told.
     */
    default Submission submit(Submitted event, OutcomeWaiter waiter) {
        return submit(List.of(event), true).get(0);
    }

    /**
     * {@link #submit(Submitted, OutcomeWaiter)} of one event already in its journal encoding: the hot path of a
     * synchronous request, which builds no {@link Event}, {@link Submitted}, list or {@link Submission}. Returns
     * null when the event was journaled and {@code waiter} registered ({@link EventRecord#seq} then holds its
     * seq); otherwise (a duplicate or an id mismatch) the submission, and {@code waiter} is never told.
     *
     * @throws IngestRefusedException as {@link #submit}
     */
    default Submission submit(EventRecord event, OutcomeWaiter waiter) {
        Submission s = submit(new Submitted(event.decode(), event.bodyHash()), waiter);
        if (s.refusal() == null && s.result() == null && !s.duplicate()) {
            event.seq(s.seq());
            return null;
        }
        return s;
    }

    /**
     * {@link #submit(List, boolean)} of a bulk's valid events already in their journal encoding: the hot path of
     * {@code POST /events/bulk}, which builds no {@link Event}, {@link Submitted}, future or {@link Submission} per
     * event. Returns null when every event was journaled as new, in one record ({@link BulkRecord#firstSeq} then
     * holds the first seq; event {@code j} has that plus {@code j}), with {@code waiters[j]} registered for event
     * {@code j}'s outcome when {@code waiters} is given (null: not awaited). Otherwise (a duplicate or a mismatch
     * among the ids, or an engine without this path, as this default) returns {@link #submit(List, boolean)}'s
     * submissions, one per event, and no waiter is ever told.
     *
     * @throws IngestRefusedException as {@link #submit(List, boolean)}
     */
    default List<Submission> submit(BulkRecord events, OutcomeWaiter[] waiters) {
        return submit(events.toSubmitted(), waiters != null);
    }

    /**
     * {@link #lookupsInMemory(List)} of one event given by its id (null: no lookup); this default, for engines
     * without an id index in memory, answers "may read the disk" for every id.
     */
    default boolean lookupsInMemory(String id) {
        return id == null;
    }

    /**
     * {@link #lookupsInMemory(List)} of a bulk read into its journal record ({@link #submit(BulkRecord,
     * OutcomeWaiter[])} asks nothing of the ids the hint did not already hash).
     */
    default boolean lookupsInMemory(BulkRecord events) {
        for (int j = 0, n = events.count(); j < n; j++) {
            if (!lookupsInMemory(events.id(j))) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when {@link #submit} of these events looks their ids up in memory only (each id recently seen
     * or surely new), so it may run on an event loop; false when a lookup may read the id index on disk:
     * submit off the event loop then. A hint, read without locks: an id written to disk in between is
     * still in RocksDB's in-memory table, so a stale "true" costs a memory read, never a disk wait.
     */
    boolean lookupsInMemory(List<Submitted> events);

    /** {@link #lookupsInMemory(List)} of one event. */
    default boolean lookupsInMemory(Submitted event) {
        return lookupsInMemory(List.of(event));
    }

    /**
     * Whether {@link #submit} waits for the journal over the network (the Kafka journal waits for Kafka's
     * acknowledgement): then callers on an event loop use {@link #submitAsync} instead.
     */
    default boolean submitBlocks() {
        return false;
    }

    /**
     * {@link #submit} that does not wait for the journal's acknowledgement on the calling thread: the future
     * completes with the submissions once the journal holds the events, or fails with
     * {@link IngestRefusedException}. The work after the acknowledgement (the id index, the outcomes asked
     * for) and the completion run on {@code continueOn} (the request's event loop), unless the future is
     * already complete when this returns. The id lookups run on the calling thread: call it off the event
     * loop when {@link #lookupsInMemory(List)} is false. This default submits on the calling thread.
     */
    default CompletableFuture<List<Submission>> submitAsync(List<Submitted> events, boolean awaitOutcome,
                                                            java.util.concurrent.Executor continueOn) {
        try {
            return CompletableFuture.completedFuture(submit(events, awaitOutcome));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Completes once every record up to {@code seq} is as durable as {@code journal.sync} promises:
     * at once with {@code none} (already safe from a process crash), after a disk sync with {@code batch}
     * (many requests share one sync). Acknowledge a journaled event only after this completes.
     */
    CompletableFuture<Void> durable(long seq);

    /** The stored customer view, or null when the customer does not exist. */
    CompletableFuture<CustomerView> customer(String id);

    /**
     * The stored customer view with, per account, its soonest {@code expiringMax} expiry instants and their
     * points ({@code GET /customers/{id}}), or null when the customer does not exist.
     */
    CompletableFuture<CustomerDetail> customerDetail(String id, int expiringMax);

    /** A page of the customer's ledger, newest first, or null when the customer does not exist. */
    CompletableFuture<LedgerPage> ledger(String id, int limit, long beforeId);

    /** Where the event of that seq stands. */
    CompletableFuture<EventStatus> event(long seq);

    /**
     * Whole-programme figures as of the last committed batch of every partition.
     *
     * @throws IngestRefusedException 503 while a partition has stopped (its figures would lag the journal)
     */
    ProgramStats stats();

    /**
     * Moves the clock offset forward and journals a clock record; completes with the new ingest time
     * once every partition applied it.
     */
    CompletableFuture<Long> advanceClock(long seconds);

    /** Recovery finished, every partition caught up with the journal as of start, journal writable. */
    boolean ready();

    /**
     * The program in front of the engine listens now (its HTTP servers are up): background work that would only
     * compete with a start for the CPU, such as the idempotency index's filter scan, may begin once the engine is
     * also {@link #ready()}. An engine that is never told waits a bounded time instead; this default ignores it.
     */
    default void serving() {
    }

    /**
     * Who owns each partition when several nodes share a Kafka journal (requests for the others' customers are
     * forwarded to them); null on Chronicle, where this node serves every partition.
     */
    default dev.loyalty.engine.cluster.ClusterView cluster() {
        return null;
    }

    @Override
    void close();

    /** One event to journal and the hash of its request body (idempotency), 0 when it has no id. */
    record Submitted(Event event, long bodyHash) {
    }

    /**
     * The fate of one submitted event.
     *
     * @param seq        journal sequence (of the original, for a duplicate); -1 when refused
     * @param duplicate  true when the id was seen before with the same body: nothing new was journaled
     * @param result     completes with the outcome (for a duplicate, the stored one with the customer view
     *                   at the slot's place in the request: after the request's earlier events of that
     *                   customer, before its later ones, else current); null when not awaited or refused
     * @param refusal    non-null when this event alone was refused before the journal (409 idempotency_mismatch)
     */
    record Submission(long seq, boolean duplicate, CompletableFuture<EventResult> result, Refusal refusal) {
    }

    /** A refusal before the journal: HTTP status, error code, message. */
    record Refusal(int status, String code, String message) {
    }

    /** The outcome of a processed event and the customer right after it (null if the customer does not exist). */
    record EventResult(EventOutcome outcome, CustomerView customer) {
    }

    /** A customer's view and, per account in configuration order, when its points expire, soonest first. */
    record CustomerDetail(CustomerView view, Map<String, List<ExpiringPoints>> expiring) {
    }

    /** Page of ledger entries, newest first; {@code nextBefore} is -1 when there is no older entry. */
    record LedgerPage(List<LedgerEntry> entries, long nextBefore) {
    }

    /** State of a seq: unknown (or forgotten, or internal), pending, or done with its outcome. */
    record EventStatus(Kind kind, EventOutcome outcome) {
        /** Where an event stands. */
        public enum Kind { UNKNOWN, PENDING, DONE }
    }

    /**
     * Programme statistics (api.md, GET /stats); maps keep configuration order.
     *
     * @param activeMembers  window in days → active-status customers whose last activity is within it
     * @param expiring       window in days → account → points of lots expiring on one of the window's
     *                       days counted from the clock's day
     */
    record ProgramStats(long asOfMs, long eventsApplied, long membersTotal, long membersActive,
                        long membersOptedOut, Map<Integer, Long> activeMembers, Map<String, Long> tiers,
                        Map<String, Long> liability, Map<Integer, Map<String, Long>> expiring) {

        /**
         * Sums partition figures: {@code asOfMs} is the lowest partition clock (each partition counts its
         * windows against its own clock), maps named by {@code rules} in configuration order.
         */
        public static ProgramStats sum(List<PartitionStats.Snapshot> parts, RulesConfig rules, int[] windowsDays,
                                       int[] expiringWindowsDays) {
            long asOf = Long.MAX_VALUE;
            long applied = 0;
            long total = 0;
            long active = 0;
            long optedOut = 0;
            long[] tiers = new long[rules.tiers().levels().size()];
            long[] liability = new long[rules.accounts().size()];
            long[] byWindow = new long[windowsDays.length];
            long[][] expiring = new long[expiringWindowsDays.length][liability.length];
            for (PartitionStats.Snapshot s : parts) {
                asOf = Math.min(asOf, s.clockMs());
                applied += s.eventsApplied();
                total += s.membersTotal();
                active += s.membersActive();
                optedOut += s.membersOptedOut();
                for (int i = 0; i < tiers.length && i < s.tiers().length; i++) {
                    tiers[i] += s.tiers()[i];
                }
                for (int i = 0; i < liability.length && i < s.liability().length; i++) {
                    liability[i] += s.liability()[i];
                }
                for (int i = 0; i < byWindow.length && i < s.activeByWindow().length; i++) {
                    byWindow[i] += s.activeByWindow()[i];
                }
                for (int w = 0; w < expiring.length && w < s.expiringByWindow().length; w++) {
                    long[] part = s.expiringByWindow()[w];
                    for (int a = 0; a < liability.length && a < part.length; a++) {
                        expiring[w][a] += part[a];
                    }
                }
            }
            Map<Integer, Long> activeMembers = new LinkedHashMap<>();
            for (int i = 0; i < windowsDays.length; i++) {
                activeMembers.put(windowsDays[i], byWindow[i]);
            }
            Map<String, Long> tierMap = new LinkedHashMap<>();
            for (int i = 0; i < tiers.length; i++) {
                tierMap.put(rules.tiers().levels().get(i).name(), tiers[i]);
            }
            Map<String, Long> liabilityMap = new LinkedHashMap<>();
            for (int i = 0; i < liability.length; i++) {
                liabilityMap.put(rules.accounts().get(i).name(), liability[i]);
            }
            Map<Integer, Map<String, Long>> expiringMap = new LinkedHashMap<>();
            for (int w = 0; w < expiringWindowsDays.length; w++) {
                Map<String, Long> perAccount = new LinkedHashMap<>();
                for (int a = 0; a < liability.length; a++) {
                    perAccount.put(rules.accounts().get(a).name(), expiring[w][a]);
                }
                expiringMap.put(expiringWindowsDays[w], perAccount);
            }
            return new ProgramStats(asOf == Long.MAX_VALUE ? 0 : asOf, applied, total, active, optedOut,
                    activeMembers, tierMap, liabilityMap, expiringMap);
        }
    }

    /** Whole request refused before the journal (429 overloaded with Retry-After, 503 unavailable). */
    final class IngestRefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;
        private final int retryAfterSeconds;

        public IngestRefusedException(int status, String code, String message, int retryAfterSeconds) {
            super(message);
            this.status = status;
            this.code = code;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }

        /** Seconds for the Retry-After header; 0 when none. */
        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
