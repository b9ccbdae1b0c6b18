package dev.loyalty.engine.journal.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seq formula: decodes back to where Kafka put the record, grows with the offset, stays below 2^53. */
class KafkaSeqTest {

    @Test
    void decodesBackToPartitionAndOffsetAndGrowsWithTheOffset() {
        long[] offsets = {0, 1, 41, 1L << 32, (1L << 43) - 2};
        for (int p : new int[] {0, 1, 7, 1023}) {
            long previous = 0;
            for (long offset : offsets) {
                long seq = KafkaSeq.of(p, offset);
                assertThat(seq).isPositive().isLessThan(1L << 53).isGreaterThan(previous);
                assertThat(KafkaSeq.partition(seq)).isEqualTo(p);
                assertThat(KafkaSeq.offset(seq)).isEqualTo(offset);
                previous = seq;
            }
        }
        assertThat(KafkaSeq.of(0, 0)).isEqualTo(1);
        assertThat(KafkaSeq.of(1, 0)).isEqualTo((1L << 43) + 1);
        assertThat(KafkaSeq.MAX_PARTITIONS).isEqualTo(1024);
    }

    @Test
    void refusesPlacesTheFormulaCannotHold() {
        assertThatThrownBy(() -> KafkaSeq.of(1024, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaSeq.of(0, (1L << 43) - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaSeq.of(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
