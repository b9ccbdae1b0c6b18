package dev.loyalty.engine.journal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The header holder as the Kafka reader fills it (one event or one other record per Kafka record): its last
 * seq is its seq and it is never "skipped", whatever a Chronicle record left in the reused holder. A count
 * left at 0 would make every processor's applied seq trail the journal by one until the next heartbeat.
 */
class KafkaRecordHeaderTest {

    @Test
    void shouldDescribeOneReadRecordWhateverTheHolderHeldBefore() {
        RecordHeader h = new RecordHeader();
        h.set(RecordType.EVENTS, 42, 1_000, 5);
        assertThat(h.lastSeq()).isEqualTo(42);
        assertThat(h.skipped()).isFalse();
        assertThat(h.mayHold(3, 8)).as("no mask: every partition may read it").isTrue();

        // As a format-2 reader leaves it after a skipped record of 7 events for other partitions.
        h.count = 7;
        h.skipped = true;
        h.maskPartitions = 8;
        h.mask = 1L;
        h.set(RecordType.CLOCK, 100, 2_000, 60_000);
        assertThat(h.type()).isEqualTo(RecordType.CLOCK);
        assertThat(h.firstSeq()).isEqualTo(100);
        assertThat(h.lastSeq()).isEqualTo(100);
        assertThat(h.ingestMs()).isEqualTo(2_000);
        assertThat(h.clockOffsetMs()).isEqualTo(60_000);
        assertThat(h.skipped()).isFalse();
        assertThat(h.mayHold(3, 8)).isTrue();
    }
}
