package dev.loyalty.engine.journal.kafka;

import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.testing.KafkaTestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The processor's reader waits on the consumer only for a record this node knows is in the topic, and once. */
@Timeout(120)
class KafkaPartitionReaderTest {

    private static final JournalReader.RecordVisitor IGNORE = (position, h, payload) -> { };

    private static KafkaJournal open() {
        return KafkaJournal.open(new KafkaSettings(KafkaTestCluster.bootstrapServers(),
                KafkaTestCluster.topic("reader"), "reader-test", Map.of()), 1, System::currentTimeMillis,
                Duration.ofSeconds(10));
    }

    /** Reads until the reader has returned offset {@code last}; fails at the deadline. */
    private static void readThrough(JournalReader r, long last) {
        long[] at = {-1};
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (at[0] < last) {
            assertThat(System.nanoTime() - deadline).as("offset %d read in time", last).isNegative();
            r.next((position, h, payload) -> at[0] = position);
        }
    }

    @Test
    void aRecordAcknowledgedHereIsReadWithoutAnIdlePass() {
        try (KafkaJournal journal = open(); JournalReader r = journal.reader(0)) {
            journal.appendHeartbeat();
            readThrough(r, 0);
            // Acknowledged now: the reader knows it is there, so one call waits for the consumer's fetch
            // (poll(0) alone answers "nothing" until the fetch answer happens to be in before the call).
            int calls = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            journal.appendHeartbeat();
            while (!r.next(IGNORE)) {
                calls++;
                assertThat(System.nanoTime() - deadline).isNegative();
            }
            // Each empty call waited for the fetch (75 ms in all allowed for a loaded build machine); the old
            // poll(0) spun through empty calls meanwhile (48 on a loaded 2-core machine).
            assertThat(calls).as("empty calls before the acknowledged record").isLessThanOrEqualTo(15);
        }
    }

    @Test
    void nothingKnownAheadNeverWaitsAndAKnownOffsetIsWaitedForOnce() {
        try (KafkaJournal journal = open()) {
            journal.appendHeartbeat();
            long[] known = {0};
            try (KafkaPartitionReader r = new KafkaPartitionReader(journal.topic(), 0, "test", () -> known[0])) {
                readThrough(r, 0);
                long start = System.nanoTime();
                for (int i = 0; i < 40; i++) {
                    assertThat(r.next(IGNORE)).isFalse();
                }
                // 40 waits would be 200 ms: an idle partition's processor must not block on its consumer.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));

                known[0] = 5; // claimed but never written: waited for once, then plain polls
                start = System.nanoTime();
                assertThat(r.next(IGNORE)).isFalse();
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .isGreaterThanOrEqualTo(KafkaPartitionReader.AWAIT_KNOWN.minusMillis(1));
                start = System.nanoTime();
                for (int i = 0; i < 40; i++) {
                    assertThat(r.next(IGNORE)).isFalse();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));
            }
        }
    }
}
