package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An idle processor's Kafka reader waits in its consumer's poll (bounded here by a minute, so that only what
 * should end the wait can end it in time): a record appended ends it and is read at once after, and a wake-up
 * (a query or a stop for the processor) ends it without a record; a wake-up while not waiting changes nothing,
 * and work found once the wait is announced (its wake-up came before) means no wait at all.
 */
@Timeout(120)
class KafkaPartitionReaderIdleTest {
    private static final Duration BOUND = Duration.ofMinutes(1);
    private static final Duration ENDS = Duration.ofSeconds(20);

    private KafkaJournal journal;
    private KafkaPartitionReader reader;

    @BeforeEach
    void open() {
        journal = KafkaJournal.open(new KafkaSettings(KafkaTestCluster.bootstrapServers(),
                KafkaTestCluster.topic("idle-reader"), "idle-test", Map.of()), 1, System::currentTimeMillis,
                Duration.ofSeconds(30));
        reader = new KafkaPartitionReader(journal.topic(), 0, "idle", BOUND);
    }

    @AfterEach
    void close() {
        reader.close();
        journal.close();
    }

    /** Runs {@code reader.idle} on a thread of its own; the returned nanos are set once it returned. */
    private Thread idleOnAThread(AtomicLong tookNs) {
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            reader.idle(5_000_000L, () -> false);
            tookNs.set(System.nanoTime() - start);
        }, "idle-reader");
        t.start();
        return t;
    }

    @Test
    void shouldEndTheIdleWaitWithTheRecordAppended() throws Exception {
        AtomicLong took = new AtomicLong(-1);
        Thread t = idleOnAThread(took);
        Eventually.until("the reader waits in poll", ENDS, reader::waiting);
        long seq = journal.appendHeartbeat();
        t.join(ENDS.toMillis());
        assertThat(t.isAlive()).as("still waiting after the record was appended").isFalse();
        assertThat(took.get()).isLessThan(BOUND.toNanos());
        long[] read = {-1};
        assertThat(reader.next((position, h, payload) -> read[0] = h.firstSeq())).as("the fetched record").isTrue();
        assertThat(read[0]).isEqualTo(seq);
    }

    @Test
    void shouldNotWaitWhenWorkCameBeforeTheWaitWasAnnounced() {
        boolean[] askedWhileWaiting = {false};
        long start = System.nanoTime();
        reader.idle(5_000_000L, () -> askedWhileWaiting[0] = reader.waiting());
        assertThat(askedWhileWaiting[0]).as("asked after the wait was announced").isTrue();
        assertThat(System.nanoTime() - start).isLessThan(BOUND.toNanos());
        assertThat(reader.waiting()).isFalse();
    }

    @Test
    void shouldEndTheIdleWaitOnAWakeUp() throws Exception {
        reader.wakeUp(); // not waiting: nothing to end, and nothing left behind for the next poll
        assertThat(reader.next((position, h, payload) -> { })).isFalse();
        AtomicLong took = new AtomicLong(-1);
        Thread t = idleOnAThread(took);
        Eventually.until("the reader waits in poll", ENDS, reader::waiting);
        reader.wakeUp();
        t.join(ENDS.toMillis());
        assertThat(t.isAlive()).as("still waiting after the wake-up").isFalse();
        assertThat(took.get()).isLessThan(BOUND.toNanos());
        // The reader still reads what comes next.
        long seq = journal.appendHeartbeat();
        long[] read = {-1};
        Eventually.until("the record after the wake-up", ENDS, () -> reader.next((position, h, payload) -> read[0] = h.firstSeq()));
        assertThat(read[0]).isEqualTo(seq);
    }
}
