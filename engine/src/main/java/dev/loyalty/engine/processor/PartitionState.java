package dev.loyalty.engine.processor;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.core.EventInput;
import dev.loyalty.engine.core.RuleInput;
import dev.loyalty.engine.core.TransactionArchive;
import dev.loyalty.engine.core.WarmRows;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.JournalEvent;
import dev.loyalty.engine.rules.ApplyContext;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.RuleError;
import dev.loyalty.engine.state.BinaryReader;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.CommitBatch;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.state.StateException;
import dev.loyalty.engine.stats.CustomerFacts;
import dev.loyalty.engine.stats.PartitionStats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The state of one partition and everything that changes it: the hot customers in a {@link CustomerTable} under
 * {@link CoreRules}, the statistics, the due work ({@link DueQueue}), and the RocksDB write batch that commits
 * them write-behind. Cold customers are read from the store on first touch; the table is the cache (clean rows
 * are evicted when full; when every row is dirty, dirty rows are written into the pending batch first).
 *
 * <p>{@link #commit()} encodes every changed customer (sorted by key, each with its ledger head), the statistics,
 * the due keys that moved, the derived logs' mark and the checkpoint (journal position, clock) into one atomic
 * batch and hands it to the partition's {@link Committer}, which writes it while this thread goes on applying. Until
 * it lands, what the batch carries is read from here, not from the store: rows written to make room stay readable
 * from memory, a miss of a customer the batch writes waits for the landing, and so does any read of the store's due
 * keys or customers; the committed position moves when it lands. Outcomes and ledger entries are appended to the
 * partition's derived logs ({@link DerivedWrites}): the commit writes them to the files ({@code mark()}), and they
 * are forced to the device before any RocksDB flush, or (with the WAL) before the batch is written, so every mark
 * RocksDB keeps, even after a machine crash, is covered. After a crash the partition loads the last commit,
 * truncates the logs to its mark and applies the journal from its position; the due keys ({@code D due id}) are
 * written only in commits and read by windows of time as the journaled clock reaches them: the in-memory due
 * queue holds only work up to the loaded window's end (about an hour ahead), not an entry per customer.
 *
 * <p>Owned by the partition thread.
 */
final class PartitionState {
    private static final byte[] STATS = Keys.meta("stats");
    static final byte[] RULES = Keys.meta("rules");
    /** Present once the expiring buckets cover every customer (absent in folders older than them). */
    private static final byte[] EXPIRING_BUILT = Keys.meta("expiring-built");
    /** Smallest table, whatever {@code state.cache-customers} says: a bulk's customers must fit. */
    private static final int MIN_TABLE = 4096;
    /**
     * A row weighing more than this ({@link CustomerTable#weight}: a customer with thousands of lots or open
     * checkouts) is heavy: its re-encoding at each commit is what {@link #heavyRowBytes} counts.
     */
    static final int HEAVY_ROW = 64 << 10;
    /** Least number of due keys read at once from the store (see {@link #loadDueThrough}). */
    static final int DUE_WINDOW = 16_384;
    /**
     * How far past the journaled clock the queue holds due work: later work stays a committed key (or a deferred
     * entry of a dirty row) until a window reaches it, not an entry (with an id) per stored customer in the heap.
     */
    static final long DUE_HORIZON_MS = 3_600_000L;

    private final PartitionStore store;
    private final Function<String, RulesConfig> rulesParser;
    private final long outcomeRetentionMs;
    /** Customers the table holds at most ({@code state.cache-customers}, at least {@link #MIN_TABLE}). */
    private final int capacity;
    /** Heap the table may take ({@link CustomerTable#heapBytes()}); {@code Long.MAX_VALUE}: count only. */
    private final long tableBytes;
    private final ReplayHooks hooks;
    private final int dueWindow;

    final BatchClock clock = new BatchClock();
    final PartitionStats stats = new PartitionStats();
    private final Context ctx = new Context();
    private final CustomerFacts before = new CustomerFacts();
    private final CustomerFacts after = new CustomerFacts();
    private final EffectSink sink = new EffectSink();
    /** The view {@link #apply(int, Event, long, long)} puts an event object behind. */
    private final EventInput eventInput = new EventInput();
    /** Hooks that look at outcomes and entries (what-if): only then are they built as objects. */
    private final boolean observed;
    private final BinaryWriter writer = new BinaryWriter(4096);
    private final DueQueue due = new DueQueue();
    /** Phases of the last commit, for the processor's commit timer (written and read by the partition thread). */
    private long lastCommitRowsNs;
    private long lastCommitWaitNs;
    private long lastCommitBytes;
    /**
     * Every committed due key with a time up to this one is in {@link #due} (the keys are read by windows of
     * time, in key order, as the clock reaches them), at most {@link #DUE_HORIZON_MS} past the clock of that read. Only work due by this bound gets an entry in {@link #due}: later work is a
     * due key (committed) or, for a dirty row, an entry of {@link #deferred}.
     */
    private long dueLoadedThroughMs = Long.MIN_VALUE;
    /**
     * Due times past {@link #dueLoadedThroughMs} of dirty rows (by slot): their keys are not committed yet, so a
     * window read before their commit would miss them; {@link #loadDueThrough} moves the ones it reaches into
     * {@link #due}. Emptied when the dirty rows are written (see {@link #writeDirtyRows}).
     */
    private final DeferredDue deferred = new DeferredDue();
    /**
     * Work past {@link #dueLoadedThroughMs} of rows written into the pending batch to make room (they may be
     * evicted): their keys are not committed either. Moved into {@link #due} as windows reach it, emptied by
     * the commit that stores their keys; its ids are those {@link #pendingRows} holds anyway.
     */
    private DueQueue pendingDue = new DueQueue();
    /** {@link #pendingDue} as the commit in flight took it: its keys are read by windows once it lands. */
    private DueQueue flightDue = new DueQueue();
    /** Customers whose due work runs now, reused (see {@link #runDueWork}). */
    private final ArrayList<String> dueIds = new ArrayList<>();
    private DerivedWrites derived;
    /**
     * Customers written into the pending batch to make room in the table (not yet committed): a load reads
     * them here, not from the store.
     */
    private HashMap<String, byte[]> pendingRows = new HashMap<>();
    /** {@link #pendingRows} as the commit in flight took them: read by misses until it lands. */
    private HashMap<String, byte[]> flightRows = new HashMap<>();
    /** Ids whose rows the commit in flight wrote at the commit (held then, maybe evicted since). */
    private final IdHashes flightIds = new IdHashes();
    /** Writes the commits; at most one is in flight (see {@link #commit}). */
    private Committer committer;
    /** A commit was handed over and its landing not settled yet ({@link #settle}). */
    private boolean inFlight;
    private long flightPosition;
    private long flightSeq;
    private long flightClockMs;
    /** Misses that waited for the commit in flight to land (it wrote the customer). */
    private long landingWaits;
    /** The stored records of the record being applied's customers not held, read at once ({@link #readWanted}). */
    private final PreReads preReads = new PreReads();
    /**
     * Encoded rows of customers this state wrote or loaded (held or not), served to a table miss before the pending
     * rows, the commit in flight and the store: each holds the bytes last written or loaded for its customer (every
     * write and load puts them), so it is never older than what those would give. Dropped with this state.
     */
    private final WarmRows warm;

    private CustomerTable table;
    private CoreRules rules;
    private CoreCustomerCodec codec;
    private String rulesJson;
    private int[] dirtySlots = new int[1024];
    private int dirtyCount;
    /** How far {@link #writeEarly} went in {@link #dirtySlots} since the last write of every dirty row. */
    private int earlyCursor;
    /** See {@link #lastCommitRows()}. */
    private int lastCommitRows;
    /** Σ heap of the dirty rows heavier than {@link #HEAVY_ROW} as last weighed (see {@link #heavyRowBytes}). */
    private long heavyRowBytes;
    /** Sorts the dirty rows for the commit (its scratch arrays are reused from commit to commit). */
    private final SlotsById slotsById = new SlotsById();

    private final CommitBatch batch = new CommitBatch();
    /**
     * What customer lookups found, by {@link TableCounts} index, since this state was made: plain counts of the
     * partition thread, published per batch ({@link ProcessorMetrics#table}).
     */
    final long[] tableCounts = new long[TableCounts.COUNT];
    private long position = -1;
    private long lastSeq;
    private long lastSweptMs = Long.MIN_VALUE;
    private long committedPosition = -1;
    private long committedSeq;
    /** Something was applied or written since the last commit. */
    private boolean uncommitted;
    private boolean expiringBuiltPending;
    private long eventsSinceCommit;
    private String startReport = "";
    private long readBack;
    /**
     * The store may hold customers the table does not: it had some when this state was loaded, or the table has let
     * some go since. Until then a customer not held is a new one, found without a store read (a replay from empty
     * that held everyone read the store once per new customer for nothing, ~7% of its thread).
     */
    private boolean coldCustomers;

    /** A state whose table holds at most {@code cacheCustomers} (at least {@link #MIN_TABLE}), whatever their heap. */
    PartitionState(PartitionStore store, Function<String, RulesConfig> rulesParser, String initialRulesJson,
                   int cacheCustomers, long outcomeRetentionMs, ReplayHooks hooks) {
        this(store, rulesParser, initialRulesJson, cacheCustomers, outcomeRetentionMs, hooks, DUE_WINDOW);
    }

    /** @param dueWindow least number of due keys read from the store at once (tests make it small) */
    PartitionState(PartitionStore store, Function<String, RulesConfig> rulesParser, String initialRulesJson,
                   int cacheCustomers, long outcomeRetentionMs, ReplayHooks hooks, int dueWindow) {
        this(store, rulesParser, initialRulesJson, outcomeRetentionMs, hooks, dueWindow,
                Math.max(MIN_TABLE, cacheCustomers), Long.MAX_VALUE, 0);
    }

    /**
     * A state whose table holds at most {@code cacheCustomers} (at least {@link #MIN_TABLE}) and takes about
     * {@code tableBytes} of heap at most ({@link CustomerTable#bounded}), with a warm tier of about
     * {@code warmBytes} ({@link WarmRows}; 0: none): the serving engine's and the replay's.
     */
    static PartitionState bounded(PartitionStore store, Function<String, RulesConfig> rulesParser,
                                  String initialRulesJson, int cacheCustomers, long tableBytes, long warmBytes,
                                  long outcomeRetentionMs, ReplayHooks hooks) {
        return new PartitionState(store, rulesParser, initialRulesJson, outcomeRetentionMs, hooks, DUE_WINDOW,
                Math.max(MIN_TABLE, cacheCustomers), tableBytes, warmBytes);
    }

    /**
     * A state whose table has exactly {@code tableRows} rows, below the engine's least (tests: with a few rows,
     * customers are evicted and dirty rows written into the pending batch all the time).
     */
    static PartitionState withTableRows(PartitionStore store, Function<String, RulesConfig> rulesParser,
                                        String initialRulesJson, long outcomeRetentionMs, ReplayHooks hooks,
                                        int dueWindow, int tableRows) {
        return withTableRows(store, rulesParser, initialRulesJson, outcomeRetentionMs, hooks, dueWindow, tableRows, 0);
    }

    /**
     * As {@link #withTableRows(PartitionStore, Function, String, long, ReplayHooks, int, int)} with a warm tier of
     * about {@code warmBytes} (tests: a small one drops and evacuates rows all the time).
     */
    static PartitionState withTableRows(PartitionStore store, Function<String, RulesConfig> rulesParser,
                                        String initialRulesJson, long outcomeRetentionMs, ReplayHooks hooks,
                                        int dueWindow, int tableRows, long warmBytes) {
        return new PartitionState(store, rulesParser, initialRulesJson, outcomeRetentionMs, hooks, dueWindow,
                tableRows, Long.MAX_VALUE, warmBytes);
    }

    private PartitionState(PartitionStore store, Function<String, RulesConfig> rulesParser, String initialRulesJson,
                           long outcomeRetentionMs, ReplayHooks hooks, int dueWindow, int tableRows,
                           long tableBytes, long warmBytes) {
        this.dueWindow = dueWindow;
        this.warm = new WarmRows(warmBytes);
        this.store = store;
        this.rulesParser = rulesParser;
        this.outcomeRetentionMs = outcomeRetentionMs;
        this.capacity = tableRows;
        this.tableBytes = tableBytes;
        this.hooks = hooks;
        this.observed = hooks != ReplayHooks.NONE;
        recover(initialRulesJson);
    }

    /** The rules JSON in force in a partition's state, or null when it has applied no rules yet. */
    static String storedRules(PartitionStore store) {
        byte[] rj = store.get(RULES);
        return rj != null ? new String(rj, StandardCharsets.UTF_8) : null;
    }

    /** Loads the checkpoint, statistics, rules in force and due keys. */
    private void recover(String initialRulesJson) {
        long t0 = System.nanoTime();
        PartitionCheckpoint cp = PartitionCheckpoint.read(store);
        if (cp != null) {
            position = cp.position();
            lastSeq = cp.lastSeq();
            lastSweptMs = cp.lastSweptMs();
            clock.restore(cp.clockMs(), cp.clockSeq());
        }
        committedPosition = position;
        committedSeq = lastSeq;
        byte[] s = store.get(STATS);
        if (s != null) {
            stats.decodeScalars(s);
        }
        store.forEachWithPrefix(Keys.DAY, (k, v) -> {
            stats.loadDay(keyLong(k), new BinaryReader(v).readLong());
            return true;
        });
        // Last: nothing after it can fail and leave the log's files open.
        String stored = storedRules(store);
        rulesJson = stored != null ? stored : initialRulesJson;
        RulesConfig config = rulesParser.apply(rulesJson);
        table = newTable(config.accounts().size());
        rules = new CoreRules(config, table, TransactionArchive.NONE);
        codec = new CoreCustomerCodec(config.customActions());
        store.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            coldCustomers = true;
            return false; // one seek: whether there is any
        });
        store.forEachWithPrefix(Keys.EXPIRING, (k, v) -> {
            stats.loadExpiring(Keys.expiringAccount(k), Keys.expiringDay(k), new BinaryReader(v).readLong());
            return true;
        });
        long t1 = System.nanoTime();
        // The due keys are not read here but by time windows as the clock reaches them (loadDueThrough): a
        // start no longer reads one key per customer with work due (half a million took 1-4 s per partition).
        long t2 = System.nanoTime();
        if (store.get(EXPIRING_BUILT) == null) {
            // A fresh folder: nothing to count, but record that the buckets are complete.
            rebuildExpiring(false, 0);
            expiringBuiltPending = true;
        }
        derived = new DerivedWrites(DerivedFiles.open(store));
        // A commit's mark becomes durable (without the WAL) only when RocksDB flushes: the logs are forced then.
        store.beforeFlush(derived::forceWritten);
        committer = new Committer(store, derived::forceWritten, position,
                "committer-" + store.dir().getFileName());
        long t3 = System.nanoTime();
        startReport = String.format("statistics, rules and expiring buckets %d ms, derived logs %d ms",
                (t1 - t0) / 1_000_000, (t3 - t2) / 1_000_000);
    }

    /**
     * The table: with a byte budget, growable and bounded by its heap (and the count); without one (tests), all
     * its rows at once.
     */
    private CustomerTable newTable(int accounts) {
        return tableBytes == Long.MAX_VALUE ? new CustomerTable(capacity, accounts)
                : CustomerTable.bounded(capacity, tableBytes, accounts);
    }

    /** Customers held now, and the table's estimated heap (for the start's and stop's logs, tests). */
    int tableSize() {
        return table.size();
    }

    long tableHeapBytes() {
        return table.heapBytes();
    }

    /** The warm tier (tests, logs). */
    WarmRows warm() {
        return warm;
    }

    /** How long the phases of loading this state took (for the start's log). */
    String startReport() {
        return startReport;
    }

    /** Customers the table holds at most. */
    int capacity() {
        return capacity;
    }

    /** Customers read back from the pending batch or the store since this state was made (not held: evicted, cold). */
    long readBack() {
        return readBack;
    }

    private static long keyLong(byte[] k) {
        long x = 0;
        for (int i = 1; i < 9; i++) {
            x = (x << 8) | (k[i] & 0xff);
        }
        return x ^ Long.MIN_VALUE;
    }

    long position() {
        return position;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** Journal position of the last committed record, or -1 (partition thread: as of the last settled landing). */
    long committedPosition() {
        return committedPosition;
    }

    /** Journal position of the last commit written to the store, or -1; any thread. */
    long landedPosition() {
        return committer.landedPosition();
    }

    /** Misses that waited for the commit in flight to land since this state was made. */
    long landingWaits() {
        return landingWaits;
    }

    /** The committer (tests hold its landings back). */
    Committer committer() {
        return committer;
    }

    long committedSeq() {
        return committedSeq;
    }

    String rulesJson() {
        return rulesJson;
    }

    CoreRules rules() {
        return rules;
    }

    boolean uncommitted() {
        return uncommitted;
    }

    long eventsSinceCommit() {
        return eventsSinceCommit;
    }

    /**
     * Heap of the heavy rows (over {@link #HEAVY_ROW}) among those changed since the last commit, as last weighed:
     * what the next commit re-encodes beyond the ordinary rows, whatever the number of events that changed them.
     */
    long heavyRowBytes() {
        return heavyRowBytes;
    }

    /** Due work held in memory as entries (queue, deferred, pending): about the next hour's, not per customer. */
    int dueEntriesHeld() {
        return due.size() + deferred.size() + pendingDue.size() + flightDue.size();
    }

    /** Bytes in the pending batch. */
    long pendingBytes() {
        return batch.dataSize();
    }

    /** The record at that position, up to {@code seq}, has been applied. */
    void recordRead(long recordPosition, long seq) {
        position = recordPosition;
        lastSeq = seq;
        uncommitted = true;
    }

    // ---------------------------------------------------------------- customers

    /** Slot of the customer as of now: held, else loaded from the pending batch or the store, else blank. */
    int load(String id) {
        int slot = table.find(id);
        if (slot >= 0) {
            tableCounts[TableCounts.HIT]++;
            return slot;
        }
        return loadMissing(id);
    }

    /** {@link #load(String)} of a customer just looked up and not held. */
    private int loadMissing(String id) {
        // First: making room may write rows (into the warm tier too, which may move or drop the record looked up).
        makeRoom();
        int ref = warm.find(id);
        if (ref >= 0) {
            tableCounts[TableCounts.WARM]++;
            readBack++;
            return loaded(id, warm.array(ref), warm.offset(ref), warm.length(ref));
        }
        int slot;
        // Most misses are new customers while nothing is pending: skip hashing the id for an empty map.
        byte[] raw = pendingRows.isEmpty() ? null : pendingRows.get(id);
        if (raw == null && inFlight) {
            raw = flightRow(id);
        }
        if (raw != null) {
            tableCounts[TableCounts.PENDING]++;
        } else if (coldCustomers) {
            raw = preReads.take(id);
            if (raw == null) {
                raw = store.get(Keys.customer(id));
            } else if (raw == PreReads.NOT_STORED) {
                raw = null;
            } else {
                tableCounts[TableCounts.READ_AHEAD]++;
            }
            tableCounts[raw == null ? TableCounts.NEW : TableCounts.STORED]++;
        } else {
            tableCounts[TableCounts.NEW]++; // nothing was ever let go: not in the store either
        }
        if (raw == null) {
            slot = table.create(id); // nothing scheduled (CustomerTable.scheduledMs)
        } else {
            readBack++;
            slot = loaded(id, raw, 0, raw.length);
            // The row as of now (the store's, or the pending batch's): its next miss is served from memory.
            warm.put(id, raw, 0, raw.length);
        }
        return slot;
    }

    /** Decodes the customer's current record (table room made) into a clean row; returns its slot. */
    private int loaded(String id, byte[] bytes, int from, int length) {
        int slot;
        try {
            slot = codec.decode(bytes, from, length, table, id);
        } catch (IllegalArgumentException e) {
            throw new StateException("customer " + id + ": unreadable stored record: " + e.getMessage(), e);
        }
        // Invariant of a customer not held: the due queue has an entry at its stored indexed due time, or
        // that time lies past dueLoadedThroughMs and its committed due key is there (a later window reads it).
        table.scheduledMs(slot, table.indexedDueMs(slot));
        table.weigh(slot);
        return slot;
    }

    /**
     * The customer's row as the commit in flight carries it when written to make room, else null (read the store).
     * A customer the commit wrote as it was encoded may have been evicted since: the store has its row only once
     * that commit lands, so the miss waits for it (rare: evicted and met again within one commit's write).
     */
    private byte[] flightRow(String id) {
        if (flightIds.mightContain(id.hashCode())) {
            landingWaits++;
            awaitLanded();
            return null;
        }
        return flightRows.isEmpty() ? null : flightRows.get(id);
    }

    /**
     * Slot of the journaled event's customer, as {@link #load(String)}: a held customer is found by the id's bytes
     * (no string per event) and the event is given the table's string of the id.
     */
    int load(JournalEvent e) {
        int slot;
        if (!e.customerAscii()) {
            slot = load(e.customer());
        } else if ((slot = table.findAscii(e.customerBytes(), e.customerLength(), e.customerHash())) >= 0) {
            tableCounts[TableCounts.HIT]++;
        } else {
            slot = loadMissing(e.customer()); // not held: no second lookup by the id's string
        }
        e.customer(table.id(slot));
        return slot;
    }

    /**
     * Whether a customer not held may be stored at all: when not, every miss is a new customer and a record's
     * customers need no read ahead.
     */
    boolean mayHoldColdCustomers() {
        return coldCustomers;
    }

    /**
     * Notes the customer of an event of the record about to be applied (just read by
     * {@link JournalEvent#readCustomerOnly}) for the record's read ahead, unless held or among the pending rows.
     */
    void wantCustomer(JournalEvent e) {
        int held = e.customerAscii() ? table.findAscii(e.customerBytes(), e.customerLength(), e.customerHash())
                : table.find(e.customer());
        if (held >= 0) {
            return;
        }
        String id = e.customer();
        if (!pendingRows.isEmpty() && pendingRows.containsKey(id)) {
            return;
        }
        if (warm.find(id) >= 0) {
            return; // decoded from memory when met (unless dropped meanwhile: then read on its own)
        }
        // A row of the commit in flight: read from memory, or (written at the commit, evicted since) from the store
        // only once that commit has landed (flightRow): bytes read ahead now could be older than the batch's.
        if (inFlight && (flightIds.mightContain(id.hashCode()) || flightRows.containsKey(id))) {
            return;
        }
        preReads.add(id);
    }

    /**
     * Reads the customers {@link #wantCustomer} noted in one multiGet: their loads while the record is applied
     * use these bytes instead of a RocksDB get each (a get's JNI and lookup set-up, not the decode, is most of a
     * miss's cost).
     */
    void readWanted() {
        preReads.readFrom(store);
    }

    /** Customers the record's read ahead will read (tests). */
    int wanted() {
        return preReads.size();
    }

    /** Forgets the record's read ahead (after it was applied). */
    void forgetWanted() {
        preReads.clear();
    }

    /**
     * Before a customer is added: while the table has no room (count or bytes: {@link CustomerTable#hasRoom}),
     * evicts clean rows by the clock hand; a table of dirty rows writes them into the pending batch first, so that
     * they can be evicted. Several rows may go at once when customers held grew past the byte budget.
     */
    private void makeRoom() {
        if (table.hasRoom()) {
            return;
        }
        coldCustomers = true; // the customers let go now are read back from the store when met again
        boolean written = false;
        do {
            if (table.evictClean() >= 0) {
                tableCounts[TableCounts.EVICTED]++;
            } else if (!written) {
                tableCounts[TableCounts.DIRTY_WRITES]++;
                writeDirtyRows(false);
                written = true;
            } else if (table.size() == table.slots()) {
                throw new IllegalStateException("customer table full and nothing to evict");
            } else {
                return; // nothing held any more: the slot arrays alone fill the budget (a free slot is there)
            }
        } while (!table.hasRoom());
    }

    /** The customer's view, or null when unknown. */
    dev.loyalty.engine.rules.CustomerView view(int slot) {
        return table.exists(slot) ? rules.view(slot, clock.nowMs()) : null;
    }

    /**
     * The outcome of the event just applied (of {@code seq}, with that error) and its customer's view as
     * {@link #outcome} and {@link #view} give them, written into {@code facts}: no objects.
     */
    void outcomeInto(long seq, String customer, RuleError error, int slot, OutcomeFacts facts) {
        facts.outcome(seq, customer, error, sink);
        facts.view(rules, slot, clock.nowMs());
    }

    boolean exists(int slot) {
        return table.exists(slot);
    }

    // ---------------------------------------------------------------- applying

    /**
     * Applies one event of this partition: due work first, then the event; writes its ledger entries and its
     * outcome, changes the statistics. Returns the outcome (allocates it: for callers off the hot path).
     */
    EventOutcome apply(int slot, Event e, long seq, long ingestMs) {
        RuleError error = apply(slot, eventInput.of(e), seq, ingestMs);
        return outcome(seq, e.customer(), error);
    }

    /**
     * Applies one event as {@link #apply(int, Event, long, long)} without building its outcome: the outcome goes
     * straight from the rules' entries into the derived log's bytes. Returns the rejection, or null when applied;
     * {@link #outcome} gives the outcome as an object until the next apply or due work.
     */
    RuleError apply(int slot, RuleInput e, long seq, long ingestMs) {
        before.capture(rules, slot);
        ctx.seq = seq;
        ctx.ingestMs = ingestMs;
        sink.clear();
        boolean wasDirty = table.dirty(slot);
        RuleError error = rules.apply(slot, e, ctx, sink);
        after.capture(rules, slot);
        stats.change(before, after);
        stats.addExpiring(rules.lotExpiryDeltas());
        String customer = table.id(slot);
        if (observed) {
            hooks.outcome(outcome(seq, customer, error));
        }
        if (error == null) {
            stats.countApplied();
        }
        writeLedger(slot);
        changed(slot, wasDirty);
        derived.outcome(seq, customer, error, sink, error == null ? sink.eventStart() : sink.size(), ingestMs);
        eventsSinceCommit++;
        return error;
    }

    /** The outcome of the event just applied (of {@code seq}, with that error), as an object: allocates. */
    EventOutcome outcome(long seq, String customer, RuleError error) {
        return new EventOutcome(seq, customer, error,
                error == null ? List.copyOf(sink.entries(sink.eventStart())) : List.of());
    }

    /** After a change of that slot: remember it is dirty, and schedule its work if it came earlier. */
    private void changed(int slot, boolean wasDirty) {
        if (!wasDirty && table.dirty(slot)) {
            if (dirtyCount == dirtySlots.length) {
                dirtySlots = Arrays.copyOf(dirtySlots, dirtyCount * 2);
            }
            dirtySlots[dirtyCount++] = slot;
            int w = table.weight(slot);
            if (w > HEAVY_ROW) {
                heavyRowBytes += w;
            }
        }
        long next = rules.nextDueMs(slot);
        if (next < table.scheduledMs(slot)) {
            schedule(slot, next);
        }
    }

    /**
     * Schedules the customer's work at {@code next} (not {@code Long.MAX_VALUE}): an entry in the due queue when
     * the loaded window reaches it, else (most work: expiries a year out) a deferred entry of the dirty row,
     * whose commit writes its due key for a later window. A clean row (its key already written) gets an entry.
     */
    private void schedule(int slot, long next) {
        if (next <= dueLoadedThroughMs || !table.dirty(slot)) {
            due.push(next, table.id(slot));
        } else {
            deferred.push(next, slot);
        }
        table.scheduledMs(slot, next);
    }

    private void writeLedger(int slot) {
        int n = sink.size();
        if (n == 0) {
            return;
        }
        String id = table.id(slot);
        long head = table.ledgerHead(slot);
        for (int i = 0; i < n; i++) {
            if (observed) {
                hooks.ledger(sink.entry(i));
            }
            head = derived.ledger(head, id, sink, i);
        }
        table.ledgerHead(slot, head);
        // the head is part of the row (rules that write entries dirty it anyway: this does not rely on it)
        table.markDirty(slot);
        // the entries stay in the sink until the next apply clears it: the outcome is written from them
    }

    /**
     * Runs all work due by the clock, for every customer the due queue names (held or not). Entries carry the
     * seq of the record whose clock reached their due time. Called after every record, not per batch: the
     * ledger entries of due work then land in the derived log at the same place whatever the batches were.
     */
    void runDueWork() {
        long now = clock.nowMs();
        if (now == Long.MIN_VALUE) {
            return;
        }
        if (now > dueLoadedThroughMs) {
            loadDueThrough(now);
        }
        if (due.peekMs() <= now) {
            ctx.seq = clock.seqOfNow();
            ctx.ingestMs = now;
            dueIds.clear();
            while (due.peekMs() <= now) {
                long at = due.peekMs();
                String id = due.peekId();
                due.pop();
                int slot = load(id);
                if (table.scheduledMs(slot) != at) {
                    continue; // superseded by an earlier entry, or already run
                }
                table.scheduledMs(slot, Long.MAX_VALUE);
                dueIds.add(id);
            }
            // Their ledger entries are appended in customer order: the derived log's bytes then depend on the
            // journal only, not on the queue's history (restarts refill it in another order than a replay).
            dueIds.sort(null);
            String previous = null;
            for (String id : dueIds) {
                if (id.equals(previous)) {
                    continue; // popped twice (evicted and reloaded while collecting)
                }
                previous = id;
                int slot = load(id);
                table.scheduledMs(slot, Long.MAX_VALUE);
                runDue(slot); // schedules the customer's next work (changed: it is earlier than MAX_VALUE)
            }
            dueIds.clear();
        }
        if (now > lastSweptMs) {
            lastSweptMs = now;
        }
    }

    /**
     * Reads committed due keys into the queue, a window at a time, until every key due by {@code nowMs} is
     * there. A window is at least {@link #dueWindow} keys and ends after the last key of a due time, so that
     * {@link #dueLoadedThroughMs} covers whole instants; it never reads past {@link #DUE_HORIZON_MS} after now
     * (a window of the first keys after a quiet hour would otherwise reach months ahead, and every change due
     * before that bound would become an entry with an id). Keys written since at or before the bound had their
     * entries pushed by the write; keys past it are read by a later window (the next one starts right after the
     * bound); work of rows not committed yet is moved in from {@link #deferred} and {@link #pendingDue}. A
     * stale key read here is skipped when popped, as any stale entry is (see {@link #runDueWork}), and an entry
     * read twice runs once.
     */
    private void loadDueThrough(long nowMs) {
        awaitLanded(); // the windows read the due keys the commit in flight writes
        long limit = nowMs > Long.MAX_VALUE - DUE_HORIZON_MS ? Long.MAX_VALUE : nowMs + DUE_HORIZON_MS;
        while (dueLoadedThroughMs < nowMs) {
            byte[] from = dueLoadedThroughMs == Long.MIN_VALUE ? new byte[] {Keys.DUE}
                    : Keys.due(dueLoadedThroughMs + 1, "");
            int[] read = {0};
            long[] last = {Long.MIN_VALUE};
            boolean[] more = {false};
            store.forEachFrom(from, (k, v) -> {
                long at = Keys.dueTime(k);
                if (at > limit) {
                    return false; // read by a later window
                }
                if (read[0] >= dueWindow && at != last[0]) {
                    more[0] = true;
                    return false;
                }
                due.push(at, Keys.dueCustomer(k));
                last[0] = at;
                read[0]++;
                return true;
            });
            dueLoadedThroughMs = more[0] ? last[0] : limit;
        }
        // Uncommitted rows' work up to the new bound has no key the windows could read: queue it now.
        while (pendingDue.peekMs() <= dueLoadedThroughMs) {
            due.push(pendingDue.peekMs(), pendingDue.peekId());
            pendingDue.pop();
        }
        while (deferred.peekMs() <= dueLoadedThroughMs) {
            long at = deferred.peekMs();
            int slot = deferred.peekSlot();
            deferred.pop();
            if (table.scheduledMs(slot) == at) {
                due.push(at, table.id(slot)); // else superseded: the row's work moved (and was queued) since
            }
        }
    }

    private void runDue(int slot) {
        before.capture(rules, slot);
        sink.clear();
        boolean wasDirty = table.dirty(slot);
        rules.runDue(slot, ctx, sink);
        after.capture(rules, slot);
        stats.change(before, after);
        stats.addExpiring(rules.lotExpiryDeltas());
        writeLedger(slot);
        changed(slot, wasDirty);
    }

    /** Puts those rules in force (read from the rules record of {@code seq}, or substituted by the hooks there). */
    void putInForce(String json, long seq) {
        if (!json.equals(rulesJson)) {
            // Work that fell due under the old rules runs under them.
            runDueWork();
            RulesConfig next = rulesParser.apply(json);
            RulesConfig old = rules.config();
            if (next.accounts().size() != table.accounts()
                    || !next.customActions().equals(old.customActions())) {
                reshape(next);
            } else {
                rules = new CoreRules(next, table, TransactionArchive.NONE);
            }
            if (!next.accounts().equals(old.accounts())) {
                expiryMoved(seq);
            }
        }
        rulesJson = json;
        put(RULES, json.getBytes(StandardCharsets.UTF_8));
        uncommitted = true;
    }

    /**
     * Moves every held customer into a table shaped for the new rules (number of accounts, once-only actions by
     * name) through its snapshot bytes: O(held customers), at a journaled rules change only.
     */
    private void reshape(RulesConfig next) {
        CustomerTable old = table;
        CoreCustomerCodec oldCodec = codec;
        table = newTable(next.accounts().size());
        rules = new CoreRules(next, table, TransactionArchive.NONE);
        codec = new CoreCustomerCodec(next.customActions());
        dirtyCount = 0;
        earlyCursor = 0;
        heavyRowBytes = 0;
        // The deferred entries name old slots: each dirty row's is put back under its new slot below.
        deferred.clear();
        for (int slot = 0; slot < old.slots(); slot++) {
            if (old.id(slot) == null) {
                continue;
            }
            makeRoom(); // the new rows may be larger (more accounts): the byte budget still holds
            int to = codec.decode(oldCodec.encode(old, slot), table);
            table.weigh(to);
            long scheduled = old.scheduledMs(slot);
            table.scheduledMs(to, scheduled);
            if (old.dirty(slot)) {
                table.markDirty(to);
                if (scheduled != Long.MAX_VALUE && scheduled > dueLoadedThroughMs) {
                    deferred.push(scheduled, to);
                }
                changed(to, false);
            }
        }
    }

    /**
     * A journaled rules change moved lot expiries: recount the buckets, re-write every customer whose due time
     * moved, and run the expiries the new rules make overdue right at this record (their entries carry its
     * seq), so that where batches end changes nothing.
     */
    private void expiryMoved(long seq) {
        long now = clock.nowMs();
        dueIds.clear();
        // Collects the overdue customers, held or not: reloading the moved ones can evict held ones (more
        // customers moved than rows), whose work would then run later under another seq than in a replay.
        rebuildExpiring(true, now);
        if (now == Long.MIN_VALUE) {
            dueIds.clear();
            return;
        }
        ctx.seq = seq;
        ctx.ingestMs = now;
        ctx.seqFixed = true;
        try {
            // in customer order, not slot order (slots depend on the cache's history): see runDueWork
            dueIds.sort(null);
            for (String id : dueIds) {
                runDue(load(id));
            }
            dueIds.clear();
        } finally {
            ctx.seqFixed = false;
        }
    }

    /**
     * Refills the expiring buckets from every customer of the partition under the rules in force: those held
     * from the table, the others from the pending batch or the store. O(customers), at a journaled rules change
     * that moves expiries, never per event or query. With {@code reindex}, every customer whose due time moved
     * is loaded and marked dirty, so that the next commit moves its due key, and every customer with work due by
     * {@code now} is added to {@link #dueIds}.
     */
    private void rebuildExpiring(boolean reindex, long now) {
        awaitLanded(); // reads every stored customer: the commit in flight must be among them
        stats.clearExpiring();
        CustomerTable scratch = new CustomerTable(1, table.accounts());
        CoreRules scratchRules = new CoreRules(rules.config(), scratch, TransactionArchive.NONE);
        List<String> moved = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        store.forEachWithPrefix(Keys.CUSTOMER, (k, v) -> {
            String id = new String(k, 1, k.length - 1, StandardCharsets.UTF_8);
            if (table.find(id) < 0) {
                byte[] raw = pendingRows.getOrDefault(id, v);
                countCold(raw, scratch, scratchRules, reindex, now, moved);
                seen.add(id);
            }
            return true;
        });
        for (Map.Entry<String, byte[]> row : pendingRows.entrySet()) {
            if (table.find(row.getKey()) < 0 && !seen.contains(row.getKey())) {
                countCold(row.getValue(), scratch, scratchRules, reindex, now, moved);
            }
        }
        for (int slot = 0; slot < table.slots(); slot++) {
            if (table.id(slot) != null) {
                stats.addExpiring(before.captureWithLots(rules, slot));
                if (reindex && rules.nextDueMs(slot) <= now) {
                    dueIds.add(table.id(slot));
                }
                if (reindex && rules.nextDueMs(slot) != table.indexedDueMs(slot)) {
                    boolean wasDirty = table.dirty(slot);
                    table.markDirty(slot);
                    changed(slot, wasDirty);
                }
            }
        }
        for (String id : moved) {
            int slot = load(id);
            table.markDirty(slot);
            changed(slot, false);
        }
    }

    private void countCold(byte[] raw, CustomerTable scratch, CoreRules scratchRules, boolean reindex, long now,
                           List<String> moved) {
        int slot = codec.decode(raw, scratch);
        stats.addExpiring(before.captureWithLots(scratchRules, slot));
        if (reindex && scratchRules.nextDueMs(slot) != scratch.indexedDueMs(slot)) {
            moved.add(scratch.id(slot));
        }
        if (reindex && scratchRules.nextDueMs(slot) <= now) {
            dueIds.add(scratch.id(slot));
        }
        scratch.remove(slot);
    }

    // ---------------------------------------------------------------- committing

    /**
     * Writes every dirty customer into the pending batch (sorted by id), moving its due key, and marks it clean.
     *
     * @param committing true at a commit (the rows are then committed, not pending)
     */
    private void writeDirtyRows(boolean committing) {
        int count = dirtyCount;
        if (committing && earlyCursor > 0) {
            // Rows written early and unchanged since are in the batch as they are: only the others are encoded.
            count = 0;
            for (int i = 0; i < dirtyCount; i++) {
                int slot = dirtySlots[i];
                if (table.writtenEarly(slot)) {
                    flightIds.add(table.id(slot).hashCode());
                    table.markClean(slot);
                } else {
                    dirtySlots[count++] = slot;
                }
            }
        }
        slotsById.sort(dirtySlots, count, table);
        int encoded = 0;
        for (int i = 0; i < count; i++) {
            int slot = dirtySlots[i];
            if (table.dirty(slot)) {
                writeRow(slot, committing, false);
                table.markClean(slot);
                encoded++;
            }
        }
        if (committing) {
            lastCommitRows = encoded;
        }
        dirtyCount = 0;
        earlyCursor = 0;
        heavyRowBytes = 0;
        // Every deferred entry was a dirty row's: now its key is in the batch (committing) or it got an entry.
        deferred.clear();
        uncommitted = true;
    }

    /**
     * Encodes up to {@code max} of the dirty rows into the pending batch ahead of the commit, oldest dirty first,
     * each as it is now; returns how many. A row left unchanged until the commit is not encoded again there, so
     * the commit, which stops the partition (and the answers of every request behind it) for as long as it
     * encodes, has only the rows changed since to encode. A row changed again is encoded again at the commit
     * (the batch's later put wins): what is committed is the same as without early writes. The rows stay dirty
     * (held, never evicted, until the commit) and their due work goes where an eviction's write puts it. Each row
     * is looked at once between commits, so a row changed again costs one encoding more at most.
     */
    int writeEarly(int max) {
        int written = 0;
        while (written < max && earlyCursor < dirtyCount) {
            int slot = dirtySlots[earlyCursor++];
            // Heavy rows (a hot customer's) wait for the commit: changed again, each would be encoded twice.
            if (table.dirty(slot) && !table.writtenEarly(slot) && table.weight(slot) <= HEAVY_ROW) {
                writeRow(slot, false, true);
                table.markWrittenEarly(slot);
                written++;
            }
        }
        if (written > 0) {
            uncommitted = true;
        }
        return written;
    }

    /** Dirty rows the last commit encoded itself (the others were written early and unchanged since). */
    int lastCommitRows() {
        return lastCommitRows;
    }

    /**
     * @param committing true at a commit (the rows are then committed, not pending)
     * @param held       the row stays held and dirty until the commit (an early write): no copy for misses
     */
    private void writeRow(int slot, boolean committing, boolean held) {
        // What its changes did to the row's heap, for the byte budget: weighed here, once per write of a changed
        // row (its objects are in the cache for the encoding anyway), not after every event (a walk over the
        // row's objects per event cost replay ~15% on a large table). Between writes the budget sees the row
        // as last weighed: what one commit interval grows it by.
        table.weigh(slot);
        String id = table.id(slot);
        long next = rules.nextDueMs(slot);
        long indexed = table.indexedDueMs(slot);
        if (next != indexed) {
            if (indexed != Long.MAX_VALUE) {
                batch.deleteDue(indexed, id);
            }
            if (next != Long.MAX_VALUE) {
                batch.putDue(next, id);
            }
            table.indexedDueMs(slot, next);
        }
        // Once written, the customer may be evicted: the queue must then hold an entry at its indexed time, or
        // (at a commit, whose batch carries the key) the time lies past the loaded window, which will read it.
        // Written only into the pending batch, work past the window goes to pendingDue even when it was
        // scheduled already (it may have been deferred): a window read before the commit misses the batch's key.
        boolean past = next > dueLoadedThroughMs;
        if (past && !committing) {
            if (next != Long.MAX_VALUE) {
                pendingDue.push(next, id);
            }
            table.scheduledMs(slot, next);
        } else if (next != table.scheduledMs(slot)) {
            if (!past && next != Long.MAX_VALUE) {
                due.push(next, id);
            }
            table.scheduledMs(slot, next);
        }
        if (!table.exists(slot)) {
            return; // a blank row that never opted in: nothing to store
        }
        int length = codec.encodeInto(table, slot);
        batch.putCustomer(id, codec.buffer(), length);
        warm.put(id, codec.buffer(), 0, length); // the row as written: what a later miss must see
        if (!committing) {
            if (!held) {
                pendingRows.put(id, Arrays.copyOf(codec.buffer(), length));
            }
        } else {
            flightIds.add(id.hashCode());
        }
    }

    /** {@link #commit(boolean)} without asking for a flush. */
    void commit() {
        commit(false);
    }

    /**
     * Commits everything applied since the last commit in one atomic write batch: customers, statistics, due
     * keys, the derived logs' mark (their files written first; forced before the next RocksDB flush, or before the
     * batch with the WAL) and the checkpoint of the journal position they reflect. Encodes the batch here and hands
     * it to the {@link Committer}, having waited for the previous commit to land (one in flight); once this one
     * lands ({@link #settleLanded}, {@link #awaitLanded}) the committed position moves and outcomes past the
     * retention (journaled clock) are forgotten.
     *
     * @param flush start a background flush of the store once the batch is written
     */
    void commit(boolean flush) {
        long waitedNs = awaitLanded();
        long startNs = System.nanoTime();
        tableCounts[TableCounts.COMMITS]++;
        flightIds.reset(dirtyCount);
        writeDirtyRows(true);
        stats.drainDirtyDays((day, count) -> {
            byte[] k = Keys.day(day);
            if (count == 0) {
                delete(k);
            } else {
                put(k, new BinaryWriter(8).writeLong(count).toBytes());
            }
        });
        stats.drainDirtyExpiring((account, day, points) -> {
            byte[] k = Keys.expiring(account, day);
            if (points == 0) {
                delete(k);
            } else {
                put(k, new BinaryWriter(8).writeLong(points).toBytes());
            }
        });
        if (expiringBuiltPending) {
            put(EXPIRING_BUILT, new byte[] {1});
            expiringBuiltPending = false;
        }
        put(STATS, stats.encodeScalars(writer));
        // Written to the files now (they survive a killed process); forced by the committer before the batch
        // with the WAL, else by the store just before every flush (beforeFlush, set at load).
        put(DerivedFiles.MARK, derived.mark().encode());
        put(PartitionCheckpoint.KEY, new PartitionCheckpoint(position, lastSeq, clock.nowMs(), clock.seqOfNow(),
                lastSweptMs).encode(writer));
        // What the batch carries stays readable from memory until it lands; new pending work starts empty.
        HashMap<String, byte[]> rows = flightRows;
        flightRows = pendingRows;
        pendingRows = rows;
        DueQueue dueKeys = flightDue;
        flightDue = pendingDue;
        pendingDue = dueKeys;
        flightPosition = position;
        flightSeq = lastSeq;
        flightClockMs = clock.nowMs();
        inFlight = true;
        lastCommitBytes = batch.dataSize();
        committer.handOver(batch.take(), position, flush);
        lastCommitRowsNs = System.nanoTime() - startNs;
        lastCommitWaitNs = waitedNs;
        uncommitted = false;
        eventsSinceCommit = 0;
    }

    /**
     * Settles the commit in flight if it has landed (a volatile read when one is in flight); throws if it failed.
     * Returns false while a commit is still in flight (a {@link #commit} now would wait for it).
     */
    boolean settleLanded() {
        if (inFlight && committer.landed()) {
            settle();
        }
        return !inFlight;
    }

    /**
     * Waits for the commit in flight to land and settles it (throws if it failed); returns the nanoseconds waited.
     * The store then holds everything committed: call before reading it for anything a commit writes.
     */
    long awaitLanded() {
        if (!inFlight) {
            return 0;
        }
        long waited = committer.awaitLanded();
        settle();
        return waited;
    }

    /** What the landing of the commit in flight allows: drop what it carried from memory, move the position. */
    private void settle() {
        committer.throwIfFailed();
        inFlight = false;
        flightRows.clear();
        flightDue.clear(); // its keys are stored now: the windows read them
        committedPosition = flightPosition;
        committedSeq = flightSeq;
        // The log's last mark is this commit's (the next mark comes with the next commit, after this settles).
        long now = flightClockMs;
        if (now != Long.MIN_VALUE) {
            derived.forgetOutcomesBefore(now < Long.MIN_VALUE + outcomeRetentionMs ? Long.MIN_VALUE
                    : now - outcomeRetentionMs);
        }
    }

    /** Sets who is told, on the committer's thread, how long each landing forced and wrote. */
    void onLanded(Committer.Landed listener) {
        committer.onLanded(listener);
    }

    /** Nanoseconds the last {@link #commit} spent encoding rows and statistics into its batch and handing it over. */
    long lastCommitRowsNs() {
        return lastCommitRowsNs;
    }

    /** Bytes of the last commit's write batch (its rows, keys and metadata as RocksDB counts them). */
    long lastCommitBytes() {
        return lastCommitBytes;
    }

    /** Nanoseconds the last {@link #commit} waited for the previous one to land. */
    long lastCommitWaitNs() {
        return lastCommitWaitNs;
    }

    /**
     * Lets the commit in flight land, then releases the pending batch (uncommitted work is lost: the journal still
     * has it). A failed landing is not thrown here: {@link #awaitLanded} reports it.
     */
    void close() {
        try {
            committer.close();
        } finally {
            try {
                batch.close();
            } finally {
                derived.close();
            }
        }
    }

    DerivedWrites derived() {
        return derived;
    }

    /** A page of the ledger of the customer in {@code slot} (held, existing). */
    dev.loyalty.engine.LoyaltyEngine.LedgerPage ledgerPage(int slot, int limit, long beforeId) {
        return derived.page(table.id(slot), table.ledgerHead(slot), limit, beforeId);
    }

    private void put(byte[] key, byte[] value) {
        batch.put(key, value);
    }

    private void delete(byte[] key) {
        batch.delete(key);
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
