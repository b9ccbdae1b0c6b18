package dev.loyalty.engine;

import dev.loyalty.engine.idempotency.IdLocks;
import dev.loyalty.engine.idempotency.IdempotencyIndex;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.kafka.KafkaJournal;
import dev.loyalty.engine.journal.kafka.KafkaTopicTail;
import net.openhft.chronicle.bytes.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps this node's idempotency index global: one thread reads every partition of the Kafka journal (one consumer
 * waiting for records: {@link KafkaTopicTail}) from where the start's rebuild stopped and puts the ids of every events record (other nodes' above all) into the local
 * index, under the ids' shard locks, unless the index already holds the id (this node's own puts, made after
 * its acknowledgements, win). How far each partition is done caps the index's checkpoint ({@link #cap}).
 */
final class KafkaIdTailer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaIdTailer.class);
    /**
     * Longest wait in one poll: the broker answers the fetch as soon as a record comes, so this bounds only how
     * late a stop is seen should the wakeup be missed, not how late a foreign id is learnt.
     */
    private static final Duration POLL_WAIT = Duration.ofMillis(500);
    private static final long RETRY_NS = TimeUnit.SECONDS.toNanos(1);

    private final KafkaJournal kafka;
    private final IdempotencyIndex ids;
    private final IdLocks locks;
    private final AtomicLongArray readUpTo;
    private final Thread thread;
    private volatile boolean stopped;
    /** The tail being read (null between attempts): woken on close. */
    private volatile KafkaTopicTail tail;

    private KafkaIdTailer(KafkaJournal kafka, long[] after, IdempotencyIndex ids, IdLocks locks) {
        this.kafka = kafka;
        this.ids = ids;
        this.locks = locks;
        this.readUpTo = new AtomicLongArray(after);
        this.thread = new Thread(this::run, "kafka-id-tailer");
        thread.setDaemon(true);
    }

    /** Starts reading each partition right after {@code after[p]} (-1: from its oldest record). */
    static KafkaIdTailer start(KafkaJournal kafka, long[] after, IdempotencyIndex ids, IdLocks locks) {
        KafkaIdTailer t = new KafkaIdTailer(kafka, after, ids, locks);
        t.thread.start();
        return t;
    }

    /** {@code offsets} lowered, per partition, to what this tailer has put: the checkpoint the index may claim. */
    long[] cap(long[] offsets) {
        if (offsets == null) {
            return null;
        }
        long[] out = offsets.clone();
        for (int p = 0; p < out.length; p++) {
            out[p] = Math.min(out[p], readUpTo.get(p));
        }
        return out;
    }

    private void run() {
        boolean failing = false;
        while (!stopped) {
            long[] after = new long[readUpTo.length()];
            for (int p = 0; p < after.length; p++) {
                after[p] = readUpTo.get(p);
            }
            try (KafkaTopicTail t = kafka.tail(after, "id-tailer")) {
                tail = t;
                if (failing) {
                    failing = false;
                    LOG.info("the id tailer reads again");
                }
                while (!stopped) {
                    t.poll(POLL_WAIT, (partition, offset, h, payload) -> register(h, payload), readUpTo::set);
                }
            } catch (RuntimeException e) {
                if (!stopped && !failing) {
                    failing = true;
                    // Until it reads again, retries through other nodes of ids they journaled are not recognised here.
                    LOG.error("the id tailer failed; it starts again from where it was every second: {}", e.toString());
                }
                if (!stopped) {
                    LockSupport.parkNanos(RETRY_NS);
                }
            } finally {
                tail = null;
            }
        }
    }

    private void register(RecordHeader h, Bytes<?> payload) {
        EventCodec.forEachWithId(h, payload, (seq, id, customer, bodyHash) -> {
            long shard = IdLocks.shardOf(id);
            locks.lock(shard);
            try {
                if (ids.get(id) == null) {
                    ids.put(id, new IdempotencyIndex.Entry(seq, bodyHash, h.ingestMs(), customer));
                }
            } finally {
                locks.unlock(shard);
            }
        });
    }

    /** Stops the thread and waits for it (its readers close with it). */
    @Override
    public void close() {
        stopped = true;
        KafkaTopicTail t = tail;
        if (t != null) {
            t.wakeup();
        }
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
