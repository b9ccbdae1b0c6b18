package dev.loyalty.engine;

import dev.loyalty.engine.journal.IngestClock;

import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.idempotency.IdLocks;
import dev.loyalty.engine.idempotency.IdempotencyIndex;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.DiskSpaceGuard;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.JournalRetention;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.RecordType;
import dev.loyalty.engine.journal.kafka.KafkaJournal;
import dev.loyalty.engine.journal.kafka.KafkaSeq;
import dev.loyalty.engine.journal.kafka.KafkaSettings;
import dev.loyalty.engine.metrics.EngineMetrics;
import dev.loyalty.engine.metrics.JournalWrite;
import dev.loyalty.engine.processor.PartitionProcessor;
import dev.loyalty.engine.processor.ProcessorListener;
import dev.loyalty.engine.processor.ProcessorMetrics;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.stats.PartitionStats;
import io.micrometer.core.instrument.MeterRegistry;
import org.rocksdb.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** The embedded engine: wires journal, idempotency index, partition processors and their stores. */
final class EngineImpl implements LoyaltyEngine, ProcessorListener {
    private static final Logger LOG = LoggerFactory.getLogger(EngineImpl.class);
    /** How often journal retention looks for files it may drop (files are whole days). */
    static final java.time.Duration RETENTION_PERIOD = java.time.Duration.ofMinutes(1);
    /**
     * How long the processors may go on applying what is journaled when the engine closes, so that a clean
     * stop leaves nothing to catch up at the next start; past it, the rest waits in the journal.
     */
    static final java.time.Duration DRAIN_ON_CLOSE = java.time.Duration.ofSeconds(5);
    /** How often the idempotency index writes the ids recorded since (milliseconds). */
    private static final long ID_FLUSH_MS = 5;

    private final EngineConfig config;
    private final DataFolder folder;
    private final FolderLock lock;
    private final Journal journal;
    private final EventValidator validator;
    private final IdempotencyIndex ids;
    private final Cache blockCache;
    private final PartitionStore[] stores;
    private final PartitionProcessor[] processors;
    private final Thread[] threads;
    private final List<ConcurrentHashMap<Long, CompletableFuture<EventResult>>> waiters = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final IdLocks idLocks = new IdLocks();
    /** Ids on their way into the Kafka journal (unused on Chronicle, where the shard locks cover the append). */
    private final KafkaIdReservations kafkaIds = new KafkaIdReservations();
    /** Set while writing the idempotency index fails, so that the failure is logged once (timer thread only). */
    private boolean idIndexFailed;
    private final ConcurrentHashMap<Long, ClockWait> clockWaits = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService retention;
    private final ChronicleJournal chronicle;
    /** The Kafka journal when {@code journal.kind} is kafka (then {@link #chronicle} is null), else null. */
    private final KafkaJournal kafka;
    /** Clock records on Kafka waiting for every partition to apply their copy. */
    private final java.util.Queue<KafkaClockWait> kafkaClockWaits = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final int[] windows;
    private final int[] expiringWindows;
    private final EngineMetrics engineMetrics;
    private final java.util.concurrent.LinkedBlockingQueue<DurableWait> syncQueue =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread syncer;
    /** Held by journal retention and by an online backup: no file a backup needs goes before it is registered. */
    private final Object retentionLock = new Object();
    private final BackupRequests backupRequests;
    private volatile boolean closed;
    private volatile boolean journalFailed;
    private volatile boolean partitionFailed;

    /** A request waiting for the journal to be synced through its seq. */
    private record DurableWait(long seq, CompletableFuture<Void> done) {
    }

    /** Waits for every partition to apply one clock record. */
    private record ClockWait(CompletableFuture<Long> done, AtomicInteger remaining, long ingestMs) {
    }

    /**
     * Waits for every partition to apply its copy of a clock record on Kafka (one seq per partition, known
     * after the acknowledgement, so a partition may have applied it already: each is counted once).
     */
    private record KafkaClockWait(CompletableFuture<Long> done, long[] seqs, java.util.concurrent.atomic.AtomicIntegerArray counted,
                                  AtomicInteger remaining, long ingestMs) {
        void count(int partition) {
            if (counted.compareAndSet(partition, 0, 1) && remaining.decrementAndGet() == 0) {
                done.complete(ingestMs);
            }
        }
    }

