package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.RecordType;
import dev.loyalty.engine.rules.ApplyContext;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.CustomerCodec;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.Rules;
import dev.loyalty.engine.state.BinaryReader;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.OutcomeCodec;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.state.StateException;
import dev.loyalty.engine.stats.CustomerFacts;
import dev.loyalty.engine.stats.PartitionStats;
import net.openhft.chronicle.bytes.Bytes;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The single writer of one partition: tails the journal, applies the events of its customers with the
 * rules, and commits one RocksDB write batch per drained batch together with the journal position it
 * applied up to (exactly-once effect after any crash). Waiting requests are completed only after the
 * batch is committed. Queries for its customers run on this thread between batches, so they always see
 * committed state. Only {@link #run()} runs on the processor thread; the other public methods are
 * thread-safe hand-offs.
 */
public final class PartitionProcessor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionProcessor.class);
    private static final byte[] STATS = Keys.meta("stats");
    private static final byte[] RULES = Keys.meta("rules");
    private static final byte[] MARKS = Keys.meta("outcome-marks");
    /** Present once the expiring buckets cover every customer (absent in folders older than them). */
    private static final byte[] EXPIRING_BUILT = Keys.meta("expiring-built");
    private static final long HOUR_MS = 3_600_000L;

    private final int partition;
    private final int partitions;
    private final PartitionStore store;
    private final JournalReader reader;
    private final Function<String, RulesConfig> rulesParser;
    private final ConcurrentHashMap<Long, CompletableFuture<EventResult>> waiters;
    private final AtomicInteger inFlight;
    private final ProcessorListener listener;
    private final int batchMax;
    private final long outcomeRetentionMs;
    private final int[] activeWindowsDays;
    private final int[] expiringWindowsDays;
    private final long catchUpSeq;
    private final long flushEveryNs;
    private final ProcessorMetrics metrics;
    private final ReplayHooks hooks;

    private final ConcurrentLinkedQueue<Task> inbox = new ConcurrentLinkedQueue<>();
    private final CustomerCache cache;
    private final LinkedHashMap<String, Customer> dirty = new LinkedHashMap<>();
    private final List<LedgerEntry> ledger = new ArrayList<>();
    private final List<Object[]> completions = new ArrayList<>();
    /** Views asked for at a seq (see {@link #viewAt}), registered before the record holding it is visible. */
    private final ConcurrentHashMap<Long, ViewHook> viewHooks = new ConcurrentHashMap<>();
    /** Views captured in this batch, handed over once it is committed (like outcomes to waiters). */
    private final List<CapturedView> capturedViews = new ArrayList<>();
    private final List<Long> clockRecords = new ArrayList<>();
    private final BatchClock clock = new BatchClock();
    private final Context ctx = new Context();
    private final PartitionStats stats = new PartitionStats();
    private final CustomerFacts before = new CustomerFacts();
    private final CustomerFacts after = new CustomerFacts();
    private final BinaryWriter writer = new BinaryWriter(4096);
    private final ArrayDeque<long[]> outcomeMarks = new ArrayDeque<>();
    private final JournalReader.RecordVisitor visitor = this::onRecord;

    private WriteBatch batch = new WriteBatch();
    private Rules rules;
    private String rulesJson;
    private long position = -1;
    private long lastSeq;
    private long lastSweptMs = Long.MIN_VALUE;
    private long lastFlushNs = System.nanoTime();
    /**
     * No committed due-index entry lies in {@code (lastSweptMs, nextIndexedDueMs)}: a lower bound of the next
     * sweep's first find, so that batches before it skip the index scan (an iterator per batch).
     */
    private long nextIndexedDueMs = Long.MIN_VALUE;
    /** The buckets were rebuilt at start: record that with the next commit. */
    private boolean expiringBuiltPending;
    private int batchWork;
    private int batchEvents;
    private long batchFirstEventIngestMs;

    private volatile Thread thread;
    private volatile boolean running = true;
    private volatile boolean failed;
    private volatile boolean caughtUp;
    private volatile long appliedSeq;
    private volatile long appliedPosition = -1;
    private volatile long drainDeadlineNs;
    private volatile long eventsProcessed;
    private volatile PartitionStats.Snapshot snapshot;

    /**
     * @param catchUpSeq        journal seq as of start: the partition is caught up once it has read past it
     * @param waiters           futures of requests waiting for outcomes of this partition's events, by seq
     * @param rulesParser       turns journaled rules JSON into a configuration
     * @param initialRulesJson  rules to use when the journal has none yet (a fresh data folder)
     * @param flushEveryNs      longest time between state flushes ({@code state.flush-interval})
     * @param expiringWindowsDays windows of the expiring-points forecast ({@code stats.expiring-windows})
     */
    public PartitionProcessor(int partition, int partitions, PartitionStore store, JournalReader reader,
                              Function<String, RulesConfig> rulesParser, String initialRulesJson,
                              ConcurrentHashMap<Long, CompletableFuture<EventResult>> waiters,
                              AtomicInteger inFlight, ProcessorListener listener, int batchMax, int cacheCustomers,
                              long outcomeRetentionMs, int[] activeWindowsDays, int[] expiringWindowsDays,
                              long catchUpSeq, long flushEveryNs, ProcessorMetrics metrics) {
        this(partition, partitions, store, reader, rulesParser, initialRulesJson, waiters, inFlight, listener,
                batchMax, cacheCustomers, outcomeRetentionMs, activeWindowsDays, expiringWindowsDays, catchUpSeq,
                flushEveryNs, metrics, ReplayHooks.NONE);
    }

    /** A processor whose rules in force and observations go through {@code hooks} (what-if replays). */
    public PartitionProcessor(int partition, int partitions, PartitionStore store, JournalReader reader,
                              Function<String, RulesConfig> rulesParser, String initialRulesJson,
                              ConcurrentHashMap<Long, CompletableFuture<EventResult>> waiters,
                              AtomicInteger inFlight, ProcessorListener listener, int batchMax, int cacheCustomers,
                              long outcomeRetentionMs, int[] activeWindowsDays, int[] expiringWindowsDays,
                              long catchUpSeq, long flushEveryNs, ProcessorMetrics metrics, ReplayHooks hooks) {
        this.hooks = hooks;
        this.partition = partition;
        this.partitions = partitions;
        this.store = store;
        this.reader = reader;
        this.rulesParser = rulesParser;
        this.waiters = waiters;
        this.inFlight = inFlight;
        this.listener = listener;
        this.batchMax = batchMax;
        this.cache = new CustomerCache(cacheCustomers);
        this.outcomeRetentionMs = outcomeRetentionMs;
        this.activeWindowsDays = activeWindowsDays.clone();
        this.expiringWindowsDays = expiringWindowsDays.clone();
        this.catchUpSeq = catchUpSeq;
        this.flushEveryNs = flushEveryNs;
        this.metrics = metrics;
        recover(initialRulesJson);
    }

    /** The rules JSON in force in a partition's state, or null when it has applied no rules yet. */
    public static String storedRules(PartitionStore store) {
        byte[] rj = store.get(RULES);
        return rj != null ? new String(rj, java.nio.charset.StandardCharsets.UTF_8) : null;
    }

    /** Loads the checkpoint, statistics and rules in force, and positions the reader after the checkpoint. */
    private void recover(String initialRulesJson) {
        PartitionCheckpoint cp = PartitionCheckpoint.read(store);
        if (cp != null) {
            position = cp.position();
            lastSeq = cp.lastSeq();
            lastSweptMs = cp.lastSweptMs();
            clock.restore(cp.clockMs(), cp.clockSeq());
            reader.seekAfter(position);
        }
        byte[] s = store.get(STATS);
        if (s != null) {
            stats.decodeScalars(s);
        }
        store.forEachWithPrefix(Keys.DAY, (k, v) -> {
            stats.loadDay(keyLong(k), new BinaryReader(v).readLong());
            return true;
        });
        byte[] marks = store.get(MARKS);
        if (marks != null) {
            BinaryReader r = new BinaryReader(marks);
            int n = r.readVarInt();
            for (int i = 0; i < n; i++) {
                outcomeMarks.add(new long[] {r.readLong(), r.readLong()});
            }
        }
        String stored = storedRules(store);
        rulesJson = stored != null ? stored : initialRulesJson;
        rules = new Rules(rulesParser.apply(rulesJson));
        store.forEachWithPrefix(Keys.EXPIRING, (k, v) -> {
            stats.loadExpiring(Keys.expiringAccount(k), Keys.expiringDay(k), new BinaryReader(v).readLong());
            return true;
        });
        if (store.get(EXPIRING_BUILT) == null) {
            // A fresh folder, or one written before the forecast existed: count the customers once.
            rebuildExpiring(false);
            expiringBuiltPending = true;
        }
        appliedSeq = lastSeq;
        appliedPosition = position;
        caughtUp = lastSeq >= catchUpSeq;
        publish();
    }

    private static long keyLong(byte[] k) {
        long x = 0;
        for (int i = 1; i < 9; i++) {
            x = (x << 8) | (k[i] & 0xff);
        }
        return x ^ Long.MIN_VALUE;
    }

    public int partition() {
        return partition;
    }

    /** Highest journal seq this partition has read and committed. */
    public long appliedSeq() {
        return appliedSeq;
    }

    /**
     * Journal position of the last record committed to the store, or -1 before the first: the partition
     * will need the journal from right after it. (With RocksDB's WAL off the committed position is durable
     * only once the memtable is flushed.)
     */
    public long appliedPosition() {
        return appliedPosition;
    }

    /** True once the partition has read everything journaled before the engine started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Events of this partition applied or rejected since this processor started. */
    public long eventsProcessed() {
        return eventsProcessed;
    }

    public boolean failed() {
        return failed;
    }

    /** Statistics as of the last committed batch. */
    public PartitionStats.Snapshot snapshot() {
        return snapshot;
    }

    /** Wakes the processor (something was journaled). */
    public void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Stops the loop after the current batch; {@link #run()} returns once committed. */
    public void stop() {
        stop(System.nanoTime());
    }

    /**
     * Stops the loop, first applying what is already journaled, batch by batch, until the partition has
     * caught up or {@code drainDeadlineNs} ({@link System#nanoTime()}) has passed; {@link #run()} returns
     * once the last batch is committed. What is left is applied at the next start (the journal keeps it).
     */
    public void stop(long drainDeadlineNs) {
        this.drainDeadlineNs = drainDeadlineNs;
        running = false;
        wake();
    }

    /**
     * Refills the expiring buckets from every customer of the partition under the rules in force: the
     * committed ones from the store, those changed in this batch from memory. Runs at start for a folder
     * without buckets and at a journaled rules change that moves the expiry of existing lots (a policy or
     * its days changed): O(customers) then, never per event or per query. The state it reads is the
     * journal's state at that record, so replay rebuilds the same buckets.
     *
     * @param reindex also take into this batch every stored customer whose due time moved, so that the
     *                commit re-indexes it (a rules change)
     */
    private void rebuildExpiring(boolean reindex) {
        stats.clearExpiring();
        List<Customer> moved = new ArrayList<>();
        store.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            if (dirty.isEmpty()
                    || !dirty.containsKey(new String(k, 1, k.length - 1, java.nio.charset.StandardCharsets.UTF_8))) {
                Customer c = CustomerCodec.decode(v);
                stats.addExpiring(before.capture(c, rules));
                if (reindex && rules.nextDueMs(c) != c.indexedDueMs()) {
                    moved.add(c);
                }
            }
            return true;
        });
        for (Customer c : dirty.values()) {
            stats.addExpiring(before.capture(c, rules));
        }
        for (Customer c : moved) {
            dirty.put(c.id(), c);
        }
    }

    /**
     * A journaled rules change moved every lot's expiry: recount the buckets, re-index the customers whose
     * due time moved, and run the expiries the new rules make overdue right at this record (their entries
     * carry its seq), so that where batches end changes nothing.
     */
    private void expiryMoved(long seq) {
        rebuildExpiring(true);
        long now = clock.nowMs();
        if (now == Long.MIN_VALUE) {
            return;
        }
        ctx.seq = seq;
        ctx.ingestMs = now;
        ctx.seqFixed = true;
        try {
            for (Customer c : dirty.values()) {
                if (rules.nextDueMs(c) <= now) {
                    runDue(c);
                }
            }
        } finally {
            ctx.seqFixed = false;
        }
    }

    // ---------------------------------------------------------------- queries (any thread)

    /** The customer's view, or null when unknown; answered on the processor thread. */
    public CompletableFuture<CustomerView> customer(String id) {
        return query(() -> {
            Customer c = load(id);
            return c.exists() ? rules.view(c, clock.nowMs()) : null;
        });
    }

    /** The customer's view with up to {@code expiringMax} expiry instants per account, or null when unknown. */
    public CompletableFuture<LoyaltyEngine.CustomerDetail> customerDetail(String id, int expiringMax) {
        return query(() -> {
            Customer c = load(id);
            return c.exists() ? new LoyaltyEngine.CustomerDetail(rules.view(c, clock.nowMs()),
                    rules.expiring(c, expiringMax)) : null;
        });
    }

    /** A ledger page, or null when the customer is unknown. */
    public CompletableFuture<LedgerPage> ledger(String id, int limit, long beforeId) {
        return query(() -> {
            Customer c = load(id);
            if (!c.exists()) {
                return null;
            }
            List<byte[]> raw = store.ledgerBefore(id, beforeId, limit + 1);
            List<LedgerEntry> entries = new ArrayList<>(Math.min(raw.size(), limit));
            for (int i = 0; i < raw.size() && i < limit; i++) {
                entries.add(OutcomeCodec.decodeEntry(raw.get(i)));
            }
            long next = raw.size() > limit ? entries.get(entries.size() - 1).id() : -1;
            return new LedgerPage(entries, next);
        });
    }

    /** Where the event of that seq stands, for events of this partition. */
    public CompletableFuture<EventStatus> event(long seq) {
        return query(() -> {
            byte[] o = store.get(Keys.outcome(seq));
            if (o != null) {
                return new EventStatus(EventStatus.Kind.DONE, OutcomeCodec.decode(o));
            }
            return null;
        });
    }

    /**
     * The customer's view at one place in the journal: just before the event of {@code seq} is applied
     * ({@code before}) or right after it, with the clock of its record; null when the customer does not
     * exist there. Completes once that batch is committed. Call before the record holding {@code seq} can
     * be read by this processor (inside the append callback, as waiters are registered): a later call
     * would never complete. Gives the duplicate slots of a bulk their customer at their place in it.
     */
    public CompletableFuture<CustomerView> viewAt(long seq, boolean before) {
        if (failed) {
            return CompletableFuture.failedFuture(stopped());
        }
        ViewHook hook = viewHooks.compute(seq, (k, old) -> ViewHook.with(old, before));
        return before ? hook.before() : hook.after();
    }

    /** Forgets views asked for at a seq whose record was not journaled after all. */
    public void dropViewAt(long seq) {
        viewHooks.remove(seq);
    }

    /** Stored outcome of the event of that seq; waits for the event if it is not applied yet. */
    public CompletableFuture<EventOutcome> outcome(long seq) {
        return duplicate(seq, null).thenApply(EventResult::outcome);
    }

    /**
     * Stored outcome with the customer's current view (no view with a null {@code customer}); waits for
     * the event if it is not applied yet.
     */
    public CompletableFuture<EventResult> duplicate(long seq, String customer) {
        CompletableFuture<EventResult> out = new CompletableFuture<>();
        if (failed) {
            out.completeExceptionally(stopped());
            return out;
        }
        inbox.add(new Task(out, () -> {
            try {
                byte[] o = store.get(Keys.outcome(seq));
                if (o != null) {
                    Customer c = customer == null ? null : load(customer);
                    out.complete(new EventResult(OutcomeCodec.decode(o),
                            c != null && c.exists() ? rules.view(c, clock.nowMs()) : null));
                } else {
                    // Not applied yet (this thread applies, so it cannot be applied meanwhile). Never replace
                    // a waiter already there (the original request's): commit completes only the mapped one.
                    CompletableFuture<EventResult> existing = waiters.putIfAbsent(seq, out);
                    if (existing == null) {
                        inFlight.incrementAndGet();
                    } else {
                        existing.whenComplete((r, e) -> {
                            if (e != null) {
                                out.completeExceptionally(e);
                            } else {
                                out.complete(r);
                            }
                        });
                    }
                }
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        }));
        failQueuedIfStopped();
        wake();
        return out;
    }

    private <T> CompletableFuture<T> query(java.util.function.Supplier<T> q) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (failed) {
            f.completeExceptionally(stopped());
            return f;
        }
        inbox.add(new Task(f, () -> {
            try {
                f.complete(q.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }));
        failQueuedIfStopped();
        wake();
        return f;
    }

    /**
     * The answer to anything asked of a stopped partition: {@code 503}, never its last state, which may
     * lag behind what was journaled (and its in-memory state may hold a half-applied batch).
     */
    private LoyaltyEngine.IngestRefusedException stopped() {
        return new LoyaltyEngine.IngestRefusedException(503, "unavailable",
                "partition " + partition + " has stopped after a state failure; the engine needs a restart", 0);
    }

    /** A task queued while the partition stopped would never run: fail it (the failing thread may have drained already). */
    private void failQueuedIfStopped() {
        if (failed) {
            Task t;
            while ((t = inbox.poll()) != null) {
                t.future().completeExceptionally(stopped());
            }
        }
    }

    /** A query for the processor thread and the future it completes. */
    private record Task(CompletableFuture<?> future, Runnable body) {
    }

    /** Views asked for at one seq: just before applying it, right after it (each null when not asked). */
    private record ViewHook(CompletableFuture<CustomerView> before, CompletableFuture<CustomerView> after) {

        /** This hook (or a new one) also asking for the view {@code before} or after; askers share futures. */
        static ViewHook with(ViewHook old, boolean before) {
            CompletableFuture<CustomerView> b = old == null ? null : old.before();
            CompletableFuture<CustomerView> a = old == null ? null : old.after();
            if (before && b == null) {
                return new ViewHook(new CompletableFuture<>(), a);
            }
            if (!before && a == null) {
                return new ViewHook(b, new CompletableFuture<>());
            }
            return old;
        }
    }

    /** A view captured while applying, and who waits for it. */
    private record CapturedView(CompletableFuture<CustomerView> future, CustomerView view) {
    }

    // ---------------------------------------------------------------- the loop

    @Override
    public void run() {
        thread = Thread.currentThread();
        int idle = 0;
        try {
            while (running) {
                int work = drain();
                work += serveQueries();
                if (work > 0) {
                    idle = 0;
                } else {
                    idle = idle(idle);
                }
            }
            int drained = drain();
            while (drained > 0 && System.nanoTime() - drainDeadlineNs < 0) {
                drained = drain();
            }
            serveQueries();
        } catch (Throwable t) {
            failed = true;
            LOG.error("partition {} stopped at seq {}: {}", partition, lastSeq + 1, t.toString(), t);
            listener.failed(partition, lastSeq + 1, t);
            failWaiters(t);
            failQueuedIfStopped();
        } finally {
            reader.close();
        }
    }

    /**
     * Back off when idle: a few spins and yields, then parks growing to 5 ms (never busy-spin: on 2 cores
     * that starves the event loops and RocksDB's compactions). Appends wake the owning partition at once.
     */
    private static int idle(int idle) {
        if (idle < 10) {
            Thread.onSpinWait();
        } else if (idle < 20) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(5_000_000L, 20_000L << Math.min(idle - 20, 8)));
        }
        return idle + 1;
    }

    private int serveQueries() {
        int n = 0;
        Task q;
        while ((q = inbox.poll()) != null) {
            q.body().run();
            n++;
        }
        return n;
    }

    /** Reads and applies up to a batch of records, then commits them; returns the records read. */
    private int drain() {
        int records = 0;
        batchWork = 0;
        batchEvents = 0;
        long startNs = System.nanoTime();
        while (batchWork < batchMax && reader.next(visitor)) {
            records++;
            batchWork++;
        }
        if (records > 0) {
            commit();
            metrics.batch(partition, records, batchEvents, System.nanoTime() - startNs, batchFirstEventIngestMs);
        }
        return records;
    }

    private void onRecord(long recordPosition, RecordHeader h, Bytes<?> payload) {
        long first = h.firstSeq();
        if (hooks.settleBefore(h.ingestMs())) {
            runDueWork();
        }
        hooks.beforeRecord(h.ingestMs(), stats);
        clock.advance(h.ingestMs(), first);
        long last = first;
        String journaledRules = h.type() == RecordType.RULES ? payload.readUtf8() : null;
        String inForce = hooks.rulesFor(h.ingestMs(), journaledRules);
        if (inForce != null && (journaledRules != null || !inForce.equals(rulesJson))) {
            putInForce(inForce, first);
        }
        switch (h.type()) {
            case EVENTS: {
                last = h.lastSeq();
                if (h.skipped()) {
                    break; // none of this partition's events: the reader did not read the payload
                }
                int n = (int) payload.readStopBit();
                for (int i = 0; i < n; i++) {
                    int hash = payload.readInt();
                    int len = payload.readInt();
                    if (PartitionHash.partition(hash, partitions) != partition) {
                        payload.readSkip(len);
                        continue;
                    }
                    Event e = EventCodec.read(payload);
                    if (batchEvents == 0) {
                        batchFirstEventIngestMs = h.ingestMs();
                    }
                    apply(e, first + i, h.ingestMs());
                    batchWork++;
                    batchEvents++;
                    eventsProcessed++;
                }
                break;
            }
            case CLOCK:
                clockRecords.add(first);
                break;
            case RULES:
            case HEARTBEAT:
            default:
                break;
        }
        markOutcomes(last);
        position = recordPosition;
        lastSeq = last;
    }

    /** Puts those rules in force (read from the rules record of {@code seq}, or substituted by the hooks there). */
    private void putInForce(String json, long seq) {
        if (!json.equals(rulesJson)) {
            // Work that fell due under the old rules runs under them.
            runDueWork();
            Rules next = new Rules(rulesParser.apply(json));
            boolean expiryMoved = !next.sameExpiry(rules);
            rules = next;
            if (expiryMoved) {
                expiryMoved(seq);
            }
        }
        rulesJson = json;
        put(RULES, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void apply(Event e, long seq, long ingestMs) {
        Customer c = load(e.customer());
        // Hooks are rare (duplicate slots of bulks): one emptiness check per event otherwise.
        ViewHook hook = viewHooks.isEmpty() ? null : viewHooks.remove(seq);
        if (hook != null && hook.before() != null) {
            capture(hook.before(), c);
        }
        before.capture(c, rules);
        ctx.seq = seq;
        ctx.ingestMs = ingestMs;
        ledger.clear();
        EventOutcome outcome = rules.apply(c, e, ctx, ledger);
        after.capture(c, rules);
        stats.change(before, after);
        hooks.outcome(outcome);
        if (outcome.applied()) {
            stats.countApplied();
        }
        if (c.exists()) {
            dirty.put(c.id(), c);
        }
        writeLedger(c.id());
        byte[] key = Keys.outcome(seq);
        byte[] value = OutcomeCodec.encode(writer, outcome);
        put(key, value);
        metrics.applied(e.action(), outcome);
        if (waiters.containsKey(seq)) {
            completions.add(new Object[] {seq, new EventResult(outcome,
                    c.exists() ? rules.view(c, clock.nowMs()) : null)});
        }
        if (hook != null && hook.after() != null) {
            capture(hook.after(), c);
        }
    }

    private void capture(CompletableFuture<CustomerView> future, Customer c) {
        capturedViews.add(new CapturedView(future, c.exists() ? rules.view(c, clock.nowMs()) : null));
    }

    private void writeLedger(String customer) {
        for (int i = 0; i < ledger.size(); i++) {
            LedgerEntry entry = ledger.get(i);
            hooks.ledger(entry);
            byte[] k = Keys.ledger(customer, entry.id());
            byte[] v = OutcomeCodec.encodeEntry(writer, entry);
            put(k, v);
        }
        ledger.clear();
    }

    /** The customer as of this batch: dirty, else decoded from the cache or the store, else blank. */
    private Customer load(String id) {
        Customer c = dirty.get(id);
        if (c != null) {
            return c;
        }
        byte[] raw = cache.get(id);
        if (raw == null) {
            raw = store.get(Keys.customer(id));
            if (raw == null) {
                return new Customer(id, rules.config().accounts().size());
            }
            cache.put(id, raw);
        }
        return CustomerCodec.decode(raw);
    }

    /**
     * Runs all work due by the clock: for customers touched in this batch (in memory) and for those the
     * due index names (committed state). Then the due index no longer has entries at or before the clock.
     */
    private void runDueWork() {
        long now = clock.nowMs();
        if (now == Long.MIN_VALUE) {
            return;
        }
        ctx.seq = clock.seqOfNow();
        ctx.ingestMs = now;
        for (Customer c : dirty.values()) {
            if (rules.nextDueMs(c) <= now) {
                runDue(c);
            }
        }
        if (now > lastSweptMs) {
            if (now >= nextIndexedDueMs) {
                long from = lastSweptMs == Long.MIN_VALUE ? Long.MIN_VALUE : lastSweptMs + 1;
                for (String id : store.customersDue(from, now)) {
                    if (dirty.containsKey(id)) {
                        continue;
                    }
                    Customer c = load(id);
                    runDue(c);
                    dirty.put(id, c);
                }
                // Entries at or before now belong to customers now dirty: commit moves them past now.
                nextIndexedDueMs = store.firstDueAfter(now);
            }
            lastSweptMs = now;
        }
    }

    private void runDue(Customer c) {
        before.capture(c, rules);
        ledger.clear();
        rules.runDue(c, ctx, ledger);
        after.capture(c, rules);
        stats.change(before, after);
        writeLedger(c.id());
    }

    /** Outcomes are forgotten after the retention: remember, per hour of clock, the last seq read. */
    private void markOutcomes(long seq) {
        long hour = Math.floorDiv(clock.nowMs(), HOUR_MS);
        long[] lastMark = outcomeMarks.peekLast();
        if (lastMark == null || lastMark[0] < hour) {
            outcomeMarks.addLast(new long[] {hour, seq});
        } else {
            lastMark[1] = seq;
        }
    }

    private void forgetOldOutcomes() {
        long horizonHour = Math.floorDiv(clock.nowMs() - outcomeRetentionMs, HOUR_MS);
        long upTo = -1;
        while (outcomeMarks.size() > 1 && outcomeMarks.peekFirst()[0] < horizonHour) {
            upTo = outcomeMarks.pollFirst()[1];
        }
        if (upTo >= 0) {
            byte[] from = Keys.outcome(0);
            byte[] to = Keys.outcome(upTo + 1);
            deleteRange(from, to);
        }
    }

    private void commit() {
        runDueWork();
        forgetOldOutcomes();
        for (Map.Entry<String, Customer> en : dirty.entrySet()) {
            String id = en.getKey();
            Customer c = en.getValue();
            long due = rules.nextDueMs(c);
            long indexed = c.indexedDueMs();
            if (due != indexed) {
                if (indexed != Long.MAX_VALUE) {
                    byte[] old = Keys.due(indexed, id);
                    delete(old);
                }
                if (due != Long.MAX_VALUE) {
                    byte[] k = Keys.due(due, id);
                    put(k, new byte[0]);
                    nextIndexedDueMs = Math.min(nextIndexedDueMs, due);
                }
                c.indexedDueMs(due);
            }
            byte[] k = Keys.customer(id);
            byte[] v = CustomerCodec.encode(c);
            put(k, v);
            cache.put(id, v);
        }
        stats.drainDirtyDays((day, count) -> {
            byte[] k = Keys.day(day);
            if (count == 0) {
                delete(k);
            } else {
                byte[] v = new BinaryWriter(8).writeLong(count).toBytes();
                put(k, v);
            }
        });
        stats.drainDirtyExpiring((account, day, points) -> {
            byte[] k = Keys.expiring(account, day);
            if (points == 0) {
                delete(k);
            } else {
                byte[] v = new BinaryWriter(8).writeLong(points).toBytes();
                put(k, v);
            }
        });
        if (expiringBuiltPending) {
            put(EXPIRING_BUILT, new byte[] {1});
            expiringBuiltPending = false;
        }
        byte[] st = stats.encodeScalars(writer);
        put(STATS, st);
        writer.reset().writeVarInt(outcomeMarks.size());
        for (long[] m : outcomeMarks) {
            writer.writeLong(m[0]).writeLong(m[1]);
        }
        byte[] marks = writer.toBytes();
        put(MARKS, marks);
        byte[] cp = new PartitionCheckpoint(position, lastSeq, clock.nowMs(), clock.seqOfNow(), lastSweptMs)
                .encode(writer);
        put(PartitionCheckpoint.KEY, cp);
        store.commit(batch);
        flushNowAndThen();
        batch.close();
        batch = new WriteBatch();
        dirty.clear();
        clock.newBatch();
        // Statistics first: whoever sees the partition caught up (ready) must see its figures too.
        publish();
        appliedSeq = lastSeq;
        appliedPosition = position;
        if (!caughtUp && lastSeq >= catchUpSeq) {
            caughtUp = true;
            LOG.info("partition {} caught up with the journal at seq {}", partition, lastSeq);
        }
        for (Object[] c : completions) {
            CompletableFuture<EventResult> f = waiters.remove((Long) c[0]);
            if (f != null) {
                inFlight.decrementAndGet();
                f.complete((EventResult) c[1]);
            }
        }
        completions.clear();
        for (CapturedView v : capturedViews) {
            v.future().complete(v.view());
        }
        capturedViews.clear();
        for (Long seq : clockRecords) {
            listener.clockRecordApplied(partition, seq);
        }
        clockRecords.clear();
    }

    /**
     * With RocksDB's write-ahead log off, what is committed but not flushed is re-applied from the journal
     * after a crash: a flush at least every {@link #flushEveryNs} bounds that work (and the restart after
     * a SIGKILL) to {@code state.flush-interval} of traffic, instead of up to three full memtables.
     */
    private void flushNowAndThen() {
        long now = System.nanoTime();
        if (now - lastFlushNs >= flushEveryNs) {
            lastFlushNs = now;
            store.flushInBackground();
        }
    }

    private void publish() {
        snapshot = stats.snapshot(clock.nowMs() == Long.MIN_VALUE ? 0 : clock.nowMs(), activeWindowsDays,
                expiringWindowsDays, rules.config().accounts().size());
    }

    private void failWaiters(Throwable t) {
        for (Long seq : waiters.keySet()) {
            CompletableFuture<EventResult> f = waiters.remove(seq);
            if (f != null) {
                inFlight.decrementAndGet();
                f.completeExceptionally(t);
            }
        }
        for (CapturedView v : capturedViews) {
            v.future().completeExceptionally(t);
        }
        capturedViews.clear();
        for (Long seq : viewHooks.keySet()) {
            ViewHook h = viewHooks.remove(seq);
            if (h != null && h.before() != null) {
                h.before().completeExceptionally(t);
            }
            if (h != null && h.after() != null) {
                h.after().completeExceptionally(t);
            }
        }
    }

    private void put(byte[] key, byte[] value) {
        try {
            batch.put(key, value);
        } catch (RocksDBException e) {
            throw new StateException("write batch failed: " + e.getMessage(), e);
        }
    }

    private void delete(byte[] key) {
        try {
            batch.delete(key);
        } catch (RocksDBException e) {
            throw new StateException("write batch failed: " + e.getMessage(), e);
        }
    }

    private void deleteRange(byte[] from, byte[] to) {
        try {
            batch.deleteRange(from, to);
        } catch (RocksDBException e) {
            throw new StateException("write batch failed: " + e.getMessage(), e);
        }
    }

    /** The journal facts the rules see for the record being applied. */
    private final class Context implements ApplyContext {
        long seq;
        long ingestMs;
        /** Due work is attributed to {@link #seq} itself (work a rules record made overdue). */
        boolean seqFixed;

        @Override
        public long seq() {
            return seq;
        }

        @Override
        public long ingestTimeMs() {
            return ingestMs;
        }

        @Override
        public long clockMs() {
            return clock.nowMs();
        }

        @Override
        public long seqWhenDue(long dueMs) {
            return seqFixed ? seq : clock.seqWhenDue(dueMs);
        }
    }
}
