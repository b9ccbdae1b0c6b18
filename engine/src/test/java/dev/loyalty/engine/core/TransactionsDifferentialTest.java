package dev.loyalty.engine.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Transactions} (its rows, index, pending list and ids packed into one array) against
 * {@link ReferenceTransactions} (the class as it was, six arrays): random sequences of adds, lookups, status
 * changes, parts, reversals, refunds and clears must leave both answering every query the same, row by row.
 */
class TransactionsDifferentialTest {

    /** Ids that collide ("Aa" and "BB" share String.hashCode), grow the id chars, and are not ASCII. */
    private static final String[] STEMS = {"Aa", "BB", "order-", "t000000-", "s", "r\u00e9serv\u00e9-",
            "a-very-long-transaction-id-that-needs-more-than-sixteen-chars-"};

    @Test
    void shouldAnswerAsTheReferenceForRandomOperationSequences() {
        SplittableRandom seeds = new SplittableRandom(20261207);
        for (int run = 0; run < 200; run++) {
            long seed = seeds.nextLong();
            runSequence(new SplittableRandom(seed), "seed " + seed);
        }
    }

    private static void runSequence(SplittableRandom random, String what) {
        Transactions packed = new Transactions();
        ReferenceTransactions reference = new ReferenceTransactions();
        List<String> ids = new ArrayList<>();
        List<Byte> kinds = new ArrayList<>();
        PartBuffer parts = new PartBuffer();
        int operations = 20 + random.nextInt(random.nextInt(10) == 0 ? 400 : 40);
        for (int op = 0; op < operations; op++) {
            int choice = random.nextInt(100);
            if (choice < 50 || ids.isEmpty()) {
                byte kind = (byte) random.nextInt(3);
                String id = STEMS[random.nextInt(STEMS.length)] + (random.nextBoolean() ? "" : random.nextInt(60));
                if (reference.find(kind, id) >= 0) {
                    assertThat(packed.find(kind, id)).as(what).isEqualTo(reference.find(kind, id));
                    continue;
                }
                byte status = (byte) (kind == Transactions.CHECKOUT ? random.nextInt(10) < 7 ? 0 : random.nextInt(4)
                        : random.nextInt(10) < 8 ? 0 : 1);
                int account = random.nextInt(3);
                long time = random.nextLong(1_000_000);
                long order = random.nextLong(1_000_000);
                long eligible = random.nextLong(100_000);
                long points = random.nextLong(10_000);
                boolean qualifies = random.nextBoolean();
                long due = random.nextBoolean() ? Long.MAX_VALUE : random.nextLong(10_000);
                int row = packed.add(kind, status, id, account, time, order, eligible, points, qualifies, due);
                assertThat(row).as(what).isEqualTo(
                        reference.add(kind, status, id, account, time, order, eligible, points, qualifies, due));
                ids.add(id);
                kinds.add(kind);
                if (random.nextInt(3) == 0) {
                    parts.clear();
                    for (int i = random.nextInt(5); i > 0; i--) {
                        parts.add(random.nextLong(1_000_000), random.nextLong(1_000_000), random.nextLong(500));
                    }
                    packed.setParts(row, parts);
                    reference.setParts(row, parts);
                }
            } else if (choice < 70) {
                int row = random.nextInt(ids.size());
                byte kind = kinds.get(row);
                byte status = (byte) (kind == Transactions.CHECKOUT ? random.nextInt(4) : random.nextInt(2));
                packed.status(row, status);
                reference.status(row, status);
            } else if (choice < 80) {
                int row = random.nextInt(ids.size());
                long value = random.nextLong(10_000);
                if (random.nextBoolean()) {
                    packed.reversed(row, value);
                    reference.reversed(row, value);
                } else {
                    packed.refundedCents(row, value);
                    reference.refundedCents(row, value);
                }
            } else if (choice < 97) {
                String id = random.nextBoolean() ? ids.get(random.nextInt(ids.size()))
                        : STEMS[random.nextInt(STEMS.length)] + random.nextInt(80);
                byte kind = (byte) random.nextInt(3);
                assertThat(packed.find(kind, id)).as(what + ": find " + kind + " " + id)
                        .isEqualTo(reference.find(kind, id));
                assertThat(packed.find(kind, new StringBuilder(id))).as(what + ": find a view of " + id)
                        .isEqualTo(reference.find(kind, id));
            } else {
                packed.clear();
                reference.clear();
                ids.clear();
                kinds.clear();
            }
            assertSame(packed, reference, ids, kinds, what + ", after operation " + op);
        }
    }