    /**
     * @param purpose what the process uses the engine for ({@code serve}, {@code import}), named to a
     *                process that finds the data folder taken
     */
    EngineImpl(EngineConfig config, MeterRegistry registry, String purpose, java.util.function.LongSupplier wallMs) {
        this.config = config;
        this.folder = new DataFolder(config.dataDir());
        this.lock = FolderLock.acquire(config.dataDir(), purpose);
        KafkaJournal openedKafka = null;
        StringBuilder phases = new StringBuilder();
        long mark = System.nanoTime();
        try {
            int partitions;
            if (config.journal().kind() == EngineConfig.JournalKind.KAFKA) {
                // The topic's partition count is the engine's: known once the topic is found or created.
                EngineConfig.Kafka k = config.journal().kafka();
                openedKafka = KafkaJournal.open(new KafkaSettings(k.bootstrapServers(), k.topic(),
                        config.cluster().nodeId(), Map.of()), config.partitions(), wallMs, config.api().syncTimeout());
                this.kafka = openedKafka;
                this.chronicle = null;
                partitions = kafka.partitions();
                folder.checkPartitions(partitions);
                folder.checkJournal("kafka:" + k.topic());
                this.journal = kafka;
            } else {
                partitions = config.partitions();
                folder.checkPartitions(partitions);
                folder.checkJournal("chronicle");
                this.kafka = null;
                this.chronicle = ChronicleJournal.open(folder.journal(), wallMs,
                        DiskSpaceGuard.of(folder.journal(), config.journal().minFreeBytes()), partitions);
                this.journal = chronicle;
            }
            // First, as it reads (and checks) every record after its checkpoint: a damaged journal refuses the
            // start before anything is appended to it.
            mark = phase(phases, "journal open", mark);
            this.ids = IdempotencyIndex.open(folder.ingest());
            mark = phase(phases, "idempotency index open", mark);
            rebuildIds();
            mark = phase(phases, "ids re-registered", mark);
            String rulesJson = RulesJson.write(config.rules());
            if (!rulesJson.equals(folder.readLastRules())) {
                journal.appendRules(rulesJson);
                folder.writeLastRules(rulesJson);
                LOG.info("rules changed since the last start: journaled the new rules at seq {}", journal.lastSeq());
            }
            this.validator = new EventValidator(config.rules());

            this.blockCache = PartitionStore.newBlockCache(config.state().blockCacheBytes());
            this.stores = new PartitionStore[partitions];
            this.processors = new PartitionProcessor[partitions];
            this.threads = new Thread[partitions];
            this.windows = config.activeWindowsDays().stream().mapToInt(Integer::intValue).toArray();
            this.expiringWindows = config.expiringWindowsDays().stream().mapToInt(Integer::intValue).toArray();
            ProcessorMetrics metrics = new ProcessorMetrics(registry, partitions, journal.clock()::peekMs);
            mark = phase(phases, "rules and validator", mark);
            for (int p = 0; p < partitions; p++) {
                stores[p] = PartitionStore.open(folder.state(p), blockCache, config.state().wal());
                mark = phase(phases, "RocksDB " + p + " open", mark);
                ConcurrentHashMap<Long, CompletableFuture<EventResult>> w = new ConcurrentHashMap<>();
                waiters.add(w);
                processors[p] = new PartitionProcessor(p, partitions, stores[p], journal.reader(p, partitions),
                        RulesJson::read,
                        rulesJson, w, inFlight, this, config.processor().batchMax(),
                        config.state().cacheCustomers(), config.outcomesRetention().toMillis(), windows,
                        expiringWindows, journal.lastSeq(p), config.state().flushInterval().toNanos(), metrics);
                mark = phase(phases, "partition " + p + " state", mark);
            }
            this.engineMetrics = new EngineMetrics(registry, new EngineMetrics.Sources(this, journal,
                    List.of(processors), List.of(stores), blockCache, inFlight));
            for (int p = 0; p < partitions; p++) {
                threads[p] = new Thread(processors[p], "processor-" + p);
                threads[p].start();
            }
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "journal-heartbeat");
                t.setDaemon(true);
                return t;
            });
            long hb = Math.max(10, config.journal().heartbeat().toMillis());
            timer.scheduleWithFixedDelay(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
            timer.scheduleWithFixedDelay(this::expireIds, 10, 10, TimeUnit.SECONDS);
            timer.scheduleWithFixedDelay(this::flushIds, ID_FLUSH_MS, ID_FLUSH_MS, TimeUnit.MILLISECONDS);
            timer.scheduleWithFixedDelay(this::checkpointIds, 1, 1, TimeUnit.SECONDS);
            if (config.journal().retains() && chronicle != null) {
                this.retention = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "journal-retention");
                    t.setDaemon(true);
                    return t;
                });
                retention.scheduleWithFixedDelay(this::retainJournal, RETENTION_PERIOD.toSeconds(),
                        RETENTION_PERIOD.toSeconds(), TimeUnit.SECONDS);
            } else {
                this.retention = null;
            }
            if (config.journal().sync() == EngineConfig.SyncMode.BATCH && chronicle != null) {
                syncer = new Thread(this::syncLoop, "journal-sync");
                syncer.setDaemon(true);
                syncer.start();
            } else {
                syncer = null;
            }
            this.backupRequests = BackupRequests.start(config.dataDir(), this::backupOnline);
            phase(phases, "threads and timers", mark);
            LOG.info("engine opened (ms): {}", phases);
        } catch (RuntimeException e) {
            if (openedKafka != null) {
                openedKafka.close();
            }
            lock.close();
            throw e;
        }
    }

    /** Appends "what N" (ms since {@code since}) to the start's phase list; returns now. */
    private static long phase(StringBuilder phases, String what, long since) {
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? "" : ", ").append(what).append(' ').append((now - since) / 1_000_000);
        return now;
    }

    /** Group commit: one disk sync covers every request that asked for durability while the last one ran. */
    private void syncLoop() {
        List<DurableWait> waiting = new ArrayList<>();
        while (!closed) {
            try {
                DurableWait first = syncQueue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                waiting.add(first);
                syncQueue.drainTo(waiting);
                try {
                    journal.sync();
                    for (DurableWait w : waiting) {
                        w.done().complete(null);
                    }
                } catch (RuntimeException e) {
                    journalFailed = true;
                    engineMetrics.journalWriteFailed(JournalWrite.SYNC);
                    LOG.error("journal sync failed: {}", e.toString());
                    for (DurableWait w : waiting) {
                        w.done().completeExceptionally(
                                new IngestRefusedException(503, "unavailable", "the journal cannot be synced", 0));
                    }
                }
                waiting.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    @Override
    public CompletableFuture<Void> durable(long seq) {
        if (syncer == null) {
            return DONE;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        syncQueue.add(new DurableWait(seq, f));
        return f;
    }

    /** Puts the ids journaled after the index's checkpoint back into it (they may have been lost in a crash). */
    private void rebuildIds() {
        if (kafka != null) {
            rebuildIdsFromKafka();
            return;
        }
        long from = ids.checkpoint();
        long last = journal.lastPosition();
        try (JournalReader r = journal.reader()) {
            // An index checkpoint older than the journal (retention dropped those files) reads it all.
            if (from >= 0 && from >= journal.firstPosition()) {
                r.seekAfter(from);
            }
            long[] n = new long[1];
            while (r.next((pos, h, payload) -> {
                if (h.type() != RecordType.EVENTS) {
                    return;
                }
                int count = (int) payload.readStopBit();
                for (int i = 0; i < count; i++) {
                    payload.readInt();
                    payload.readInt();
                    EventCodec.WithHash e = EventCodec.readWithHash(payload);
                    if (e.event().id() != null) {
                        ids.put(e.event().id(), new IdempotencyIndex.Entry(h.firstSeq() + i, e.bodyHash(),
                                h.ingestMs(), e.event().customer()));
                        n[0]++;
                    }
                }
            })) {
                // keep reading
            }
            if (n[0] > 0) {
                LOG.info("idempotency index: re-registered {} ids from the journal", n[0]);
            }
        }
        if (last >= 0) {
            ids.checkpoint(last);
        }
    }

    /**
     * On Kafka the index's checkpoint is an offset per partition (a file beside the index, written after
     * the index checkpoint it stands for): each partition is read from right after it to its end.
     */
    private void rebuildIdsFromKafka() {
        long[] from = KafkaIdsCheckpoint.read(folder.ingest(), kafka.partitions());
        long[] last = kafka.lastOffsets();
        long[] n = new long[1];
        for (int p = 0; p < last.length; p++) {
            kafka.read(p, from[p], last[p], (pos, h, payload) -> {
                if (h.type() == RecordType.EVENTS) {
                    n[0] += registerIds(h, payload);
                }
            });
        }
        if (n[0] > 0) {
            LOG.info("idempotency index: re-registered {} ids from the journal", n[0]);
        }
        ids.checkpoint(0);
        KafkaIdsCheckpoint.write(folder.ingest(), last);
    }

    /** Puts the ids of one events record into the index; returns how many. */
    private int registerIds(dev.loyalty.engine.journal.RecordHeader h, net.openhft.chronicle.bytes.Bytes<?> payload) {
        int count = (int) payload.readStopBit();
        int n = 0;
        for (int i = 0; i < count; i++) {
            payload.readInt();
            payload.readInt();
            EventCodec.WithHash e = EventCodec.readWithHash(payload);
            if (e.event().id() != null) {
                ids.put(e.event().id(), new IdempotencyIndex.Entry(h.firstSeq() + i, e.bodyHash(),
                        h.ingestMs(), e.event().customer()));
                n++;
            }
        }
        return n;
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        try {
            journal.appendHeartbeat();
            journalWritable();
            wakeAll();
        } catch (RuntimeException e) {
            engineMetrics.journalWriteFailed(JournalWrite.HEARTBEAT);
            journalNotWritable(e);
        }
    }

    /** Logs the change only, not every refused append (a full disk would flood the log). */
    private void journalNotWritable(RuntimeException e) {
        if (!journalFailed) {
            journalFailed = true;
            LOG.error("the journal cannot be written; refusing appends (503) until it can: {}", e.toString());
        }
    }

    private void journalWritable() {
        if (journalFailed) {
            journalFailed = false;
            LOG.info("the journal is writable again");
        }
    }

    /**
     * Records that the idempotency index holds every id journaled so far, so that the next start need not
     * read the journal's tail again (after a crash it reads from the last periodic checkpoint instead).
     */
    private void checkpointIdsAtClose() {
        try {
            if (kafka != null) {
                checkpointKafkaIds(kafkaIds.endIfIdle(kafka::lastOffsets));
            } else {
                checkpointIdsToJournalEnd();
            }
        } catch (RuntimeException e) {
            LOG.warn("idempotency index: no checkpoint at close ({}); the next start re-reads the journal's tail",
                    e.toString());
        }
    }

    /**
     * Checkpoints the index at the journal's end as read under every shard's id lock: a request with ids
     * holds its shards' locks from lookup through append to put, so with all of them held no request is
     * between its append and its puts, and every id of a record up to that position was put before (the
     * checkpoint writes them first). Requests without ids take no lock and put nothing, so they cannot
     * break it. Held only for one read of the position, once a second.
     */
    private long checkpointIdsToJournalEnd() {
        if (kafka != null) {
            checkpointKafkaIds(kafkaIds.checkpointable(kafka::lastOffsets));
            return -1;
        }
        long position;
        idLocks.lock(IdLocks.ALL);
        try {
            position = journal.lastPosition();
        } finally {
            idLocks.unlock(IdLocks.ALL);
        }
        if (position >= 0) {
            ids.checkpoint(position);
        }
        return position;
    }

    /**
     * On Kafka the index's checkpoint is an offset per partition, written after the index's own checkpoint.
     * The shard locks are not held across Kafka's round trip, so an end read under them would not do: the
     * reservations say when every id journaled up to an end read earlier is put ({@link KafkaIdReservations}).
     */
    private void checkpointKafkaIds(long[] offsets) {
        if (offsets != null) {
            ids.checkpoint(0);
            KafkaIdsCheckpoint.write(folder.ingest(), offsets);
        }
    }

    /** An online backup requested through {@link BackupRequests}; runs on that watcher's thread. */
    private Backup.Manifest backupOnline(java.nio.file.Path into) {
        if (kafka != null) {
            // The manifest and a restore speak of Chronicle positions; a Kafka node rebuilds from the topic.
            throw new IllegalStateException("online backups of a node on the Kafka journal are not supported yet");
        }
        // Commits are write-behind: have every partition commit first, so the backup is as recent as the journal.
        for (PartitionProcessor p : processors) {
            try {
                p.commitNow().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while partition " + p.partition() + " committed", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("partition " + p.partition() + " did not commit for the backup: " + e, e);
            }
        }
        synchronized (retentionLock) {
            if (closed) {
                throw new IllegalStateException("the engine is stopping");
            }
            return Backup.online(folder, stores, ids, this::checkpointIdsToJournalEnd, journal::lastSeq, into);
        }
    }

    /** Writes the ids recorded since the last flush (the index writes behind; see {@link IdempotencyIndex}). */
    private void flushIds() {
        if (closed) {
            return;
        }
        try {
            ids.flush();
            idIndexWritable();
        } catch (RuntimeException e) {
            idIndexNotWritable("write", e);
        }
    }

    /**
     * Records how far the idempotency index is complete every second (a synced write of its log), so that
     * a start after a crash re-reads at most about a second of journal for ids.
     */
    private void checkpointIds() {
        if (closed) {
            return;
        }
        try {
            checkpointIdsToJournalEnd();
            idIndexWritable();
        } catch (RuntimeException e) {
            idIndexNotWritable("checkpoint", e);
        }
    }

    /** Logs the change only: the periodic writes would flood the log while, say, the disk is full. */
    private void idIndexNotWritable(String what, RuntimeException e) {
        if (!idIndexFailed) {
            idIndexFailed = true;
            LOG.error("idempotency index {} failed (ids stay in memory until it succeeds): {}", what, e.toString());
        }
    }

    private void idIndexWritable() {
        if (idIndexFailed) {
            idIndexFailed = false;
            LOG.info("the idempotency index is writable again");
        }
    }

    /** Forgets ids older than the retention (the index is checkpointed every second by {@link #checkpointIds}). */
    private void expireIds() {
        if (closed) {
            return;
        }
        try {
            ids.expireBefore(journal.clock().peekMs() - config.idempotencyRetention().toMillis());
            ids.rescanFilterWhenWorthIt();
        } catch (RuntimeException e) {
            LOG.error("idempotency index expiry failed: {}", e.toString());
        }
    }

    /** Wakes the partitions owning these events; the others read the record on their next (short) idle pass. */
    private void wakeOwners(List<Submitted> events) {
        if (events.size() > processors.length) {
            wakeAll();
            return;
        }
        for (Submitted s : events) {
            processors[partitionOf(s.event().customer())].wake();
        }
    }

    /**
     * Journal retention: drops the files that are past the limits and that nothing needs any more. What a
     * partition needs is judged by its state on disk, not in memory (with RocksDB's WAL off a crash goes
     * back to the last flush), so the stores are flushed before anything is dropped: the positions read
     * before the flush are then durable.
     */
    void retainJournal() {
        synchronized (retentionLock) {
            retainJournalUnlocked();
        }
    }

    private void retainJournalUnlocked() {
        if (closed) {
            return;
        }
        try {
            long needed = Long.MAX_VALUE;
            for (PartitionProcessor p : processors) {
                long position = p.appliedPosition();
                if (position < 0) {
                    return; // a partition that applied nothing yet reads the journal from its start
                }
                needed = Math.min(needed, position);
            }
            for (java.nio.file.Path backup : folder.keptBackups()) {
                long position = Backup.read(backup).oldestPosition();
                if (position < 0) {
                    return;
                }
                needed = Math.min(needed, position);
            }
            JournalRetention.Policy policy = new JournalRetention.Policy(config.journal().retention(),
                    config.journal().retentionBytes());
            List<JournalRetention.Drop> plan = JournalRetention.plan(chronicle, policy, needed,
                    IngestClock.systemWall().getAsLong());
            if (plan.isEmpty()) {
                return;
            }
            for (PartitionStore s : stores) {
                s.flush();
            }
            for (JournalRetention.Drop d : JournalRetention.apply(chronicle, plan)) {
                LOG.atInfo().setMessage("journal retention dropped {} ({} bytes)")
                        .addArgument(d.file().getFileName()).addArgument(d.bytes())
                        .addKeyValue("event", "journal_file_dropped").addKeyValue("file", d.file().toString())
                        .addKeyValue("bytes", d.bytes()).log();
            }
        } catch (RuntimeException e) {
            LOG.error("journal retention failed: {}", e.toString());
        }
    }

    private void wakeAll() {
        for (PartitionProcessor p : processors) {
            p.wake();
        }
    }

    private int partitionOf(String customer) {
        return PartitionHash.partition(PartitionHash.of(customer), processors.length);
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    @Override
    public EventValidator validator() {
        return validator;
    }

    @Override
    public long nowMs() {
        return journal.clock().peekMs();
    }

    @Override
    public List<Submission> submit(List<Submitted> events, boolean awaitOutcome) {
        if (closed) {
            throw new IngestRefusedException(503, "unavailable", "the engine is shutting down", 0);
        }
        checkLoad(events.size(), awaitOutcome);
        if (partitionFailed) {
            refuseForStoppedPartitions(events);
        }
        long shards = 0;
        for (Submitted s : events) {
            String id = s.event().id();
            if (id != null) {
                shards |= IdLocks.shardOf(id);
            }
        }
        if (shards == 0) {
            Submission[] out = new Submission[events.size()];
            append(events, awaitOutcome, out, null, null);
            return List.of(out);
        }
        if (kafka != null) {
            return submitWithIdsOnKafka(events, awaitOutcome, shards);
        }
        // Lookup, append and put atomic per id: a second request with one of these ids waits here and then
        // finds this one's entry; requests whose ids fall in other shards do not wait.
        idLocks.lock(shards);
        try {
            return submitWithIds(events, awaitOutcome);
        } finally {
            idLocks.unlock(shards);
        }
    }

    @Override
    public boolean lookupsInMemory(List<Submitted> events) {
        for (Submitted s : events) {
            String id = s.event().id();
            if (id != null && !ids.inMemory(id)) {
                return false;
            }
        }
        return true;
    }

    /** Events of a stopped partition would be journaled but never applied until a restart: 503 instead. */
    private void refuseForStoppedPartitions(List<Submitted> events) {
        for (Submitted s : events) {
            PartitionProcessor owner = processors[partitionOf(s.event().customer())];
            if (owner.failed()) {
                throw new IngestRefusedException(503, "unavailable", "partition " + owner.partition()
                        + " has stopped after a state failure; the engine needs a restart", 0);
            }
        }
    }

    private void checkLoad(int n, boolean await) {
        long behind = 0;
        for (PartitionProcessor p : processors) {
            behind = Math.max(behind, journal.lastSeq(p.partition()) - p.appliedSeq());
        }
        if (behind > config.api().maxLagEvents()) {
            throw new IngestRefusedException(429, "overloaded",
                    "the processors are too far behind the journal; retry shortly", 1);
        }
        if (await && inFlight.get() + n > config.api().maxInFlight()) {
            throw new IngestRefusedException(429, "overloaded", "too many requests waiting for outcomes", 1);
        }
    }

    private List<Submission> submitWithIds(List<Submitted> events, boolean await) {
        int n = events.size();
        Submission[] out = new Submission[n];
        List<Submitted> toJournal = new ArrayList<>(n);
        int[] journalSlot = new int[n];
        Map<String, Integer> firstInRequest = new HashMap<>();
        // Per duplicate slot: the original's seq, or -1 - (the original's slot) when it is in this request.
        // Allocated at the first duplicate: most requests have none.
        int[] duplicateSlots = null;
        long[] originals = null;
        int duplicates = 0;
        // Read once under the ids' locks: the events journaled below get this ingest time or a later one.
        long nowMs = journal.clock().peekMs();
        long retentionMs = config.idempotencyRetention().toMillis();
        for (int i = 0; i < n; i++) {
            Submitted s = events.get(i);
            String id = s.event().id();
            if (id == null) {
                journalSlot[toJournal.size()] = i;
                toJournal.add(s);
                continue;
            }
            Integer earlier = firstInRequest.get(id);
            IdempotencyIndex.Entry known = earlier != null ? null : ids.get(id, nowMs, retentionMs);
            if (earlier != null || known != null) {
                long hash = earlier != null ? events.get(earlier).bodyHash() : known.bodyHash();
                if (hash == s.bodyHash()) {
                    if (duplicateSlots == null) {
                        duplicateSlots = new int[n - i];
                        originals = new long[n - i];
                    }
                    duplicateSlots[duplicates] = i;
                    originals[duplicates++] = earlier != null ? -1 - earlier : known.seq();
                } else {
                    out[i] = mismatch(id);
                }
                continue;
            }
            firstInRequest.put(id, i);
            journalSlot[toJournal.size()] = i;
            toJournal.add(s);
        }
        int[] slots = duplicates == 0 ? NO_SLOTS : Arrays.copyOf(duplicateSlots, duplicates);
        boolean[] after = new boolean[duplicates];
        int[] places = duplicates == 0 || toJournal.isEmpty() ? null
                : DuplicatePlaces.of(customers(events), journalSlot, toJournal.size(), slots, after);
        @SuppressWarnings({"unchecked", "rawtypes"})
        CompletableFuture<CustomerView>[] views = new CompletableFuture[duplicates];
        if (!toJournal.isEmpty()) {
            Submission[] journaledOut = new Submission[toJournal.size()];
            long[] ingest = new long[1];
            append(toJournal, await, journaledOut, ingest, places == null ? null : (firstSeq, register) -> {
                for (int d = 0; d < places.length; d++) {
                    if (places[d] != DuplicatePlaces.CURRENT) {
                        PartitionProcessor owner = processors[partitionOf(events.get(slots[d]).event().customer())];
                        if (register) {
                            views[d] = owner.viewAt(firstSeq + places[d], !after[d]);
                        } else {
                            owner.dropViewAt(firstSeq + places[d]);
                        }
                    }
                }
            });
            for (int j = 0; j < journaledOut.length; j++) {
                out[journalSlot[j]] = journaledOut[j];
                Event e = toJournal.get(j).event();
                if (e.id() != null) {
                    ids.put(e.id(), new IdempotencyIndex.Entry(journaledOut[j].seq(), toJournal.get(j).bodyHash(),
                            ingest[0], e.customer()));
                }
            }
        }
        for (int d = 0; d < duplicates; d++) {
            long seq = originals[d] >= 0 ? originals[d] : out[(int) (-1 - originals[d])].seq();
            String customer = events.get(slots[d]).event().customer();
            PartitionProcessor owner = processors[partitionOf(customer)];
            // The stored outcome with the view at the slot's place in the request (api.md, bulk).
            CompletableFuture<EventResult> result = views[d] == null ? owner.duplicate(seq, customer)
                    : owner.outcome(seq).thenCombine(views[d], EventResult::new);
            out[slots[d]] = new Submission(seq, true, result, null);
        }
        return List.of(out);
    }

    /**
     * {@link #submitWithIds} on Kafka, without holding a shard lock across Kafka's round trip: the lookup
     * reserves the new ids under the shard locks, the records are sent and acknowledged with no lock held, and
     * the ids are put and released under the locks again ({@link KafkaIdReservations}). A request that meets
     * another's reservation of one of its ids waits for it off the locks (bounded: the holder's append gives
     * up within the ack timeout) and looks again, then finding the first one's entry as on Chronicle.
     */
    private List<Submission> submitWithIdsOnKafka(List<Submitted> events, boolean await, long shards) {
        long deadlineNs = System.nanoTime() + config.api().syncTimeout().toNanos() * 2;
        while (true) {
            KafkaIdReservations.Ticket ticket = kafkaIds.open();
            KafkaIdLookup lookup;
            idLocks.lock(shards);
            try {
                lookup = KafkaIdLookup.of(events, ids, kafkaIds, ticket, journal.clock().peekMs(),
                        config.idempotencyRetention().toMillis());
            } finally {
                idLocks.unlock(shards);
            }
            if (lookup.busy() != null) {
                kafkaIds.release(List.of(), ticket);
                waitForReservation(lookup.busy(), deadlineNs);
                continue;
            }
            return journalReserved(events, await, shards, ticket, lookup);
        }
    }

    /** Waits for another request's reservation to be released; 503 past the deadline. */
    private static void waitForReservation(KafkaIdReservations.Ticket busy, long deadlineNs) {
        try {
            busy.done.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IngestRefusedException(503, "unavailable",
                    "a request with the same id is still waiting for the journal", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestRefusedException(503, "unavailable", "interrupted", 0);
        }
    }

    /** Journals what the lookup left, puts its ids and releases the reservations (under the locks again). */
    private List<Submission> journalReserved(List<Submitted> events, boolean await, long shards,
                                             KafkaIdReservations.Ticket ticket, KafkaIdLookup lookup) {
        List<Submitted> toJournal = lookup.toJournal();
        Submission[] out = lookup.out();
        Submission[] journaledOut = new Submission[toJournal.size()];
        long[] ingest = new long[1];
        boolean journaled = false;
        try {
            if (!toJournal.isEmpty()) {
                appendToKafka(toJournal, await, journaledOut, ingest);
            }
            journaled = true;
        } finally {
            idLocks.lock(shards);
            try {
                if (journaled) {
                    for (int j = 0; j < journaledOut.length; j++) {
                        out[lookup.journalSlot()[j]] = journaledOut[j];
                        Submitted s = toJournal.get(j);
                        if (s.event().id() != null) {
                            ids.put(s.event().id(), new IdempotencyIndex.Entry(journaledOut[j].seq(), s.bodyHash(),
                                    ingest[0], s.event().customer()));
                        }
                    }
                }
                kafkaIds.release(lookup.reserved(), ticket);
            } finally {
                idLocks.unlock(shards);
            }
        }
        int[] slots = lookup.duplicateSlots();
        long[] originals = lookup.originals();
        for (int d = 0; d < slots.length; d++) {
            long seq = originals[d] >= 0 ? originals[d] : out[(int) (-1 - originals[d])].seq();
            String customer = events.get(slots[d]).event().customer();
            // The seqs come after the acknowledgement, too late to ask for a view at the slot's place in the
            // request: a duplicate answers with the customer's current view (as a lone retry does).
            out[slots[d]] = new Submission(seq, true, processors[partitionOf(customer)].duplicate(seq, customer),
                    null);
        }
        return List.of(out);
    }

    private static final int[] NO_SLOTS = new int[0];

    private static List<String> customers(List<Submitted> events) {
        List<String> customers = new ArrayList<>(events.size());
        for (Submitted s : events) {
            customers.add(s.event().customer());
        }
        return customers;
    }

    /** Registers (or, when the append failed, forgets) per-seq work inside the append callback. */
    @FunctionalInterface
    private interface AppendHook {
        void run(long firstSeq, boolean register);
    }

    static Submission mismatch(String id) {
        return new Submission(-1, false, null, new Refusal(409, "idempotency_mismatch",
                "id '" + id + "' was already used with a different body"));
    }

    /**
     * Journals the events as one record, registering waiters, and {@code hook}'s work (may be null), before
     * the record becomes visible to the processors.
     */
    private void append(List<Submitted> events, boolean await, Submission[] out, long[] ingestOut, AppendHook hook) {
        if (kafka != null) {
            appendToKafka(events, await, out, ingestOut);
            return;
        }
        int n = events.size();
        @SuppressWarnings({"unchecked", "rawtypes"})
        CompletableFuture<EventResult>[] futures = new CompletableFuture[n];
        long[] first = {-1};
        long startNs = System.nanoTime();
        try {
            journal.appendEvents(events, (firstSeq, ingestMs) -> {
                first[0] = firstSeq;
                if (ingestOut != null) {
                    ingestOut[0] = ingestMs;
                }
                if (await) {
                    for (int i = 0; i < n; i++) {
                        CompletableFuture<EventResult> f = new CompletableFuture<>();
                        futures[i] = f;
                        waiters.get(partitionOf(events.get(i).event().customer())).put(firstSeq + i, f);
                    }
                    inFlight.addAndGet(n);
                }
                if (hook != null) {
                    hook.run(firstSeq, true);
                }
            });
            journalWritable();
        } catch (RuntimeException e) {
            engineMetrics.journalWriteFailed(JournalWrite.EVENTS);
            if (first[0] >= 0 && await) {
                for (int i = 0; i < n; i++) {
                    waiters.get(partitionOf(events.get(i).event().customer())).remove(first[0] + i);
                }
                inFlight.addAndGet(-n);
            }
            if (first[0] >= 0 && hook != null) {
                hook.run(first[0], false);
            }
            journalNotWritable(e);
            throw new IngestRefusedException(503, "unavailable", "the journal cannot be written", 0);
        }
        engineMetrics.appended(events, System.nanoTime() - startNs);
        wakeOwners(events);
        for (int i = 0; i < n; i++) {
            out[i] = new Submission(first[0] + i, false, futures[i], null);
        }
    }

    /**
     * Journals on Kafka and waits for the acknowledgement (this thread blocks: {@link #submitBlocks()}).
     * The outcome is asked of the owner only then, so it may have been applied already: the owner answers
     * it from the stored outcome (with the customer's view as it is now), or waits for it.
     */
    private void appendToKafka(List<Submitted> events, boolean await, Submission[] out, long[] ingestOut) {
        long startNs = System.nanoTime();
        long[] seqs;
        try {
            seqs = kafka.appendEvents(events, ingestOut);
            journalWritable();
        } catch (RuntimeException e) {
            engineMetrics.journalWriteFailed(JournalWrite.EVENTS);
            journalNotWritable(e);
            throw new IngestRefusedException(503, "unavailable", "the journal cannot be written", 0);
        }
        engineMetrics.appended(events, System.nanoTime() - startNs);
        for (int i = 0; i < seqs.length; i++) {
            String customer = events.get(i).event().customer();
            out[i] = new Submission(seqs[i], false,
                    await ? processors[partitionOf(customer)].duplicate(seqs[i], customer) : null, null);
        }
        wakeOwners(events);
    }

    @Override
    public boolean submitBlocks() {
        return kafka != null;
    }

    @Override
    public CompletableFuture<CustomerView> customer(String id) {
        return processors[partitionOf(id)].customer(id);
    }

    @Override
    public CompletableFuture<CustomerDetail> customerDetail(String id, int expiringMax) {
        return processors[partitionOf(id)].customerDetail(id, expiringMax);
    }

    @Override
    public CompletableFuture<LedgerPage> ledger(String id, int limit, long beforeId) {
        return processors[partitionOf(id)].ledger(id, limit, beforeId);
    }

    @Override
    public CompletableFuture<EventStatus> event(long seq) {
        if (kafka != null) {
            return kafkaEvent(seq);
        }
        if (seq <= 0 || seq > journal.lastSeq()) {
            return CompletableFuture.completedFuture(new EventStatus(EventStatus.Kind.UNKNOWN, null));
        }
        List<CompletableFuture<EventStatus>> asks = new ArrayList<>(processors.length);
        for (PartitionProcessor p : processors) {
            asks.add(p.event(seq));
        }
        return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            boolean everyoneRead = true;
            for (int i = 0; i < asks.size(); i++) {
                EventStatus s = asks.get(i).join();
                if (s != null) {
                    return s;
                }
                if (processors[i].appliedSeq() < seq) {
                    everyoneRead = false;
                }
            }
            // Every partition read past it and none has an outcome: internal record or forgotten.
            return new EventStatus(everyoneRead ? EventStatus.Kind.UNKNOWN : EventStatus.Kind.PENDING, null);
        });
    }

    /** On Kafka a seq names its partition: only its owner is asked. */
    private CompletableFuture<EventStatus> kafkaEvent(long seq) {
        int p = seq <= 0 ? -1 : KafkaSeq.partition(seq);
        if (p < 0 || p >= processors.length || seq > journal.lastSeq(p)) {
            return CompletableFuture.completedFuture(new EventStatus(EventStatus.Kind.UNKNOWN, null));
        }
        PartitionProcessor owner = processors[p];
        return owner.event(seq).thenApply(s -> s != null ? s
                : new EventStatus(owner.appliedSeq() >= seq ? EventStatus.Kind.UNKNOWN : EventStatus.Kind.PENDING, null));
    }

    @Override
    public ProgramStats stats() {
        if (partitionFailed) {
            throw new IngestRefusedException(503, "unavailable",
                    "a partition has stopped after a state failure: statistics would be incomplete", 0);
        }
        List<PartitionStats.Snapshot> parts = new ArrayList<>(processors.length);
        for (PartitionProcessor p : processors) {
            parts.add(p.snapshot());
        }
        return ProgramStats.sum(parts, config.rules(), windows, expiringWindows);
    }

    @Override
    public CompletableFuture<Long> advanceClock(long seconds) {
        if (!config.clockAdjustable()) {
            throw new IllegalStateException("clock.adjustable is false");
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (kafka != null) {
            return advanceKafkaClock(seconds, done);
        }
        try {
            journal.appendClockAdvance(seconds * 1000L, (seq, ingestMs) ->
                    clockWaits.put(seq, new ClockWait(done, new AtomicInteger(processors.length), ingestMs)));
        } catch (RuntimeException e) {
            engineMetrics.journalWriteFailed(JournalWrite.CLOCK);
            throw new IngestRefusedException(503, "unavailable", "the journal cannot be written", 0);
        }
        wakeAll();
        return done;
    }

    private CompletableFuture<Long> advanceKafkaClock(long seconds, CompletableFuture<Long> done) {
        KafkaJournal.Broadcast sent;
        try {
            sent = kafka.appendClockAdvance(seconds * 1000L);
        } catch (RuntimeException e) {
            engineMetrics.journalWriteFailed(JournalWrite.CLOCK);
            throw new IngestRefusedException(503, "unavailable", "the journal cannot be written", 0);
        }
        KafkaClockWait w = new KafkaClockWait(done, sent.seqs(),
                new java.util.concurrent.atomic.AtomicIntegerArray(processors.length),
                new AtomicInteger(processors.length), sent.ingestMs());
        kafkaClockWaits.add(w);
        // Partitions that applied their copy before the wait was registered are counted here.
        for (int p = 0; p < processors.length; p++) {
            if (processors[p].appliedSeq() >= w.seqs()[p]) {
                w.count(p);
            }
        }
        done.whenComplete((t, e) -> kafkaClockWaits.remove(w));
        wakeAll();
        return done;
    }

    @Override
    public void clockRecordApplied(int partition, long seq) {
        for (KafkaClockWait w : kafkaClockWaits) {
            if (w.seqs()[partition] == seq) {
                w.count(partition);
            }
        }
        ClockWait w = clockWaits.get(seq);
        if (w != null && w.remaining().decrementAndGet() == 0) {
            clockWaits.remove(seq);
            w.done().complete(w.ingestMs());
        }
    }

    @Override
    public void failed(int partition, long seq, Throwable cause) {
        partitionFailed = true;
        for (ClockWait w : clockWaits.values()) {
            w.done().completeExceptionally(cause);
        }
        for (KafkaClockWait w : kafkaClockWaits) {
            w.done().completeExceptionally(cause);
        }
    }

    @Override
    public boolean ready() {
        if (closed || journalFailed) {
            return false;
        }
        for (PartitionProcessor p : processors) {
            if (!p.caughtUp() || p.failed()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        backupRequests.close();
        timer.shutdownNow();
        if (retention != null) {
            retention.shutdownNow();
            try {
                retention.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (syncer != null) {
            syncer.interrupt();
        }
        long behind = 0;
        for (PartitionProcessor p : processors) {
            behind = Math.max(behind, journal.lastSeq(p.partition()) - p.appliedSeq());
        }
        if (behind > 0) {
            LOG.info("closing: the processors apply what is journaled ({} records behind, at most {} s)",
                    behind, DRAIN_ON_CLOSE.toSeconds());
        }
        long drainDeadlineNs = System.nanoTime() + DRAIN_ON_CLOSE.toNanos();
        for (PartitionProcessor p : processors) {
            p.stop(drainDeadlineNs);
        }
        for (Thread t : threads) {
            try {
                t.join(DRAIN_ON_CLOSE.toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        engineMetrics.close();
        for (PartitionStore s : stores) {
            s.close();
        }
        checkpointIdsAtClose();
        ids.close();
        journal.close();
        blockCache.close();
        lock.close();
        LOG.info("engine closed at journal seq {}", journal.lastSeq());
    }
}
