package dev.loyalty.engine.processor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The table's size from the heap: what a 1 GiB replay of the harness's journal must hold, and the caps. */
class TableCapacityTest {
    private static final long GIB = 1L << 30;

    @Test
    void shouldHoldAHundredThousandCustomersAPartitionOfTwoInOneGibibyte() {
        // bench's replay journal: 200K customers over 2 partitions; at 4 KiB a customer 1 GiB held 65K of them
        assertThat(PartitionProcessor.tableCapacity(Integer.MAX_VALUE, 2, GIB)).isGreaterThanOrEqualTo(100_000);
    }

    @Test
    void shouldKeepTheTableWithinHalfTheHeapAtTheBudget() {
        long held = PartitionProcessor.tableCapacity(Integer.MAX_VALUE, 4, 4 * GIB);
        assertThat(held * 4 * PartitionProcessor.BYTES_PER_CUSTOMER).isLessThanOrEqualTo(2 * GIB);
        assertThat(PartitionProcessor.BYTES_PER_CUSTOMER).as("at least the ~2 KB a typical customer takes")
                .isGreaterThanOrEqualTo(2048);
    }

    @Test
    void shouldNeverExceedTheSettingNorHoldNone() {
        assertThat(PartitionProcessor.tableCapacity(1_000, 2, 4 * GIB)).isEqualTo(1_000);
        assertThat(PartitionProcessor.tableCapacity(1_000, 2, 0)).isEqualTo(1);
    }
}
