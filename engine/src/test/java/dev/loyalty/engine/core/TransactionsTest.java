package dev.loyalty.engine.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table slot's transactions are cleared and reused by the next customer: nothing of the last one may stay; ids
 * kept as chars are found by content, not by hash alone.
 */
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

    @Test
    void shouldFindIdsByContentAcrossGrowthCollisionsAndReuse() {
        Transactions t = new Transactions();
        // "Aa" and "BB" share String.hashCode: a lookup by hash alone would answer the wrong row
        int aa = t.add(Transactions.SPEND, Transactions.OPEN, "Aa", 0, 1, 0, 0, 5, false, Long.MAX_VALUE);
        int bb = t.add(Transactions.SPEND, Transactions.OPEN, "BB", 0, 2, 0, 0, 7, false, Long.MAX_VALUE);
        for (int i = 0; i < 300; i++) {
            t.add(Transactions.CHECKOUT, Transactions.ACCEPTED, "order-" + i + "-\u00e9", 0, i, i, 100, 1, false,
                    Long.MAX_VALUE);
        }
        assertThat(t.find(Transactions.SPEND, "Aa")).isEqualTo(aa);
        assertThat(t.find(Transactions.SPEND, "BB")).isEqualTo(bb);
        assertThat(t.find(Transactions.CHECKOUT, "Aa")).as("kinds are separate namespaces").isEqualTo(-1);
        assertThat(t.find(Transactions.SPEND, "A")).isEqualTo(-1);
        for (int i = 0; i < 300; i++) {
            int row = t.find(Transactions.CHECKOUT, "order-" + i + "-\u00e9");
            assertThat(row).isGreaterThanOrEqualTo(0);
            assertThat(t.transactionId(row)).isEqualTo("order-" + i + "-\u00e9");
            assertThat(t.eventTimeMs(row)).isEqualTo(i);
        }

        t.clear();

        assertThat(t.find(Transactions.SPEND, "Aa")).as("the last customer's ids are gone").isEqualTo(-1);
        int row = t.add(Transactions.SPEND, Transactions.OPEN, "BB", 0, 3, 0, 0, 9, false, Long.MAX_VALUE);
        assertThat(t.find(Transactions.SPEND, "BB")).isEqualTo(row);
        assertThat(t.transactionId(row)).isEqualTo("BB");
        assertThat(t.points(row)).isEqualTo(9);
    }

    @Test
    void shouldFindIdsGivenAsViewsAsTheirStrings() {
        Transactions t = new Transactions();
        AsciiChars view = new AsciiChars();
        for (int i = 0; i < 200; i++) {
            String id = (i % 2 == 0 ? "Aa" : "BB") + "-" + i;
            // every other id arrives as a view of its bytes (the journal's), the others as strings
            int row = t.add(Transactions.CHECKOUT, Transactions.PENDING, i % 3 == 0 ? view(view, id) : id, 0, i, i,
                    100, 1, false, 1_000 + i);
            assertThat(t.find(Transactions.CHECKOUT, id)).isEqualTo(row);
            assertThat(t.find(Transactions.CHECKOUT, view(view, id))).isEqualTo(row);
            assertThat(t.find(Transactions.CHECKOUT, new StringBuilder(id))).isEqualTo(row);
            assertThat(t.find(Transactions.SPEND, view(view, id))).as("another kind's namespace").isEqualTo(-1);
            assertThat(t.transactionId(row)).isEqualTo(id);
        }
        assertThat(t.find(Transactions.CHECKOUT, view(view, "Aa-1"))).isEqualTo(-1);
    }

    private static AsciiChars view(AsciiChars view, String id) {
        byte[] b = view.room(id.length());
        for (int i = 0; i < id.length(); i++) {
            b[i] = (byte) id.charAt(i);
        }
        view.length(id.length());
        return view;
    }
}
