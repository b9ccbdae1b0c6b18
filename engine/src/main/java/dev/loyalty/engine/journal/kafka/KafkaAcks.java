package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.journal.JournalUnavailableException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The acknowledgements of one append's records, gathered from the producer's callbacks: completes with the
 * seq of each record once all are acknowledged, or fails at the first record Kafka did not take.
 */
final class KafkaAcks extends CompletableFuture<long[]> implements Callback {

    private final long[] seqs;
    private final AtomicInteger left;
    private final AtomicLongArray lastOffsets;

    KafkaAcks(int records, AtomicLongArray lastOffsets) {
        this.seqs = new long[records];
        this.left = new AtomicInteger(records);
        this.lastOffsets = lastOffsets;
    }

    /** The callback of record {@code i}: this object itself for a lone record (no allocation per request). */
    Callback slot(int i) {
        return seqs.length == 1 ? this : (m, e) -> acked(i, m, e);
    }

    @Override
    public void onCompletion(RecordMetadata m, Exception e) {
        acked(0, m, e);
    }

    private void acked(int i, RecordMetadata m, Exception e) {
        if (e != null) {
            completeExceptionally(new JournalUnavailableException("Kafka did not acknowledge the record: " + e, e));
            return;
        }
        lastOffsets.accumulateAndGet(m.partition(), m.offset(), Math::max);
        seqs[i] = KafkaSeq.of(m.partition(), m.offset());
        // The decrement orders every slot's write before the completing thread's read of the array.
        if (left.decrementAndGet() == 0) {
            complete(seqs);
        }
    }
}
