package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.journal.JournalEvent;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.RecordType;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.RuleError;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.stats.PartitionStats;
import net.openhft.chronicle.bytes.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The agent of one partition: tails the journal, applies the events of its customers to its
 * {@link PartitionState} (compact in-memory state, core v2 rules) and commits that state write-behind: one
 * RocksDB write batch every {@link #COMMIT_EVENTS} events, {@link #COMMIT_BYTES} of pending writes or
 * {@code state.flush-interval}, when the journal stays drained (idle), at catch-up and at a stop, always together with the journal position it reflects
 * (exactly-once effect after any crash: the partition loads its last commit and applies the journal from
 * there). This thread encodes each commit; its {@link Committer} thread writes it, one in flight at a time. Waiting requests are completed after each drained batch, once its effects are in memory; queries
 * for its customers run on this thread between batches and read memory first, so they always see what was
 * acknowledged. Only {@link #run()} runs on the processor thread; the other public methods are thread-safe
 * hand-offs.
 */
public final class PartitionProcessor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionProcessor.class);
    /**
     * Least heap of a held customer (its row of fixed fields and counters, id, index entry): bounds the number of
     * slots a table's byte budget can ask for. Real customers take more ({@code TableFootprint}: 400 B-1.2 KB).
     */
    static final long MIN_BYTES_PER_CUSTOMER = 256;
    /** Events applied between commits at most: bounds the pending batch and its read index. */
    static final long COMMIT_EVENTS = 200_000;
    /**
     * Longest time between commits with RocksDB's WAL on: what a SIGKILL makes the start re-apply, cold (empty table
     * and warm tier, cold code: ~14K journal records a second a partition against ~40K live). A second of bulk load
     * was up to 44K records behind (3.2 s of catch-up); a quarter of one bounds it to about 12K, and under uniform
     * traffic a commit writes about as many rows either way (few customers change twice within a second), so only the
     * per-commit part (log force, stats and metadata keys, the WAL record) is paid four times as often.
     */
    static final long WAL_COMMIT_NS = 250_000_000L;
    /** Pending batch size that triggers a commit. */
    static final long COMMIT_BYTES = 64L << 20;
    /**
     * Heap of heavy dirty rows ({@link PartitionState#heavyRowBytes}) a timed commit may re-encode per event applied
     * since the last commit: past it the timed commit waits for more events (see {@link #commitDue}).
     */
    static final long HEAVY_BYTES_PER_EVENT = 256;
    /** Longest a timed commit waits for heavy rows to be worth re-encoding ({@link #commitDue}). */
    static final long HEAVY_WAIT_NS = 10_000_000_000L;
    /**
     * Least time between two idle commits ({@link #commitDue}; at most {@code commitEveryNs}). Open-loop sync bulks
     * leave a partition drained for the ~5 ms of an idle commit between many of them: at 200 bulks a second the
     * partitions committed 90-120 times a second each (85-110 events a commit: a derived-log fsync, a WAL record, a
     * hand-over each), and the committer cost 8.1-8.3 us of CPU an event. At most every 50 ms: ~15 a second, the
     * committer 4.4-4.5 us an event, gc+vm unchanged (at 100 ms, ~8.5 a second, the committer 3.8-4.0 us but gc+vm
     * 3-4 us more: uncommitted rows' work lives longer; issue 11's bulk row, bench/results/2026-12-07-rocks.txt). A
     * quiet partition still commits within 50 ms of its last commit, busy traffic at least every {@code commitEveryNs}.
     */
    static final long IDLE_COMMIT_GAP_NS = 50_000_000L;
    /** Idle loop turns spent spinning before the yields (a record due within microseconds is seen at once). */
    private static final int IDLE_SPINS = 10;
    /** Idle loop turns spent yielding after the spins, before the first park. */
    private static final int IDLE_YIELDS = 10;
    /**
     * Idle loop turns after which pending work is committed: past the spins and yields, about 10 ms of growing
     * parks without a record (a pause in traffic, not the gap between two bulks of a busy client).
     */
    private static final int IDLE_COMMIT = IDLE_SPINS + IDLE_YIELDS + 8;
    /**
     * Dirty rows an idle turn encodes ahead of the commit ({@link PartitionState#writeEarly}): ~0.1 ms of encoding,
     * the longest a record arriving meanwhile waits for it. Without it the commit encoded every row changed in its
     * second at once, the partition stopped for milliseconds each time, and the requests behind were the tail.
     */
    static final int EARLY_ROWS = 64;

    private final int partition;
    private final int partitions;
    private final JournalReader reader;
    private final OutcomeWaits waiters;
    private final AtomicInteger inFlight;
    private final ProcessorListener listener;
    private final int batchMax;
    private final int[] activeWindowsDays;
    private final int[] expiringWindowsDays;
    /** Journal seq as of start; raised once by {@link #catchUpTo} before the thread starts, read by it only. */
    private long catchUpSeq;
    /** Longest time between background flushes of the store (see {@link #flushDue}). */
    private long flushEveryNs;
    /**
     * Longest time between commits: {@code state.flush-interval}, or at most {@link #WAL_COMMIT_NS} with the WAL on,
     * where a commit survives a killed process at once (without it, only a flush makes it survive, so committing
     * more often than flushing would bound nothing).
     */
    private long commitEveryNs;
    /** Whether idle turns encode dirty rows ahead of the commit (serving; not a replay). */
    private boolean earlyWrites = true;
    /** Events applied between commits at most ({@link #COMMIT_EVENTS}; unbounded for a replay). */
    private long commitEvents = COMMIT_EVENTS;
    private volatile long commits;
    private final ProcessorMetrics metrics;
    private final ReplayHooks hooks;
    private final PartitionState state;

    private final ConcurrentLinkedQueue<Task> inbox = new ConcurrentLinkedQueue<>();
    private final List<OutcomeWaiter> completions = new ArrayList<>();
    /** Views asked for at a seq (see {@link #viewAt}), registered before the record holding it is visible. */
    private final ConcurrentHashMap<Long, ViewHook> viewHooks = new ConcurrentHashMap<>();
    /** Views captured in this batch, handed over once it is applied (like outcomes to waiters). */
    private final List<CapturedView> capturedViews = new ArrayList<>();
    private final List<Long> clockRecords = new ArrayList<>();
    private final JournalReader.RecordVisitor visitor = this::onRecord;
    /** Whether a query or a stop came in (the idle wait's last look before it waits; one object, not one a wait). */
    private final java.util.function.BooleanSupplier busy = () -> !inbox.isEmpty() || !this.running;
    /** The event being applied: one reusable view of the journal's bytes. */
    private final JournalEvent event = new JournalEvent();
    /** Reads the customers of a record ahead of its apply ({@link #readAhead}). */
    private final JournalEvent ahead = new JournalEvent();

    private long lastCommitNs = System.nanoTime();
    /** When the state was loaded (start): the catch-up's log line says how long re-applying took. */
    private long loadedNs;
    private long lastFlushNs = System.nanoTime();
    private int batchWork;
    private int batchEvents;
    private long batchFirstEventIngestMs;

    private volatile Thread thread;
    private volatile boolean running = true;
    private volatile boolean failed;
    private volatile boolean caughtUp;
    /**
     * Completed when {@link #caughtUp} turns true (or at the loop's start when it already is), failed when the loop
     * ends before that: queries of a partition still being restored wait on it ({@link #whenCaughtUp}).
     */
    private final CompletableFuture<Void> caughtUpDone = new CompletableFuture<>();
    private volatile long appliedSeq;
    private volatile long drainDeadlineNs;
    private volatile long eventsProcessed;
    private volatile PartitionStats.Snapshot snapshot;

    /**
     * @param catchUpSeq        journal seq as of start: the partition is caught up once it has read past it
     * @param waiters           requests waiting for outcomes of this partition's events, by seq
     * @param rulesParser       turns journaled rules JSON into a configuration
     * @param initialRulesJson  rules to use when the journal has none yet (a fresh data folder)
     * @param cacheCustomers    customers held in memory at most ({@code state.cache-customers}; at least 4096);
     *                          the table is bounded by its heap as well, see {@link #tableBytes}
     * @param warmRows          encoded rows kept in memory by all partitions ({@code state.warm-rows}; 0: from the
     *                          heap, see {@link #warmBytes})
     * @param flushEveryNs      longest time between commits and state flushes ({@code state.flush-interval})
     * @param expiringWindowsDays windows of the expiring-points forecast ({@code stats.expiring-windows})
     */
    public PartitionProcessor(int partition, int partitions, PartitionStore store, JournalReader reader,
                              Function<String, RulesConfig> rulesParser, String initialRulesJson,
                              OutcomeWaits waiters,
                              AtomicInteger inFlight, ProcessorListener listener, int batchMax, int cacheCustomers,
                              long warmRows, long outcomeRetentionMs, int[] activeWindowsDays,
                              int[] expiringWindowsDays, long catchUpSeq, long flushEveryNs, ProcessorMetrics metrics) {
        this(partition, partitions, store, reader, rulesParser, initialRulesJson, waiters, inFlight, listener,
                batchMax, cacheCustomers, warmRows, outcomeRetentionMs, activeWindowsDays, expiringWindowsDays,
                catchUpSeq, flushEveryNs, metrics, ReplayHooks.NONE);
    }

    /** A processor whose rules in force and observations go through {@code hooks} (what-if replays). */
    public PartitionProcessor(int partition, int partitions, PartitionStore store, JournalReader reader,
                              Function<String, RulesConfig> rulesParser, String initialRulesJson,
                              OutcomeWaits waiters,
                              AtomicInteger inFlight, ProcessorListener listener, int batchMax, int cacheCustomers,
                              long warmRows, long outcomeRetentionMs, int[] activeWindowsDays,
                              int[] expiringWindowsDays, long catchUpSeq, long flushEveryNs, ProcessorMetrics metrics,
                              ReplayHooks hooks) {
        this.hooks = hooks;
        this.partition = partition;
        this.partitions = partitions;
        this.reader = reader;
        this.waiters = waiters;
        this.inFlight = inFlight;
        this.listener = listener;
        this.batchMax = batchMax;
        this.activeWindowsDays = activeWindowsDays.clone();
        this.expiringWindowsDays = expiringWindowsDays.clone();
        this.catchUpSeq = catchUpSeq;
        this.flushEveryNs = flushEveryNs;
        this.commitEveryNs = store.wal() ? Math.min(flushEveryNs, WAL_COMMIT_NS) : flushEveryNs;
        this.metrics = metrics;
        long loadStart = System.nanoTime();
        long maxHeap = Runtime.getRuntime().maxMemory();
        this.state = PartitionState.bounded(store, rulesParser, initialRulesJson,
                tableCapacity(cacheCustomers, partitions, maxHeap), tableBytes(partitions, maxHeap),
                warmBytes(warmRows, partitions, maxHeap), outcomeRetentionMs, hooks);
        loadedNs = System.nanoTime();
        LOG.info("partition {} state loaded in {} ms ({})", partition, (loadedNs - loadStart) / 1_000_000,
                state.startReport());
        if (state.position() >= 0) {
            reader.seekAfter(state.position());
        }
        appliedSeq = state.lastSeq();
        state.onLanded((syncNs, writeNs) -> metrics.landed(partition, syncNs, writeNs));
        caughtUp = state.lastSeq() >= catchUpSeq;
        publish();
    }

    /**
     * Sets the journal seq as of start, when records were journaled after this processor was made (the engine
     * loads the partitions while it opens the idempotency index and may journal a rules record after that): the
     * partition reports caught up only once it applied them too. Called before {@link #run()} starts, on the
     * thread that then starts it; logs how far behind the partition resumes.
     */
    public void catchUpTo(long seq) {
        if (seq > catchUpSeq) {
            catchUpSeq = seq;
            caughtUp = state.lastSeq() >= seq;
        }
        if (state.position() >= 0 && state.lastSeq() < catchUpSeq) {
            LOG.info("partition {} resumes from its last commit at seq {}, {} journal records behind", partition,
                    state.lastSeq(), catchUpSeq - state.lastSeq());
        } else if (state.position() < 0 && catchUpSeq > 1) {
            // Killed before its first commit (seq 1 alone is the first start's rules record: nothing to say).
            LOG.info("partition {} has no commit yet: applies the journal from its start up to seq {}", partition,
                    catchUpSeq);
        }
    }

    /** The journal seq this partition must apply before it reports caught up. */
    public long catchUpSeq() {
        return catchUpSeq;
    }

    /**
     * Commits as a rebuild needs them, not as a serving engine does: only when the pending batch reaches
     * {@link #COMMIT_BYTES} (memory) and once caught up, never by time or event count, and no background flushes
     * (the replay flushes at its end). Nothing reads a replay's state before it ends, and a replay that dies is
     * started again from scratch, so intermediate commits only re-encode the same customers again and again (a
     * commit writes every dirty row: with commits every {@code state.flush-interval}, a slow replay commits more
     * often and was up to a third commits). The state committed at the end is the same: what is committed never
     * depends on where commits fall. Call before {@link #run()}; returns this processor.
     */
    public PartitionProcessor replayCommits() {
        earlyWrites = false; // no request waits for a replay's commit
        commitEvents = Long.MAX_VALUE;
        commitEveryNs = Long.MAX_VALUE;
        flushEveryNs = Long.MAX_VALUE;
        return this;
    }

    /** Customers this partition holds in memory at most ({@link #tableCapacity}). */
    public int tableCustomers() {
        return state.capacity();
    }

    /**
     * Customers read back from the store (or the pending batch) since this processor started: the cost of a table
     * smaller than the partition's customers. Read it after the thread ended.
     */
    public long readBack() {
        return state.readBack();
    }

    /** Commits written since this processor started (write-behind snapshots; see {@link #replayCommits()}). */
    public long commits() {
        return commits;
    }

    /**
     * Customers a partition holds in memory at most: {@code state.cache-customers}, but no more than its byte
     * budget ({@link #tableBytes}) could hold at {@link #MIN_BYTES_PER_CUSTOMER} each. The table's slot arrays
     * grow to this count only while its heap stays within the budget, so a large setting costs nothing up front.
     */
    static int tableCapacity(int cacheCustomers, int partitions, long maxHeapBytes) {
        long byHeap = tableBytes(partitions, maxHeapBytes) / MIN_BYTES_PER_CUSTOMER;
        return (int) Math.max(1, Math.min(cacheCustomers, byHeap));
    }

    /**
     * Heap a partition's customer table may take ({@code CustomerTable#heapBytes}: rows, ids, attributes, lots,
     * windows, transactions): a quarter of the heap shared by all partitions (at half, the live set left ZGC
     * too little room at -Xmx1g: the bulk row collapsed in back-to-back major collections). Clean customers are
     * evicted past it.
     */
    static long tableBytes(int partitions, long maxHeapBytes) {
        return Math.max(1, maxHeapBytes / 4 / Math.max(1, partitions));
    }

    /**
     * Bytes of a partition's warm tier ({@code WarmRows}: encoded rows of the customers it wrote or loaded, served
     * to table misses before RocksDB): {@code state.warm-rows} shared by the partitions, or with 0 an eighth of the
     * heap shared by them. Encoded, a customer of the bulk row's mix takes ~100-450 bytes where held it takes
     * 0.5-2 KB: this share served every miss of the bulk row (1M customers) at the default 2 GiB heap, beside the
     * tables' quarter; a quarter served the same and left ZGC 31% of the heap free instead of ~45%, and would leave a
     * 1 GiB heap ~10% (bench/results/2026-12-07-warmrows.txt). At most {@code WarmRows.MAX_BYTES} a partition.
     */
    static long warmBytes(long warmRows, int partitions, long maxHeapBytes) {
        long total = warmRows > 0 ? warmRows : maxHeapBytes / 8;
        return total / Math.max(1, partitions);
    }

    /** The rules JSON in force in a partition's state, or null when it has applied no rules yet. */
    public static String storedRules(PartitionStore store) {
        return PartitionState.storedRules(store);
    }

    public int partition() {
        return partition;
    }

    /** Highest journal seq this partition has read and applied (its effects are visible to reads). */
    public long appliedSeq() {
        return appliedSeq;
    }

    /**
     * Journal position of the last record committed to the store, or -1 before the first: the partition
     * will need the journal from right after it. (With RocksDB's WAL off the committed position is durable
     * only once the memtable is flushed.)
     */
    public long appliedPosition() {
        return state.landedPosition();
    }

    /** True once the partition has read everything journaled before the engine started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * Completes once {@link #caughtUp()} is true (its figures and reads are then whole); fails when the partition
     * stops before that (revoked, a state failure). A copy: callers cannot complete it.
     */
    public CompletableFuture<Void> whenCaughtUp() {
        return caughtUpDone.copy();
    }

    /** Events of this partition applied or rejected since this processor started. */
    public long eventsProcessed() {
        return eventsProcessed;
    }

    public boolean failed() {
        return failed;
    }

    /** Statistics as of the last applied batch. */
    public PartitionStats.Snapshot snapshot() {
        return snapshot;
    }

    /** Wakes the processor (something was journaled, a query, a stop), wherever it waits. */
    public void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        reader.wakeUp();
    }

    /** Stops the loop after the current batch; {@link #run()} returns once everything is committed. */
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

    // ---------------------------------------------------------------- queries (any thread)

    /** The customer's view, or null when unknown; answered on the processor thread. */
    public CompletableFuture<CustomerView> customer(String id) {
        return query(() -> state.view(state.load(id)));
    }

    /** The customer's view with up to {@code expiringMax} expiry instants per account, or null when unknown. */
    public CompletableFuture<LoyaltyEngine.CustomerDetail> customerDetail(String id, int expiringMax) {
        return query(() -> {
            int slot = state.load(id);
            return state.exists(slot) ? new LoyaltyEngine.CustomerDetail(state.view(slot),
                    state.rules().expiring(slot, expiringMax)) : null;
        });
    }

    /** A ledger page, or null when the customer is unknown. */
    public CompletableFuture<LedgerPage> ledger(String id, int limit, long beforeId) {
        return query(() -> {
            int slot = state.load(id);
            return state.exists(slot) ? state.ledgerPage(slot, limit, beforeId) : null;
        });
    }

    /**
     * Commits what is applied but not yet committed (write-behind) and completes once it is in the store: an
     * online backup asks for it so that its checkpoint is as recent as the journal, not one flush interval old.
     */
    public CompletableFuture<Long> commitNow() {
        return query(() -> {
            if (state.uncommitted()) {
                commit();
            }
            state.awaitLanded();
            return state.landedPosition();
        });
    }

    /** Where the event of that seq stands, for events of this partition. */
    public CompletableFuture<EventStatus> event(long seq) {
        return query(() -> {
            EventOutcome o = state.derived().outcome(seq);
            return o != null ? new EventStatus(EventStatus.Kind.DONE, o) : null;
        });
    }

    /**
     * The customer's view at one place in the journal: just before the event of {@code seq} is applied
     * ({@code before}) or right after it, with the clock of its record; null when the customer does not
     * exist there. Completes once that batch is applied. Call before the record holding {@code seq} can
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
                EventOutcome o = state.derived().outcome(seq);
                if (o != null) {
                    out.complete(new EventResult(o, customer == null ? null : state.view(state.load(customer))));
                } else {
                    // Not applied yet (this thread applies, so it cannot be applied meanwhile). Never replace
                    // a waiter already there (the original request's): commit completes only the mapped one.
                    FutureWaiter mine = new FutureWaiter(out);
                    OutcomeWaiter existing = waiters.get(seq);
                    if (existing == null) {
                        waiters.put(seq, mine);
                        inFlight.incrementAndGet();
                    } else {
                        // Told with it (this thread completes waiters, so the chain needs no lock).
                        mine.also = existing.also;
                        existing.also = mine;
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
        if (caughtUp) {
            // Not in the constructor: catchUpTo may still lower it before the loop starts.
            caughtUpDone.complete(null);
        }
        try {
            while (running) {
                int work = drain();
                work += serveQueries();
                commitIfDue(idle);
                if (work > 0) {
                    idle = 0;
                } else if (earlyWrites && state.writeEarly(EARLY_ROWS) > 0) {
                    idle = 0; // nothing to apply: the next commit's rows encoded now, a few at a time
                } else {
                    idle = idle(idle, reader, busy, state.uncommitted());
                }
            }
            int drained = drain();
            while (drained > 0 && System.nanoTime() - drainDeadlineNs < 0) {
                drained = drain();
            }
            serveQueries();
            if (state.uncommitted()) {
                commit();
            }
            state.awaitLanded(); // a failed last landing stops the partition as any failed commit does
        } catch (Throwable t) {
            failed = true;
            LOG.error("partition {} stopped at seq {}: {}", partition, state.lastSeq() + 1, t.toString(), t);
            listener.failed(partition, state.lastSeq() + 1, t);
            failWaiters(t);
            failQueuedIfStopped();
        } finally {
            if (!caughtUpDone.isDone()) {
                caughtUpDone.completeExceptionally(new IllegalStateException(
                        "partition " + partition + " stopped before it caught up"));
            }
            state.close();
            reader.close();
        }
    }

    /**
     * Back off when idle: a few spins and yields, then parks growing to 5 ms (never busy-spin: on 2 cores that
     * starves the event loops and RocksDB's compactions). Appends wake the owning partition at once.
     * The yields stay: without them (round 7, branch stalls: parks from 50 us at once) a processor had to be
     * unparked for nearly every record under load, and the same wrk runs back to back on one build each lost
     * 15-20% of their sync and async rate (bench/results/2026-12-07-round7-ab.txt), whatever the latency row's
     * run-queue figures suggested.
     * Past {@link #IDLE_COMMIT}, once pending work is committed (parks of 5 ms until then: the idle commit waits
     * for {@link #IDLE_COMMIT_GAP_NS} since the last one), the reader waits its own way: Chronicle parks 5 ms, a
     * Kafka reader waits in its consumer's poll for the next record ({@link JournalReader#idle}); {@link #wake}
     * ends either wait.
     */
    private static int idle(int idle, JournalReader reader, java.util.function.BooleanSupplier busy,
                            boolean uncommitted) {
        if (idle < IDLE_SPINS) {
            Thread.onSpinWait();
        } else if (idle < IDLE_SPINS + IDLE_YIELDS) {
            Thread.yield();
        } else if (idle <= IDLE_COMMIT || uncommitted) {
            LockSupport.parkNanos(Math.min(5_000_000L, 20_000L << Math.min(idle - IDLE_SPINS - IDLE_YIELDS, 8)));
        } else {
            reader.idle(5_000_000L, busy);
        }
        // Capped: a count that grew for months would overflow and spin again.
        return Math.min(idle + 1, IDLE_COMMIT + 1);
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

    /**
     * Reads and applies up to a batch of records (and the work each made due), then hands their results to
     * whoever waits (the effects are in memory, where reads look first); returns the records read.
     */
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
            state.clock.newBatch();
            // Per batch, not per event: a volatile write and a shared counter update per event cost more than
            // the rest of the bookkeeping. Before the waiters are answered, so an answer's event is counted.
            eventsProcessed += batchEvents;
            metrics.flush(partition);
            metrics.table(partition, state.tableCounts);
            applied();
            metrics.batch(partition, records, batchEvents, System.nanoTime() - startNs, batchFirstEventIngestMs);
        }
        return records;
    }

    /**
     * Commits when enough is pending, the flush interval has passed since the last commit, or the journal has
     * been drained for a while (the loop is about to park: a quiet partition has nothing left in memory only).
     */
    private void commitIfDue(int idle) {
        // While the previous commit is still landing, the next one waits for it without stopping this thread: it
        // comes at the first turn after the landing (what piles up meanwhile is one write's worth of work).
        if (!state.settleLanded() || !state.uncommitted()) {
            return;
        }
        if (commitDue(idle >= IDLE_COMMIT, state.eventsSinceCommit(), state.pendingBytes(), state.heavyRowBytes(),
                System.nanoTime() - lastCommitNs, commitEvents, commitEveryNs)) {
            commit();
        }
    }

    /**
     * Whether pending work is committed now: enough events or bytes are pending, the journal stays drained
     * ({@code idle}) and {@link #IDLE_COMMIT_GAP_NS} has passed since the last commit, or {@code commitEveryNs} has.
     * An idle or timed commit of a partition whose dirty rows include heavy ones (a hot customer with a million lots:
     * its whole row is encoded, put and written at each commit, ~0.2 s) waits until the events applied since the last
     * commit pay for re-encoding them at {@link #HEAVY_BYTES_PER_EVENT} each, at most {@link #HEAVY_WAIT_NS}: with a
     * commit every second, and idle commits several times a second between a busy machine's requests, the work per
     * event grew with the customer's lots (issue 11's hot-customer row). A pure function (tests).
     */
    static boolean commitDue(boolean idle, long events, long pendingBytes, long heavyRowBytes, long sinceCommitNs,
                             long commitEvents, long commitEveryNs) {
        if (events >= commitEvents || pendingBytes >= COMMIT_BYTES) {
            return true;
        }
        if (sinceCommitNs < (idle ? Math.min(IDLE_COMMIT_GAP_NS, commitEveryNs) : commitEveryNs)) {
            return false;
        }
        return heavyRowBytes <= events * HEAVY_BYTES_PER_EVENT
                || sinceCommitNs >= Math.max(commitEveryNs, HEAVY_WAIT_NS);
    }

    private void commit() {
        state.commit(flushDue());
        metrics.commit(partition, state.lastCommitRowsNs(), state.lastCommitWaitNs());
        commits++;
        lastCommitNs = System.nanoTime();
    }

    private void onRecord(long recordPosition, RecordHeader h, Bytes<?> payload) {
        long first = h.firstSeq();
        if (hooks.settleBefore(h.ingestMs())) {
            state.runDueWork();
        }
        hooks.beforeRecord(h.ingestMs(), state.stats);
        state.clock.advance(h.ingestMs(), first);
        long last = first;
        String journaledRules = h.type() == RecordType.RULES ? payload.readUtf8() : null;
        String inForce = hooks.rulesFor(h.ingestMs(), journaledRules);
        if (inForce != null && (journaledRules != null || !inForce.equals(state.rulesJson()))) {
            state.putInForce(inForce, first);
        }
        switch (h.type()) {
            case EVENTS: {
                last = h.lastSeq();
                if (h.skipped()) {
                    break; // none of this partition's events: the reader did not read the payload
                }
                int n = (int) payload.readStopBit();
                if (n > 1 && state.mayHoldColdCustomers()) {
                    readAhead(payload, n);
                }
                for (int i = 0; i < n; i++) {
                    int hash = payload.readInt();
                    int len = payload.readInt();
                    if (PartitionHash.partition(hash, partitions) != partition) {
                        payload.readSkip(len);
                        continue;
                    }
                    JournalEvent e = event.read(payload);
                    if (batchEvents == 0) {
                        batchFirstEventIngestMs = h.ingestMs();
                    }
                    apply(e, first + i, h.ingestMs());
                    batchWork++;
                    batchEvents++;
                }
                state.forgetWanted();
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
        // Per record, not per batch: where due work's ledger entries land in the derived log must not depend
        // on where batches end (a replay reproduces the log byte for byte). A peek when nothing is due.
        state.runDueWork();
        state.recordRead(recordPosition, last);
    }

    /**
     * The pre-read hook: looks at the customers of this partition's events in the record (id bytes only) and has the
     * state read those it does not hold in one multiGet before they are applied, then rewinds the payload. Per
     * record, not per drained batch: the journal reader has no look-ahead, and the records that miss most (bulks,
     * and the catch-up after a restart, which re-applies them) carry up to {@code api.bulk-max} events.
     */
    private void readAhead(Bytes<?> payload, int n) {
        long start = payload.readPosition();
        state.forgetWanted();
        for (int i = 0; i < n; i++) {
            int hash = payload.readInt();
            int len = payload.readInt();
            long next = payload.readPosition() + len;
            if (PartitionHash.partition(hash, partitions) == partition) {
                state.wantCustomer(ahead.readCustomerOnly(payload));
            }
            payload.readPosition(next);
        }
        payload.readPosition(start);
        state.readWanted();
    }

    private void apply(JournalEvent e, long seq, long ingestMs) {
        int slot = state.load(e);
        // Hooks are rare (duplicate slots of bulks): one emptiness check per event otherwise.
        ViewHook hook = viewHooks.isEmpty() ? null : viewHooks.remove(seq);
        if (hook != null && hook.before() != null) {
            capturedViews.add(new CapturedView(hook.before(), state.view(slot)));
        }
        RuleError error = state.apply(slot, e, seq, ingestMs);
        metrics.applied(partition, e.action(), error);
        // The outcome and view objects only for a waiter (replay and async traffic have none); the emptiness
        // check first spares boxing the seq per event.
        OutcomeWaiter waiter = waiters.get(seq);
        if (waiter != null) {
            OutcomeFacts facts = waiter.facts();
            if (facts == null) {
                waiter.pending = new EventResult(state.outcome(seq, e.customer(), error), state.view(slot));
            } else {
                state.outcomeInto(seq, e.customer(), error, slot, facts); // the sync answer's facts, no objects
            }
            completions.add(waiter);
        }
        if (hook != null && hook.after() != null) {
            capturedViews.add(new CapturedView(hook.after(), state.view(slot)));
        }
    }

    /** A batch is applied: publish its figures, then answer whoever waits for it. */
    private void applied() {
        // Statistics first: whoever sees the partition caught up (ready) must see its figures too.
        publish();
        appliedSeq = state.lastSeq();
        if (!caughtUp && state.lastSeq() >= catchUpSeq) {
            // A partition reported caught up has its catch-up committed (journal retention, backups).
            commit();
            caughtUp = true;
            caughtUpDone.complete(null);
            LOG.info("partition {} caught up with the journal at seq {}, {} ms after its state loaded", partition,
                    state.lastSeq(), (System.nanoTime() - loadedNs) / 1_000_000);
        }
        for (int i = 0, n = completions.size(); i < n; i++) { // by index: no iterator per batch
            OutcomeWaiter w = completions.get(i);
            EventResult result = w.pending;
            w.pending = null;
            if (waiters.remove(w)) {
                inFlight.decrementAndGet();
                if (result == null) {
                    w.completeFromFacts();
                } else {
                    w.complete(result);
                }
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
     * a SIGKILL) to {@code state.flush-interval} of traffic, instead of up to three full memtables. The committer
     * starts it right after the commit lands, so that it holds that commit.
     */
    private boolean flushDue() {
        long now = System.nanoTime();
        if (now - lastFlushNs >= flushEveryNs) {
            lastFlushNs = now;
            return true;
        }
        return false;
    }

    private void publish() {
        long now = state.clock.nowMs();
        snapshot = state.stats.snapshot(now == Long.MIN_VALUE ? 0 : now, activeWindowsDays, expiringWindowsDays,
                state.rules().config().accounts().size());
    }

    private void failWaiters(Throwable t) {
        completions.clear();
        waiters.drain(w -> {
            inFlight.decrementAndGet();
            w.fail(t);
        });
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
}