    private static void assertSame(Transactions packed, ReferenceTransactions reference, List<String> ids,
                                   List<Byte> kinds, String what) {
        assertThat(packed.size()).as(what).isEqualTo(reference.size());
        assertThat(packed.closedCount()).as(what).isEqualTo(reference.closedCount());
        assertThat(packed.pendingCount()).as(what).isEqualTo(reference.pendingCount());
        assertThat(packed.earliestPendingDueMs()).as(what).isEqualTo(reference.earliestPendingDueMs());
        for (int i = 0; i < reference.pendingCount(); i++) {
            assertThat(packed.pendingRow(i)).as(what + ": pending " + i).isEqualTo(reference.pendingRow(i));
        }
        CharsView view = new CharsView();
        byte[] packedAscii = new byte[200];
        byte[] referenceAscii = new byte[200];
        for (int row = 0; row < reference.size(); row++) {
            String at = what + ", row " + row;
            assertThat(packed.find(kinds.get(row), ids.get(row))).as(at).isEqualTo(row);
            assertThat(packed.kind(row)).as(at).isEqualTo(reference.kind(row));
            assertThat(packed.status(row)).as(at).isEqualTo(reference.status(row));
            assertThat(packed.isClosed(row)).as(at).isEqualTo(reference.isClosed(row));
            assertThat(packed.transactionId(row)).as(at).isEqualTo(reference.transactionId(row));
            assertThat(packed.transactionIdChars(row, view).toString()).as(at).isEqualTo(reference.transactionId(row));
            assertThat(packed.transactionIdLength(row)).as(at).isEqualTo(reference.transactionIdLength(row));
            assertThat(packed.transactionIdAscii(row)).as(at).isEqualTo(reference.transactionIdAscii(row));
            if (reference.transactionIdAscii(row)) {
                assertThat(packed.copyTransactionIdAscii(row, packedAscii, 1)).as(at)
                        .isEqualTo(reference.copyTransactionIdAscii(row, referenceAscii, 1));
                assertThat(packedAscii).as(at).isEqualTo(referenceAscii);
            }
            assertThat(packed.account(row)).as(at).isEqualTo(reference.account(row));
            assertThat(packed.eventTimeMs(row)).as(at).isEqualTo(reference.eventTimeMs(row));
            assertThat(packed.order(row)).as(at).isEqualTo(reference.order(row));
            assertThat(packed.eligibleCents(row)).as(at).isEqualTo(reference.eligibleCents(row));
            assertThat(packed.points(row)).as(at).isEqualTo(reference.points(row));
            assertThat(packed.qualifies(row)).as(at).isEqualTo(reference.qualifies(row));
            assertThat(packed.acceptDueMs(row)).as(at).isEqualTo(reference.acceptDueMs(row));
            assertThat(packed.reversed(row)).as(at).isEqualTo(reference.reversed(row));
            assertThat(packed.refundedCents(row)).as(at).isEqualTo(reference.refundedCents(row));
            assertThat(packed.partCount(row)).as(at).isEqualTo(reference.partCount(row));
            assertThat(packed.partTotal(row)).as(at).isEqualTo(reference.partTotal(row));
            for (int i = 0; i < reference.partCount(row); i++) {
                assertThat(packed.partTimeMs(row, i)).as(at + ", part " + i).isEqualTo(reference.partTimeMs(row, i));
                assertThat(packed.partOrder(row, i)).as(at + ", part " + i).isEqualTo(reference.partOrder(row, i));
                assertThat(packed.partPoints(row, i)).as(at + ", part " + i).isEqualTo(reference.partPoints(row, i));
            }
        }
    }
}
