package dev.loyalty.engine.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A table slot's transactions are cleared and reused by the next customer: nothing of the last one may stay. */
class TransactionsTest {

    @Test
    void shouldForgetTheEarliestPendingAcceptanceWhenClearedForTheNextCustomer() {
        Transactions t = new Transactions();
        t.add(Transactions.CHECKOUT, Transactions.PENDING, "order-1", 0, 1_000, 1, 5_000, 50, true, 86_400_000L);
        assertThat(t.pendingCount()).isEqualTo(1);
        assertThat(t.earliestPendingDueMs()).isEqualTo(86_400_000L);

        t.clear();

        assertThat(t.pendingCount()).isZero();
        assertThat(t.earliestPendingDueMs()).as("a new customer without checkouts has nothing due")
                .isEqualTo(Long.MAX_VALUE);
        t.add(Transactions.CHECKOUT, Transactions.PENDING, "order-2", 0, 2_000, 1, 5_000, 50, true, 172_800_000L);
        assertThat(t.earliestPendingDueMs()).isEqualTo(172_800_000L);
    }
}
