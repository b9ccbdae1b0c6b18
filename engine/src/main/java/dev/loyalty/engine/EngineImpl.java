package dev.loyalty.engine;

import dev.loyalty.engine.journal.IngestClock;

import dev.loyalty.engine.cluster.ClusterMetrics;
import dev.loyalty.engine.cluster.ClusterView;
import dev.loyalty.engine.cluster.GroupMembership;
import dev.loyalty.engine.cluster.OwnerDirectory;
import dev.loyalty.engine.cluster.PartitionLifecycle;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.idempotency.IdLocks;
import dev.loyalty.engine.idempotency.IdClassifier;
import dev.loyalty.engine.idempotency.IdempotencyIndex;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.DiskSpaceGuard;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.EventRecord;
import dev.loyalty.engine.journal.Journal;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.journal.JournalUnavailableException;
import dev.loyalty.engine.journal.JournalRetention;
import dev.loyalty.engine.journal.PartitionHash;
import dev.loyalty.engine.journal.kafka.KafkaJournal;
import dev.loyalty.engine.journal.kafka.KafkaSeq;
import dev.loyalty.engine.journal.kafka.KafkaSettings;
import dev.loyalty.engine.metrics.EngineMetrics;
import dev.loyalty.engine.metrics.JournalWrite;
import dev.loyalty.engine.processor.FutureWaiter;
import dev.loyalty.engine.processor.OutcomeWaiter;
import dev.loyalty.engine.processor.OutcomeWaits;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** The embedded engine: wires journal, idempotency index, partition processors and their stores. */
final class EngineImpl implements LoyaltyEngine, ProcessorListener, PartitionLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(EngineImpl.class);
    /** How often journal retention looks for files it may drop (files are whole days). */
    static final java.time.Duration RETENTION_PERIOD = java.time.Duration.ofMinutes(1);
    /**
     * How long the processors may go on applying what is journaled when the engine closes, so that a clean
     * stop leaves nothing to catch up at the next start; past it, the rest waits in the journal.
     */
    static final java.time.Duration DRAIN_ON_CLOSE = java.time.Duration.ofSeconds(5);
    /**
     * How often the idempotency index writes the ids recorded since (milliseconds): each write is a wake-up of the
     * timer thread competing with the event loops for the cores, and the ids wait in memory meanwhile (looked up
     * there first; a crash loses nothing, the start re-reads the journal from the last checkpoint). Each write
     * also has a cost of its own, whatever its ids (the wake-up, the batch, the log write): at 20 ms that fixed
     * part was most of the thread's CPU of a 4K events/s bulk run (bench/results/2026-12-07-idflush.txt); at
     * 100 ms a few thousand ids wait in memory, against {@link IdempotencyIndex}'s bound of 100K.
     */
    private static final long ID_FLUSH_MS = 100;
    /**
     * How often the idempotency index records how far it is complete (a synced write of its log): a start after a
     * SIGKILL re-reads the journal after that point for ids, about this much traffic (32K ids, ~1 s of the start,
     * at a second under bulk load). Between two flushes ({@link #ID_FLUSH_MS}) a checkpoint writes few ids.
     */
    private static final long ID_CHECKPOINT_MS = 250;

    private final EngineConfig config;
    private final DataFolder folder;
    private final FolderLock lock;
    private final Journal journal;
    private final EventValidator validator;
    private final IdempotencyIndex ids;
    private final Cache blockCache;
    private final PartitionStore[] stores;
    /**
     * The processor of each partition this node serves (null: not served here). On Chronicle all, from start
     * to close; on Kafka those the consumer group assigned, set and cleared on the membership thread.
     */
    private final java.util.concurrent.atomic.AtomicReferenceArray<PartitionProcessor> processors;
    /** Processor threads by partition; guarded by itself (the membership thread and close change them). */
    private final Thread[] threads;
    private final int partitions;
    /** Seq a partition assigned on Kafka has caught up at (the end of its partition when it was assigned). */
    private final java.util.concurrent.atomic.AtomicLongArray catchUpSeqs;
    /**
     * On Kafka, 1 for the partitions the group has given this node, from the start of {@link #assigned} (before
     * their state loads) until {@link #revoked}: readiness and statistics wait for every one of them.
     */
    private final java.util.concurrent.atomic.AtomicIntegerArray assignedHere;
    /** Wraps the reader of a partition assigned on Kafka (tests hold a restore back with it); identity otherwise. */
    private final java.util.function.UnaryOperator<JournalReader> assignedReaders;
    private final ProcessorMetrics processorMetrics;
    private final String startRulesJson;
    /** On Kafka: this node's membership of the group sharing the partitions, and who owns the others. */
    private final GroupMembership membership;
    private final OwnerDirectory directory;
    private final ClusterMetrics clusterMetrics;
    /** How long a revoked partition may go on applying before it stops: only when the engine closes. */
    private volatile long revokeDrainNs;
    private final List<OutcomeWaits> waiters = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final IdLocks idLocks = new IdLocks();
    /** The append hook of the lean single-event path, one per submitting thread. */
    private final ThreadLocal<LeanAppend> leanAppends = ThreadLocal.withInitial(() -> new LeanAppend(waiters, inFlight));
    /** The append hook of the lean bulk path, one per submitting thread. */
    private final ThreadLocal<BulkAppend> bulkAppends;
    /** The lean bulk path's test for ids seen before, one per submitting thread. */
    private final ThreadLocal<NewIds> newIds = ThreadLocal.withInitial(NewIds::new);
    /**
     * Events handed to Kafka and not yet acknowledged (Kafka only). Bounded by {@code api.max-in-flight}: no
     * worker pool caps the requests waiting for Kafka any more, and the producer's buffer must never fill
     * (a full buffer would block the event loop in {@code send}).
     */
    private final AtomicInteger kafkaUnacked = new AtomicInteger();
    /** Ids on their way into the Kafka journal (unused on Chronicle, where the shard locks cover the append). */
    private final KafkaIdReservations kafkaIds = new KafkaIdReservations();
    /** Puts the ids other nodes journal into {@link #ids} (Kafka only, else null). */
    private KafkaIdTailer idTailer;
    /** How often the timer looks whether the index's filter scan may start (milliseconds). */
    private static final long ID_FILTER_POLL_MS = 100;
    /** Longest wait for the partitions to catch up before the index's filter scan starts anyway. */
    private static final java.time.Duration ID_FILTER_LATEST = java.time.Duration.ofSeconds(30);
    /** The index's filter scan was started (timer thread only). */
    private boolean idFilterStarted;
    /**
     * The program serves (its HTTP servers listen), or the engine has no program in front ({@code import}): the
     * filter scan may start once ready. A {@code serve} start sets it through {@link #serving()}.
     */
    private volatile boolean serving;
    /** Set while writing the idempotency index fails, so that the failure is logged once (timer thread only). */
    private boolean idIndexFailed;
    /** {@link IdempotencyIndex#puts()} at the last periodic checkpoint, and checkpoints skipped since (timer thread). */
    private long idPutsAtCheckpoint = -1;
    private int idCheckpointsSkipped;
    /**
     * Periodic id checkpoints skipped at most in a row while no id comes: an idle engine then neither reads the
     * journal's end nor syncs the index's log at every period, and a start after a crash still re-reads at most
     * about 10 s of (id-less) journal for ids.
     */
    private static final int ID_CHECKPOINT_MAX_SKIPPED = (int) (10_000 / ID_CHECKPOINT_MS) - 1;
    /** Pause before the next expiry pass when one stopped at its bound with older ids left (milliseconds). */
    private static final long ID_EXPIRY_BACKLOG_MS = 100;
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
        this(config, registry, purpose, wallMs, java.util.function.UnaryOperator.identity());
    }

    /** As above, reading each partition assigned on Kafka through {@code assignedReaders} (tests: a held restore). */
    EngineImpl(EngineConfig config, MeterRegistry registry, String purpose, java.util.function.LongSupplier wallMs,
               java.util.function.UnaryOperator<JournalReader> assignedReaders) {
        this.config = config;
        this.assignedReaders = assignedReaders;
        this.folder = new DataFolder(config.dataDir());
        this.lock = FolderLock.acquire(config.dataDir(), purpose);
        this.serving = !"serve".equals(purpose);
        KafkaJournal openedKafka = null;
        ChronicleJournal openedChronicle = null;
        // What a refused start closes again, so that the next start finds the folder free (RocksDB locks).
        IdempotencyIndex openedIds = null;
        CompletableFuture<IdempotencyIndex> idsOpening = null;
        PartitionStore[] openedStores = null;
        PartitionLoads loads = null;
        boolean threadsStarted = false;
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
                // The idempotency index's RocksDB opens on its own thread meanwhile (a few hundred ms each on a
                // large folder, one after the other before); it reads nothing of the journal until joined below.
                idsOpening = openIdsAside(folder.ingest());
                openedChronicle = ChronicleJournal.open(folder.journal(), wallMs,
                        DiskSpaceGuard.of(folder.journal(), config.journal().minFreeBytes()), partitions);
                this.chronicle = openedChronicle;
                this.journal = chronicle;
            }
            mark = phase(phases, "journal open", mark);
            // The rules as configured: the partitions load with them; journaled (below) only if they changed.
            String rulesJson = RulesJson.write(config.rules());
            this.blockCache = PartitionStore.newBlockCache(config.state().blockCacheBytes());
            this.partitions = partitions;
            this.bulkAppends = ThreadLocal.withInitial(() -> new BulkAppend(waiters, inFlight, partitions));
            this.startRulesJson = rulesJson;
            this.stores = new PartitionStore[partitions];
            openedStores = stores;
            this.processors = new java.util.concurrent.atomic.AtomicReferenceArray<>(partitions);
            this.threads = new Thread[partitions];
            this.catchUpSeqs = new java.util.concurrent.atomic.AtomicLongArray(partitions);
            this.assignedHere = new java.util.concurrent.atomic.AtomicIntegerArray(partitions);
            this.windows = config.activeWindowsDays().stream().mapToInt(Integer::intValue).toArray();
            this.expiringWindows = config.expiringWindowsDays().stream().mapToInt(Integer::intValue).toArray();
            this.processorMetrics = new ProcessorMetrics(registry, partitions, journal.clock()::peekMs);
            for (int p = 0; p < partitions; p++) {
                waiters.add(new OutcomeWaits(config.api().maxInFlight()));
            }
            // Chronicle: each partition's RocksDB and state load on a loader thread (one per core) while this
            // thread opens the idempotency index and re-registers the ids journaled after its checkpoint: the
            // two were one after the other, about a second each after a SIGKILL. The loads only read; nothing
            // is appended until the index has read (and checked) the journal's tail.
            loads = kafka == null ? PartitionLoads.start(partitions, this::loadPartition) : null;
            // The idempotency index before any append, as it reads (and checks) every record after its
            // checkpoint: a damaged journal refuses the start before anything, the rules record included, is
            // appended to it (JournalDamageTest).
            // Its filter scan (every stored id) waits until the partitions caught up: startIdFilterWhenCaughtUp.
            openedIds = idsOpening != null ? joined(idsOpening) : IdempotencyIndex.open(folder.ingest(), false);
            this.ids = openedIds;
            mark = phase(phases, "idempotency index open", mark);
            rebuildIds();
            mark = phase(phases, "ids re-registered", mark);
            if (!rulesJson.equals(folder.readLastRules())) {
                journal.appendRules(rulesJson);
                folder.writeLastRules(rulesJson);
                LOG.info("rules changed since the last start: journaled the new rules at seq {}", journal.lastSeq());
            }
            this.validator = new EventValidator(config.rules());
            mark = phase(phases, "rules and validator", mark);
            PartitionProcessor[] loaded = null;
            if (kafka == null) {
                PartitionLoads started = loads;
                loads = null; // await waits for every load, whether one failed or not
                loaded = started.await();
                for (int p = 0; p < partitions; p++) {
                    // As of start: a rules record journaled above counts too.
                    loaded[p].catchUpTo(journal.lastSeq(p));
                    catchUpSeqs.set(p, loaded[p].catchUpSeq());
                }
                mark = phase(phases, "partition states (" + partitions + " loaded in parallel, waited for)", mark);
            } else {
                for (int p = 0; p < partitions; p++) {
                    // Every partition's state is opened (created) in this node's data folder, owned or not: a
                    // partition the group assigns later starts from it at once (its own snapshot, else offset 0).
                    stores[p] = PartitionStore.open(folder.state(p), blockCache, config.state().wal());
                    mark = phase(phases, "RocksDB " + p + " open", mark);
                }
            }
            this.engineMetrics = new EngineMetrics(registry, new EngineMetrics.Sources(this, journal,
                    new LocalProcessors(processors), List.of(stores), blockCache, inFlight));
            threadsStarted = true; // from here on processors may use the stores: a failure leaves them open
            if (loaded != null) {
                for (int p = 0; p < partitions; p++) {
                    startThread(p, loaded[p]);
                }
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
            timer.scheduleWithFixedDelay(this::checkpointIds, ID_CHECKPOINT_MS, ID_CHECKPOINT_MS, TimeUnit.MILLISECONDS);
            long openedNs = System.nanoTime();
            timer.scheduleWithFixedDelay(() -> startIdFilterWhenCaughtUp(openedNs), ID_FILTER_POLL_MS, ID_FILTER_POLL_MS,
                    TimeUnit.MILLISECONDS);
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
            if (kafka != null) {
                EngineConfig.Cluster c = config.cluster();
                this.clusterMetrics = new ClusterMetrics(registry, partitions, this::ownedCount, this::restoreRemaining);
                this.directory = OwnerDirectory.open(kafka.topic(), c.nodeId(), c.advertisedUrl());
                this.membership = GroupMembership.start(kafka.topic(), c.sessionTimeout(), c.heartbeatInterval(),
                        this, directory::refreshSoon, clusterMetrics);
                directory.follow(membership, kafka::observed);
            } else {
                this.clusterMetrics = null;
                this.directory = null;
                this.membership = null;
            }
            phase(phases, "threads and timers", mark);
            LOG.info("engine opened (ms): {}", phases);
        } catch (RuntimeException e) {
            if (idTailer != null) {
                idTailer.close();
            }
            if (openedKafka != null) {
                openedKafka.close();
            }
            if (openedIds != null) {
                openedIds.close();
            } else if (idsOpening != null) {
                // Opened aside while the start failed: closed once open (its RocksDB lock), whatever came first.
                try {
                    joined(idsOpening).close();
                } catch (RuntimeException openFailure) {
                    e.addSuppressed(openFailure);
                }
            }
            if (loads != null) {
                // Loads still running would open stores after the ones below are closed: let them finish.
                try {
                    loads.await();
                } catch (RuntimeException loadFailure) {
                    e.addSuppressed(loadFailure);
                }
            }
            if (openedStores != null && !threadsStarted) {
                for (PartitionStore store : openedStores) {
                    if (store != null) {
                        store.close();
                    }
                }
            }
            if (openedChronicle != null && !threadsStarted) {
                // its appender, tailers and free-space guard; processors that started may still read it
                openedChronicle.close();
            }
            lock.close();
            throw e;
        }
    }

    /** Opens the idempotency index on a thread of its own (without the first filter scan: see the start). */
    private static CompletableFuture<IdempotencyIndex> openIdsAside(java.nio.file.Path dir) {
        return CompletableFuture.supplyAsync(() -> IdempotencyIndex.open(dir, false), task -> {
            Thread t = new Thread(task, "ids-open");
            t.setDaemon(true);
            t.start();
        });
    }

    /** The index {@link #openIdsAside} opened; its open's own failure as thrown, as an open here would. */
    private static IdempotencyIndex joined(CompletableFuture<IdempotencyIndex> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Creates the partition's processor on its state as stored and starts its thread. */
    private void startProcessor(int p, JournalReader reader, long catchUpSeq) {
        synchronized (threads) {
            catchUpSeqs.set(p, catchUpSeq);
            startThread(p, loadProcessor(p, reader, catchUpSeq));
        }
    }

    /** Loads the partition's state into a new processor (the constructor reads the checkpoint and the logs). */
    private PartitionProcessor loadProcessor(int p, JournalReader reader, long catchUpSeq) {
        return new PartitionProcessor(p, partitions, stores[p], reader, RulesJson::read,
                startRulesJson, waiters.get(p), inFlight, this, config.processor().batchMax(),
                config.state().cacheCustomers(), config.state().warmRowsBytes(), config.outcomesRetention().toMillis(),
                windows, expiringWindows, catchUpSeq, config.state().flushInterval().toNanos(), processorMetrics);
    }

    private void startThread(int p, PartitionProcessor processor) {
        synchronized (threads) {
            threads[p] = new Thread(processor, "processor-" + p);
            processors.set(p, processor);
            threads[p].start();
        }
    }

    /** Start (Chronicle journal, a loader thread): opens the partition's store and loads its state. */
    private PartitionProcessor loadPartition(int p) {
        stores[p] = PartitionStore.open(folder.state(p), blockCache, config.state().wal());
        long catchUpSeq = journal.lastSeq(p);
        catchUpSeqs.set(p, catchUpSeq);
        return loadProcessor(p, journal.reader(p, partitions), catchUpSeq);
    }

    /**
     * The group gave this node a partition (membership thread): its processor starts from the state stored in
     * this node's data folder (a snapshot of its own from when it owned it before, else nothing: offset 0) and
     * has caught up once it applied what the partition held now.
     */
    @Override
    public void assigned(int partition) {
        if (closed) {
            return;
        }
        // Before its state loads (seconds for a large one): until its processor caught up, this node is not ready
        // and its statistics would miss the partition.
        assignedHere.set(partition, 1);
        JournalReader reader = kafka.reader(partition);
        try {
            long catchUpSeq = kafka.catchUpSeq(reader);
            startProcessor(partition, assignedReaders.apply(reader), catchUpSeq);
        } catch (RuntimeException e) {
            reader.close();
            LOG.error("partition {} could not be opened on assignment: {}", partition, e.toString(), e);
            failed(partition, 0, e);
        }
    }

    /** The group takes a partition away (membership thread): stop its processor, which commits, and wait. */
    @Override
    public void revoked(int partition) {
        assignedHere.set(partition, 0);
        Thread t;
        PartitionProcessor p;
        synchronized (threads) {
            p = processors.getAndSet(partition, null);
            t = threads[partition];
            threads[partition] = null;
        }
        if (p == null) {
            return;
        }
        p.stop(revokeDrainNs == 0 ? System.nanoTime() : revokeDrainNs);
        try {
            t.join(DRAIN_ON_CLOSE.toMillis() + 30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("partition {} stopped at seq {} and committed", partition, p.appliedSeq());
    }

    /**
     * Partitions assigned here that serve: restored and caught up with what they held when assigned. A partition
     * being restored is not counted yet, so a node owning N by this gauge answers for all N with whole state.
     */
    private int ownedCount() {
        int n = 0;
        for (int p = 0; p < partitions; p++) {
            if (assignedHere.get(p) == 1 && restored(p)) {
                n++;
            }
        }
        return n;
    }

    /** True when the partition's processor runs here and has caught up (its state and figures are whole). */
    private boolean restored(int partition) {
        PartitionProcessor p = processors.get(partition);
        return p != null && p.caughtUp() && !p.failed();
    }

    /**
     * On Kafka, a query of a partition still being restored (moved here by a rebalance, not yet caught up with what
     * it held then) runs once it has: before, it would read a partial state (a customer missing or behind). The api
     * layer bounds the wait ({@code api.sync-timeout}, then 503); a partition that stops before it caught up
     * (revoked again) answers 503 at once. Only when {@link #restoring}: the usual query allocates nothing for this.
     */
    private static <T> CompletableFuture<T> afterRestore(int partition, PartitionProcessor p,
                                                         java.util.function.Supplier<CompletableFuture<T>> query) {
        return p.whenCaughtUp().handle((v, e) -> e == null ? query.get()
                : CompletableFuture.<T>failedFuture(notRestored(partition))).thenCompose(f -> f);
    }

    /** True for a partition assigned on Kafka whose processor has not caught up yet (Chronicle: never). */
    private boolean restoring(PartitionProcessor p) {
        return kafka != null && !p.caughtUp();
    }

    private static IngestRefusedException notRestored(int partition) {
        return new IngestRefusedException(503, "unavailable", "partition " + partition
                + " is being restored on this node after a rebalance and has not caught up yet; retry shortly", 1);
    }

    /** Records an assigned partition has left to apply before it has caught up (offsets: seqs of one partition). */
    private long restoreRemaining(int partition) {
        PartitionProcessor p = processors.get(partition);
        if (p == null || p.caughtUp()) {
            return 0;
        }
        // An empty state has applied seq 0, not the seq just before the partition's first record (partition * 2^43).
        long applied = Math.max(p.appliedSeq(), KafkaSeq.of(partition, 0) - 1);
        return Math.max(0, catchUpSeqs.get(partition) - applied);
    }

    /** The processor of a partition served here, or null (tests too). */
    PartitionProcessor local(int partition) {
        return processors.get(partition);
    }

    private static IngestRefusedException notServedHere(int partition) {
        return new IngestRefusedException(503, "unavailable", "partition " + partition
                + " has no owner on this node right now (partitions are moving between nodes); retry shortly", 1);
    }

    /** The outcome of a journaled event from its partition's processor; never completes when not served here. */
    private CompletableFuture<EventResult> resultOf(long seq, String customer) {
        PartitionProcessor p = local(partitionOf(customer));
        // Not served here: the request answers 202 at api.sync-timeout, as for any journaled event not yet applied.
        return p == null ? new CompletableFuture<>() : p.duplicate(seq, customer);
    }

    /**
     * A duplicate's stored outcome with the customer's current view: on a partition being restored, once it has
     * caught up (the current view of a partial state would be wrong). Given up before that: as not served here.
     */
    private CompletableFuture<EventResult> duplicateOf(long seq, String customer) {
        int partition = partitionOf(customer);
        PartitionProcessor p = local(partition);
        if (p == null || !restoring(p)) {
            return resultOf(seq, customer);
        }
        return p.whenCaughtUp().handle((v, e) -> e == null ? p.duplicate(seq, customer)
                : new CompletableFuture<EventResult>()).thenCompose(f -> f);
    }

    /** The processors by partition as a list for the metrics: read at scrape time, null where not served. */
    private static final class LocalProcessors extends java.util.AbstractList<PartitionProcessor> {
        private final java.util.concurrent.atomic.AtomicReferenceArray<PartitionProcessor> processors;

        LocalProcessors(java.util.concurrent.atomic.AtomicReferenceArray<PartitionProcessor> processors) {
            this.processors = processors;
        }

        @Override
        public PartitionProcessor get(int index) {
            return processors.get(index);
        }

        @Override
        public int size() {
            return processors.length();
        }
    }

    @Override
    public ClusterView cluster() {
        return directory;
    }

    /** The idempotency index (tests). */
    IdempotencyIndex idsForTest() {
        return ids;
    }

    /** The journal's last seq (tests: what a start journaled). */
    long journalLastSeqForTest() {
        return journal.lastSeq();
    }

    /** Test hook: stops as a killed process would for the group (no leave: the session must time out). */
    void abandonGroupForTest() {
        if (membership != null) {
            membership.abandon();
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
            while (r.next((pos, h, payload) -> n[0] += registerIds(h, payload))) {
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
        // Records journaled from here on, by any node, reach the index through the tailer.
        long[] from = KafkaIdsCheckpoint.read(folder.ingest(), kafka.partitions());
        long[] last = kafka.lastOffsets();
        long[] n = new long[1];
        for (int p = 0; p < last.length; p++) {
            kafka.read(p, from[p], last[p], (pos, h, payload) -> n[0] += registerIds(h, payload));
        }
        if (n[0] > 0) {
            LOG.info("idempotency index: re-registered {} ids from the journal", n[0]);
        }
        ids.checkpoint(0);
        KafkaIdsCheckpoint.write(folder.ingest(), last);
        idTailer = KafkaIdTailer.start(kafka, last, ids, idLocks);
    }

    /** Puts the ids of one journal record into the index; returns how many. */
    private int registerIds(dev.loyalty.engine.journal.RecordHeader h, net.openhft.chronicle.bytes.Bytes<?> payload) {
        return EventCodec.forEachWithId(h, payload, (seq, id, customer, bodyHash) -> ids.put(id,
                new IdempotencyIndex.Entry(seq, bodyHash, h.ingestMs(), customer)));
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
     * Checkpoints the index at the journal's end as read before passing every shard's id lock once: a request
     * with ids holds its shards' locks from lookup through append to put, so a record at or below the position
     * read was appended inside a hold that had begun before the read, and once each lock has been taken after
     * the read ({@link IdLocks#passAll}), each such hold has ended with its puts (the checkpoint writes them first). Requests without ids
     * take no lock and put nothing, so they cannot break it. No lock is held across any work: reading the end
     * (Chronicle's {@code lastIndex}, ~1 ms with its tailer) under all of them stopped every request with an id
     * that long, four times a second.
     */
    private long checkpointIdsToJournalEnd() {
        if (kafka != null) {
            checkpointKafkaIds(kafkaIds.checkpointable(kafka::lastOffsets));
            return -1;
        }
        long position = journal.lastPosition();
        idLocks.passAll(); // every hold begun before the read has ended, with its puts
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
    private void checkpointKafkaIds(long[] snapshot) {
        // Other nodes' records below the snapshot count only once the tailer put their ids.
        long[] offsets = idTailer.cap(snapshot);
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
        for (int i = 0; i < partitions; i++) {
            PartitionProcessor p = processors.get(i);
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
     * Records how far the idempotency index is complete every {@link #ID_CHECKPOINT_MS} (a synced write of its log),
     * so that a start after a crash re-reads at most about that much journal for ids; skipped while no id was put
     * (at most {@link #ID_CHECKPOINT_MAX_SKIPPED} times in a row).
     */
    private void checkpointIds() {
        if (closed) {
            return;
        }
        // Read before the checkpoint: an id put meanwhile makes the next one run, whether or not this one covers it.
        long puts = ids.puts();
        if (puts == idPutsAtCheckpoint && idCheckpointsSkipped < ID_CHECKPOINT_MAX_SKIPPED) {
            idCheckpointsSkipped++;
            return;
        }
        try {
            checkpointIdsToJournalEnd();
            idPutsAtCheckpoint = puts;
            idCheckpointsSkipped = 0;
            idIndexWritable();
        } catch (RuntimeException e) {
            idIndexNotWritable("checkpoint", e);
        }
    }

    @Override
    public void serving() {
        serving = true;
    }

    /**
     * Starts the idempotency index's filter scan once the engine is ready (every partition caught up) and the
     * program serves, or after {@link #ID_FILTER_LATEST} whatever the state: the scan reads every stored id (a
     * second or more of a core with millions), CPU that the catch-up after a crash and the HTTP servers' cold start
     * after a clean stop need more on two cores; until the filter exists a lookup of a new id reads RocksDB (its
     * bloom filter) instead of memory. Timer thread only.
     */
    private void startIdFilterWhenCaughtUp(long openedNs) {
        if (idFilterStarted || closed) {
            return;
        }
        if ((serving && ready()) || System.nanoTime() - openedNs > ID_FILTER_LATEST.toNanos()) {
            ids.startFilterScan();
            idFilterStarted = true;
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

    /** Forgets ids older than the retention (the index is checkpointed by {@link #checkpointIds}). */
    private void expireIds() {
        if (closed) {
            return;
        }
        try {
            ids.expireBefore(journal.clock().peekMs() - config.idempotencyRetention().toMillis());
            if (ids.expiryBehind()) {
                // More than a pass's bound expired (a backlog, or ids coming faster than one pass per 10 s
                // forgets): go on soon, as a task of its own so the heartbeats and flushes run in between.
                try {
                    timer.schedule(this::expireIds, ID_EXPIRY_BACKLOG_MS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // closing: the next start's passes go on
                }
                return;
            }
            ids.rescanFilterWhenWorthIt();
        } catch (RuntimeException e) {
            LOG.error("idempotency index expiry failed: {}", e.toString());
        }
    }

    /** Wakes the partitions owning these events; the others read the record on their next (short) idle pass. */
    private void wakeOwners(List<Submitted> events) {
        if (events.size() > partitions) {
            wakeAll();
            return;
        }
        for (int i = 0, n = events.size(); i < n; i++) {
            PartitionProcessor p = local(partitionOf(events.get(i).event().customer()));
            if (p != null) {
                p.wake();
            }
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
            for (int i = 0; i < partitions; i++) {
                long position = processors.get(i).appliedPosition();
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
        for (int i = 0; i < partitions; i++) {
            PartitionProcessor p = processors.get(i);
            if (p != null) {
                p.wake();
            }
        }
    }

    private int partitionOf(String customer) {
        return PartitionHash.partition(PartitionHash.of(customer), partitions);
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
        admit(events, awaitOutcome);
        long shards = 0;
        for (int i = 0, n = events.size(); i < n; i++) { // by index: no iterator per request
            String id = events.get(i).event().id();
            if (id != null) {
                shards |= IdLocks.shardOf(id);
            }
        }
        if (kafka != null) {
            // Continuations run on the thread completing the acknowledgement (or this one): this caller waits.
            return joinKafka(submitOnKafka(events, awaitOutcome, shards, CALLER_WAITS));
        }
        if (shards == 0) {
            Submission[] out = new Submission[events.size()];
            append(events, awaitOutcome, out, null, null, null);
            return List.of(out);
        }
        // Lookup, append and put atomic per id: a second request with one of these ids waits here and then
        // finds this one's entry; requests whose ids fall in other shards do not wait.
        idLocks.lock(shards);
        try {
            return submitWithIds(events, awaitOutcome, null);
        } finally {
            idLocks.unlock(shards);
        }
    }

    @Override
    public CompletableFuture<List<Submission>> submitAsync(List<Submitted> events, boolean awaitOutcome,
                                                           Executor continueOn) {
        if (kafka == null) {
            return LoyaltyEngine.super.submitAsync(events, awaitOutcome, continueOn);
        }
        try {
            admit(events, awaitOutcome);
            return submitOnKafka(events, awaitOutcome, shardsOf(events), continueOn);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static long shardsOf(List<Submitted> events) {
        long shards = 0;
        for (int i = 0, n = events.size(); i < n; i++) { // by index: no iterator per request
            String id = events.get(i).event().id();
            if (id != null) {
                shards |= IdLocks.shardOf(id);
            }
        }
        return shards;
    }

    /** Waits for a Kafka submit on this thread (bounded: every stage completes within the ack timeout). */
    private static List<Submission> joinKafka(CompletableFuture<List<Submission>> submitted) {
        try {
            return submitted.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** {@link #submitAsync} on Kafka, once admitted. */
    private CompletableFuture<List<Submission>> submitOnKafka(List<Submitted> events, boolean await, long shards,
                                                              Executor continueOn) {
        if (shards == 0) {
            return appendToKafka(events, await, null, continueOn).thenApply(List::of);
        }
        return submitWithIdsOnKafka(events, await, shards, System.nanoTime()
                + config.api().syncTimeout().toNanos() * 2, continueOn);
    }

    @Override
    public Submission submit(Submitted event, OutcomeWaiter waiter) {
        if (kafka != null) {
            return LoyaltyEngine.super.submit(event, waiter); // Kafka asks the owner for the outcome after the ack
        }
        List<Submitted> events = List.of(event);
        admit(events, true);
        String id = event.event().id();
        if (id == null) {
            Submission[] out = new Submission[1];
            append(events, true, out, null, waiter, null);
            return out[0];
        }
        long shards = IdLocks.shardOf(id);
        idLocks.lock(shards);
        try {
            return submitWithIds(events, true, waiter).get(0);
        } finally {
            idLocks.unlock(shards);
        }
    }

    @Override
    public Submission submit(EventRecord event, OutcomeWaiter waiter) {
        if (kafka != null) {
            return LoyaltyEngine.super.submit(event, waiter); // Kafka asks the owner for the outcome after the ack
        }
        if (closed) {
            throw new IngestRefusedException(503, "unavailable", "the engine is shutting down", 0);
        }
        checkLoad(1, true);
        int partition = partitionOf(event.customer());
        if (partitionFailed) {
            refuseIfStopped(partition);
        }
        String id = event.id();
        if (id == null) {
            appendRecord(event, waiter, partition);
            return null;
        }
        long shards = IdLocks.shardOf(id);
        // As submitWithIds: lookup, append and put atomic per id.
        idLocks.lock(shards);
        try {
            IdempotencyIndex.Entry known = ids.get(id, journal.clock().peekMs(),
                    config.idempotencyRetention().toMillis());
            if (known != null) {
                return known.bodyHash() != event.bodyHash() ? mismatch(id)
                        : new Submission(known.seq(), true, processors.get(partition).duplicate(known.seq(),
                        event.customer()), null);
            }
            long ingestMs = appendRecord(event, waiter, partition);
            ids.put(id, new IdempotencyIndex.Entry(event.seq(), event.bodyHash(), ingestMs, event.customer()));
            return null;
        } finally {
            idLocks.unlock(shards);
        }
    }

    /** Journals one encoded event, its waiter registered before the record is visible; returns its ingest time. */
    private long appendRecord(EventRecord event, OutcomeWaiter waiter, int partition) {
        LeanAppend hook = leanAppends.get().start(waiter, partition);
        long startNs = System.nanoTime();
        try {
            chronicle.appendEvent(event, hook);
            journalWritable();
        } catch (RuntimeException e) {
            hook.undo();
            throw eventsNotWritable(e);
        } finally {
            hook.waiter = null;
        }
        engineMetrics.appended(event.action(), System.nanoTime() - startNs);
        PartitionProcessor owner = local(partition);
        if (owner != null) {
            owner.wake();
        }
        event.seq(hook.firstSeq);
        return hook.ingestMs;
    }

    @Override
    public List<Submission> submit(BulkRecord events, OutcomeWaiter[] eventWaiters) {
        if (kafka != null) {
            return LoyaltyEngine.super.submit(events, eventWaiters); // Kafka asks the owners after the ack
        }
        if (closed) {
            throw new IngestRefusedException(503, "unavailable", "the engine is shutting down", 0);
        }
        int n = events.count();
        boolean await = eventWaiters != null;
        checkLoad(n, await);
        long shards = 0;
        for (int j = 0; j < n; j++) {
            if (partitionFailed) {
                refuseIfStopped(PartitionHash.partition(events.partitionHash(j), partitions));
            }
            String id = events.id(j);
            if (id != null) {
                shards |= IdLocks.shardOf(id);
            }
        }
        if (shards == 0) {
            appendBulk(events, eventWaiters);
            return null;
        }
        // As submitWithIds: lookup, append and put atomic per id.
        idLocks.lock(shards);
        try {
            long nowMs = journal.clock().peekMs();
            long retentionMs = config.idempotencyRetention().toMillis();
            if (!newIds.get().allNew(events, ids, nowMs, retentionMs)) {
                // A duplicate or a mismatch: the general path, with its per-slot answers (still under the locks).
                return submitWithIds(events.toSubmitted(), await, null);
            }
            long ingestMs = appendBulk(events, eventWaiters);
            long first = events.firstSeq();
            for (int j = 0; j < n; j++) {
                String id = events.id(j);
                if (id != null) {
                    ids.put(id, events.idHash(j, IdempotencyIndex::idHash),
                            new IdempotencyIndex.Entry(first + j, events.bodyHash(j), ingestMs, events.customer(j)));
                }
            }
            return null;
        } finally {
            idLocks.unlock(shards);
        }
    }

    /** Journals a bulk's encoded events as one record, their waiters registered before it is visible; its ingest time. */
    private long appendBulk(BulkRecord events, OutcomeWaiter[] eventWaiters) {
        BulkAppend hook = bulkAppends.get().start(events, eventWaiters);
        long startNs = System.nanoTime();
        try {
            chronicle.appendBulk(events, hook);
            journalWritable();
        } catch (RuntimeException e) {
            hook.undo();
            throw eventsNotWritable(e);
        } finally {
            hook.done();
        }
        engineMetrics.appended(events, System.nanoTime() - startNs);
        int n = events.count();
        if (n > partitions) {
            wakeAll();
        } else {
            for (int j = 0; j < n; j++) {
                PartitionProcessor owner = local(PartitionHash.partition(events.partitionHash(j), partitions));
                if (owner != null) {
                    owner.wake();
                }
            }
        }
        events.firstSeq(hook.firstSeq);
        return hook.ingestMs;
    }

    @Override
    public boolean lookupsInMemory(String id) {
        return id == null || ids.inMemory(id);
    }

    @Override
    public boolean lookupsInMemory(BulkRecord events) {
        for (int j = 0, n = events.count(); j < n; j++) {
            String id = events.id(j);
            if (id != null && !ids.inMemory(id, events.idHash(j, IdempotencyIndex::idHash))) {
                return false;
            }
        }
        return true;
    }

    /** Refuses a request the engine cannot take now (shutting down, overloaded, a stopped partition). */
    private void admit(List<Submitted> events, boolean awaitOutcome) {
        if (closed) {
            throw new IngestRefusedException(503, "unavailable", "the engine is shutting down", 0);
        }
        checkLoad(events.size(), awaitOutcome);
        if (partitionFailed) {
            refuseForStoppedPartitions(events);
        }
    }

    /** Whether the id index holds {@code id}, however old (tests: another node's id learnt). */
    boolean remembersId(String id) {
        return ids.get(id) != null;
    }

    @Override
    public boolean lookupsInMemory(List<Submitted> events) {
        for (int i = 0, n = events.size(); i < n; i++) {
            String id = events.get(i).event().id();
            if (id != null && !ids.inMemory(id)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean lookupsInMemory(Submitted event) {
        String id = event.event().id();
        return id == null || ids.inMemory(id);
    }

    /** Events of a stopped partition would be journaled but never applied until a restart: 503 instead. */
    private void refuseForStoppedPartitions(List<Submitted> events) {
        for (Submitted s : events) {
            refuseIfStopped(partitionOf(s.event().customer()));
        }
    }

    private void refuseIfStopped(int partition) {
        PartitionProcessor owner = local(partition);
        if (owner != null && owner.failed()) {
            throw new IngestRefusedException(503, "unavailable", "partition " + owner.partition()
                    + " has stopped after a state failure; the engine needs a restart", 0);
        }
    }

    private void checkLoad(int n, boolean await) {
        long behind = 0;
        for (int i = 0; i < partitions; i++) {
            PartitionProcessor p = processors.get(i);
            if (p != null) {
                behind = Math.max(behind, journal.lastSeq(i) - p.appliedSeq());
            }
        }
        if (behind > config.api().maxLagEvents()) {
            throw new IngestRefusedException(429, "overloaded",
                    "the processors are too far behind the journal; retry shortly", 1);
        }
        if (await && inFlight.get() + n > config.api().maxInFlight()) {
            throw new IngestRefusedException(429, "overloaded", "too many requests waiting for outcomes", 1);
        }
    }

    /** {@code lean} (may be null): the waiter of a single event, registered if that event is journaled. */
    private List<Submission> submitWithIds(List<Submitted> events, boolean await, OutcomeWaiter lean) {
        int n = events.size();
        // Read once under the ids' locks: the events journaled below get this ingest time or a later one.
        IdClassifier.Slots classified = IdClassifier.classify(n, i -> events.get(i).event().id(),
                i -> events.get(i).bodyHash(), ids, journal.clock().peekMs(),
                config.idempotencyRetention().toMillis(), null);
        Submission[] out = new Submission[n];
        for (int slot : classified.mismatchSlots()) {
            out[slot] = mismatch(events.get(slot).event().id());
        }
        int[] journalSlot = classified.journalSlots();
        List<Submitted> toJournal = new ArrayList<>(journalSlot.length);
        for (int slot : journalSlot) {
            toJournal.add(events.get(slot));
        }
        long[] originals = classified.originals();
        int duplicates = originals.length;
        int[] slots = classified.duplicateSlots();
        boolean[] after = duplicates == 0 ? NO_FLAGS : new boolean[duplicates];
        int[] places = duplicates == 0 || toJournal.isEmpty() ? null
                : DuplicatePlaces.of(customers(events), journalSlot, toJournal.size(), slots, after);
        @SuppressWarnings({"unchecked", "rawtypes"})
        CompletableFuture<CustomerView>[] views = duplicates == 0 ? NO_VIEWS : new CompletableFuture[duplicates];
        if (!toJournal.isEmpty()) {
            Submission[] journaledOut = new Submission[toJournal.size()];
            long[] ingest = new long[1];
            append(toJournal, await, journaledOut, ingest, lean, places == null ? null : (firstSeq, register) -> {
                for (int d = 0; d < places.length; d++) {
                    if (places[d] != DuplicatePlaces.CURRENT) {
                        PartitionProcessor owner = processors.get(partitionOf(events.get(slots[d]).event().customer()));
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
            PartitionProcessor owner = processors.get(partitionOf(customer));
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
     * another's reservation of one of its ids waits for it (no thread waits: the look again is a continuation;
     * bounded, since the holder's append gives up within the ack timeout) and looks again, then finding the
     * first one's entry as on Chronicle.
     */
    private CompletableFuture<List<Submission>> submitWithIdsOnKafka(List<Submitted> events, boolean await,
                                                                     long shards, long deadlineNs, Executor continueOn) {
        KafkaIdReservations.Ticket ticket = kafkaIds.open();
        KafkaIdLookup lookup;
        idLocks.lock(shards);
        try {
            lookup = KafkaIdLookup.of(events, ids, kafkaIds, ticket, journal.clock().peekMs(),
                    config.idempotencyRetention().toMillis());
        } finally {
            idLocks.unlock(shards);
        }
        if (lookup.busy() == null) {
            return journalReserved(events, await, shards, ticket, lookup, continueOn);
        }
        kafkaIds.release(List.of(), ticket);
        if (continueOn == CALLER_WAITS) {
            // A synchronous caller waits here, on its own thread: as a continuation, its look again (and its
            // send) would run on the thread completing the holder's ticket, Kafka's I/O thread among them.
            if (!awaitReleased(lookup.busy(), deadlineNs)) {
                return CompletableFuture.failedFuture(sameIdStillWaiting());
            }
            return submitWithIdsOnKafka(events, await, shards, deadlineNs, continueOn);
        }
        // A copy: the timeout must not fail the holder's own future, which other requests may wait on too.
        return lookup.busy().done.copy()
                .orTimeout(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)
                .handleAsync((v, e) -> {
                    if (e != null) {
                        throw sameIdStillWaiting();
                    }
                    return submitWithIdsOnKafka(events, await, shards, deadlineNs, continueOn);
                }, continueOn)
                .thenCompose(again -> again);
    }

    private static IngestRefusedException sameIdStillWaiting() {
        return new IngestRefusedException(503, "unavailable",
                "a request with the same id is still waiting for the journal", 1);
    }

    /** Waits on this thread for {@code holder}'s release until {@code deadlineNs}; false when it passed first. */
    private static boolean awaitReleased(KafkaIdReservations.Ticket holder, long deadlineNs) {
        try {
            holder.done.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // never completed exceptionally; look again either way
        }
    }

    /** Journals what the lookup left, then puts its ids and releases the reservations (under the locks again). */
    private CompletableFuture<List<Submission>> journalReserved(List<Submitted> events, boolean await, long shards,
                                                                KafkaIdReservations.Ticket ticket,
                                                                KafkaIdLookup lookup, Executor continueOn) {
        List<Submitted> toJournal = lookup.toJournal();
        long[] ingest = new long[1];
        CompletableFuture<Submission[]> journaled = toJournal.isEmpty()
                ? CompletableFuture.completedFuture(new Submission[0])
                : appendToKafka(toJournal, await, ingest, continueOn);
        return journaled.handle((journaledOut, failure) -> {
            Submission[] out = lookup.out();
            idLocks.lock(shards);
            try {
                if (failure == null) {
                    for (int j = 0; j < journaledOut.length; j++) {
                        out[lookup.journalSlot()[j]] = journaledOut[j];
                        Submitted s = toJournal.get(j);
                        if (s.event().id() != null) {
                            ids.put(s.event().id(), new IdempotencyIndex.Entry(journaledOut[j].seq(), s.bodyHash(),
                                    ingest[0], s.event().customer()));
                        }
                    }
                }
                // Released either way: an unacknowledged record's ids are free for a retry.
                kafkaIds.release(lookup.reserved(), ticket);
            } finally {
                idLocks.unlock(shards);
            }
            // Woken with no lock held: a waiter's look again may run right here and take its own shards' locks.
            KafkaIdReservations.wake(ticket);
            if (failure != null) {
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            int[] slots = lookup.duplicateSlots();
            long[] originals = lookup.originals();
            for (int d = 0; d < slots.length; d++) {
                long seq = originals[d] >= 0 ? originals[d] : out[(int) (-1 - originals[d])].seq();
                String customer = events.get(slots[d]).event().customer();
                // The seqs come after the acknowledgement, too late to ask for a view at the slot's place in the
                // request: a duplicate answers with the customer's current view (as a lone retry does).
                out[slots[d]] = new Submission(seq, true, duplicateOf(seq, customer), null);
            }
            return List.of(out);
        });
    }

    /**
     * The {@code continueOn} of a synchronous Kafka submit: continuations run on the completing thread, and a
     * request meeting another's reservation waits on the caller's own thread.
     */
    private static final Executor CALLER_WAITS = Runnable::run;

    private static final boolean[] NO_FLAGS = new boolean[0];
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final CompletableFuture<CustomerView>[] NO_VIEWS = new CompletableFuture[0];

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
    private void append(List<Submitted> events, boolean await, Submission[] out, long[] ingestOut, OutcomeWaiter lean,
                        AppendHook hook) {
        int n = events.size();
        // The single lean event needs no future (its waiter is the caller's); otherwise one per event.
        @SuppressWarnings({"unchecked", "rawtypes"})
        CompletableFuture<EventResult>[] futures = !await || lean != null ? null : new CompletableFuture[n];
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
                        OutcomeWaiter w = lean;
                        if (w == null) {
                            FutureWaiter f = new FutureWaiter(new CompletableFuture<>());
                            futures[i] = f.future();
                            w = f;
                        }
                        waiters.get(partitionOf(events.get(i).event().customer())).put(firstSeq + i, w);
                    }
                    inFlight.addAndGet(n);
                }
                if (hook != null) {
                    hook.run(firstSeq, true);
                }
            });
            journalWritable();
        } catch (RuntimeException e) {
            if (first[0] >= 0 && await) {
                for (int i = 0; i < n; i++) {
                    waiters.get(partitionOf(events.get(i).event().customer())).remove(first[0] + i);
                }
                inFlight.addAndGet(-n);
            }
            if (first[0] >= 0 && hook != null) {
                hook.run(first[0], false);
            }
            throw eventsNotWritable(e);
        }
        engineMetrics.appended(events, System.nanoTime() - startNs);
        wakeOwners(events);
        for (int i = 0; i < n; i++) {
            out[i] = new Submission(first[0] + i, false, futures == null ? null : futures[i], null);
        }
    }

    /**
     * Hands the events to Kafka; the submissions follow on {@code continueOn} once Kafka acknowledged them (a
     * failure: 503). The outcome is asked of the owner only then, so it may have been applied already: the
     * owner answers it from the stored outcome (with the customer's view as it is now), or waits for it.
     *
     * @param ingestOut receives the events' ingest time before this returns (may be null)
     */
    private CompletableFuture<Submission[]> appendToKafka(List<Submitted> events, boolean await, long[] ingestOut,
                                                          Executor continueOn) {
        int n = events.size();
        if (kafkaUnacked.addAndGet(n) > config.api().maxInFlight()) {
            kafkaUnacked.addAndGet(-n);
            return CompletableFuture.failedFuture(new IngestRefusedException(429, "overloaded",
                    "too many events waiting for the journal's acknowledgement; retry shortly", 1));
        }
        long startNs = System.nanoTime();
        CompletableFuture<long[]> acked;
        try {
            acked = kafka.appendEventsAsync(events, ingestOut);
        } catch (RuntimeException e) {
            kafkaUnacked.addAndGet(-n);
            return CompletableFuture.failedFuture(kafkaNotWritable(e));
        }
        return acked.handleAsync((seqs, failure) -> {
            kafkaUnacked.addAndGet(-n);
            if (failure != null) {
                throw kafkaNotWritable(failure);
            }
            journalWritable();
            engineMetrics.appended(events, System.nanoTime() - startNs);
            Submission[] out = new Submission[seqs.length];
            for (int i = 0; i < seqs.length; i++) {
                String customer = events.get(i).event().customer();
                out[i] = new Submission(seqs[i], false, await ? resultOf(seqs[i], customer) : null, null);
            }
            wakeOwners(events);
            return out;
        }, continueOn);
    }

    private IngestRefusedException kafkaNotWritable(Throwable failure) {
        return eventsNotWritable(failure instanceof CompletionException c && c.getCause() instanceof RuntimeException r
                ? r : failure instanceof RuntimeException r ? r
                : new JournalUnavailableException(failure.toString(), failure));
    }

    /** An events append failed (whatever it registered already undone): counted, logged once, answered 503. */
    private IngestRefusedException eventsNotWritable(RuntimeException e) {
        engineMetrics.journalWriteFailed(JournalWrite.EVENTS);
        journalNotWritable(e);
        return new IngestRefusedException(503, "unavailable", "the journal cannot be written", 0);
    }

    @Override
    public boolean submitBlocks() {
        return kafka != null;
    }

    @Override
    public CompletableFuture<CustomerView> customer(String id) {
        int p = partitionOf(id);
        PartitionProcessor owner = local(p);
        if (owner == null) {
            return CompletableFuture.failedFuture(notServedHere(p));
        }
        return restoring(owner) ? afterRestore(p, owner, () -> owner.customer(id)) : owner.customer(id);
    }

    @Override
    public CompletableFuture<CustomerDetail> customerDetail(String id, int expiringMax) {
        int p = partitionOf(id);
        PartitionProcessor owner = local(p);
        if (owner == null) {
            return CompletableFuture.failedFuture(notServedHere(p));
        }
        return restoring(owner) ? afterRestore(p, owner, () -> owner.customerDetail(id, expiringMax))
                : owner.customerDetail(id, expiringMax);
    }

    @Override
    public CompletableFuture<LedgerPage> ledger(String id, int limit, long beforeId) {
        int p = partitionOf(id);
        PartitionProcessor owner = local(p);
        if (owner == null) {
            return CompletableFuture.failedFuture(notServedHere(p));
        }
        return restoring(owner) ? afterRestore(p, owner, () -> owner.ledger(id, limit, beforeId))
                : owner.ledger(id, limit, beforeId);
    }

    @Override
    public CompletableFuture<EventStatus> event(long seq) {
        if (kafka != null) {
            return kafkaEvent(seq);
        }
        if (seq <= 0 || seq > journal.lastSeq()) {
            return CompletableFuture.completedFuture(new EventStatus(EventStatus.Kind.UNKNOWN, null));
        }
        List<CompletableFuture<EventStatus>> asks = new ArrayList<>(partitions);
        for (int i = 0; i < partitions; i++) {
            asks.add(processors.get(i).event(seq));
        }
        return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            boolean everyoneRead = true;
            for (int i = 0; i < asks.size(); i++) {
                EventStatus s = asks.get(i).join();
                if (s != null) {
                    return s;
                }
                if (processors.get(i).appliedSeq() < seq) {
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
        if (p < 0 || p >= partitions) {
            return CompletableFuture.completedFuture(new EventStatus(EventStatus.Kind.UNKNOWN, null));
        }
        PartitionProcessor owner = local(p);
        if (owner == null) {
            return CompletableFuture.failedFuture(notServedHere(p));
        }
        if (restoring(owner)) {
            // Asked again once restored: until then "pending" or "unknown" would describe a partial state.
            return afterRestore(p, owner, () -> kafkaEvent(seq));
        }
        if (seq > Math.max(journal.lastSeq(p), owner.appliedSeq())) {
            // Past what this node knows of the partition (the owner reads what other nodes journal too).
            return CompletableFuture.completedFuture(new EventStatus(EventStatus.Kind.UNKNOWN, null));
        }
        return owner.event(seq).thenApply(s -> s != null ? s
                : new EventStatus(owner.appliedSeq() >= seq ? EventStatus.Kind.UNKNOWN : EventStatus.Kind.PENDING, null));
    }

    @Override
    public ProgramStats stats() {
        if (partitionFailed) {
            throw new IngestRefusedException(503, "unavailable",
                    "a partition has stopped after a state failure: statistics would be incomplete", 0);
        }
        if (kafka != null) {
            for (int i = 0; i < partitions; i++) {
                // A partition being restored would count with part of its figures (or none while its state loads):
                // never a partial sum (a route cannot wait here; the client retries, as while partitions move).
                if (assignedHere.get(i) == 1 && !restored(i)) {
                    throw notRestored(i);
                }
            }
        }
        List<PartitionStats.Snapshot> parts = new ArrayList<>(partitions);
        for (int i = 0; i < partitions; i++) {
            // On Kafka only the partitions served here: the api layer adds the other nodes' figures.
            PartitionProcessor p = processors.get(i);
            if (p != null) {
                parts.add(p.snapshot());
            }
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
                    clockWaits.put(seq, new ClockWait(done, new AtomicInteger(partitions), ingestMs)));
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
                new java.util.concurrent.atomic.AtomicIntegerArray(partitions),
                new AtomicInteger(partitions), sent.ingestMs());
        kafkaClockWaits.add(w);
        // Partitions that applied their copy before the wait was registered are counted here; so are the
        // partitions other nodes serve (their owners apply the record; this node cannot wait for them).
        for (int p = 0; p < partitions; p++) {
            PartitionProcessor owner = processors.get(p);
            if (owner == null || owner.appliedSeq() >= w.seqs()[p]) {
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
        if (membership != null && !membership.joined()) {
            return false; // owning nothing before the first assignment does not mean ready
        }
        for (int i = 0; i < partitions; i++) {
            PartitionProcessor p = processors.get(i);
            if (p != null && (!p.caughtUp() || p.failed())) {
                return false;
            }
            if (assignedHere.get(i) == 1 && p == null) {
                return false; // assigned, its state still loading (or it failed to open)
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
        if (membership != null) {
            // Leaving the group revokes every partition: each drains what is journaled (bounded), commits
            // and stops; the other nodes take them at once.
            revokeDrainNs = System.nanoTime() + DRAIN_ON_CLOSE.toNanos();
            membership.close();
            directory.close();
            clusterMetrics.close();
        }
        List<PartitionProcessor> running = new ArrayList<>();
        List<Thread> runningThreads = new ArrayList<>();
        synchronized (threads) {
            for (int i = 0; i < partitions; i++) {
                if (processors.get(i) != null) {
                    running.add(processors.get(i));
                    runningThreads.add(threads[i]);
                }
            }
        }
        long behind = 0;
        for (PartitionProcessor p : running) {
            behind = Math.max(behind, journal.lastSeq(p.partition()) - p.appliedSeq());
        }
        if (behind > 0) {
            LOG.info("closing: the processors apply what is journaled ({} records behind, at most {} s)",
                    behind, DRAIN_ON_CLOSE.toSeconds());
        }
        long drainDeadlineNs = System.nanoTime() + DRAIN_ON_CLOSE.toNanos();
        for (PartitionProcessor p : running) {
            p.stop(drainDeadlineNs);
        }
        for (Thread t : runningThreads) {
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
        if (idTailer != null) {
            idTailer.close();
        }
        checkpointIdsAtClose();
        ids.close();
        journal.close();
        blockCache.close();
        lock.close();
        LOG.info("engine closed at journal seq {}", journal.lastSeq());
    }
}
