package dev.loyalty.engine.core;

import dev.loyalty.engine.config.RulesConfig.CustomAction;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The customer record of {@link CoreCustomerCodec} (version 2) written the plain way, field by field through
 * strings and a stream, as the codec did before its commit path was tuned: the tests hold the codec's bytes to it,
 * so the stored format cannot drift unnoticed.
 */
public final class ReferenceCustomerEncoder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<CustomAction> customActions;

    public ReferenceCustomerEncoder(List<CustomAction> customActions) {
        this.customActions = customActions;
    }

    public byte[] encode(CustomerTable table, int slot) {
        out.reset();
        out.write(2);
        string(table.id(slot));
        number((table.exists(slot) ? 1 : 0) | (table.activeFlag(slot) ? 2 : 0));
        number(table.optedInAtMs(slot));
        number(table.lastActivityAtMs(slot));
        number(table.tierIndex(slot));
        number(table.tierValidUntilMs(slot));
        number(table.tierOrder(slot));
        number(table.nextEntryId(slot));
        number(table.nextOrder(slot));
        number(table.indexedDueMs(slot));
        number(table.ledgerHead(slot));
        string(table.attributesJson(slot));
        long once = table.onceDone(slot);
        number(Long.bitCount(once));
        for (int i = 0; i < customActions.size(); i++) {
            if ((once & (1L << i)) != 0) {
                string(customActions.get(i).name());
            }
        }
        number(table.accounts());
        for (int a = 0; a < table.accounts(); a++) {
            for (int k = 0; k < CustomerTable.COUNTERS; k++) {
                number(table.counter(slot, a, k));
            }
            LotList lots = table.lotsOrNull(slot, a);
            int n = lots == null ? 0 : lots.size();
            number(n);
            for (int i = 0; i < n; i++) {
                number(lots.eventTimeMs(i));
                number(lots.order(i));
                number(lots.points(i));
            }
        }
        QualifyingWindow q = table.qualifyingOrNull(slot);
        int n = q == null ? 0 : q.size();
        number(n);
        for (int i = 0; i < n; i++) {
            number(q.eventTimeMs(i));
            number(q.order(i));
            number(q.points(i));
        }
        Transactions t = table.transactionsOrNull(slot);
        int rows = t == null ? 0 : t.size();
        number(rows);
        for (int row = 0; row < rows; row++) {
            number(t.kind(row));
            number(t.status(row));
            string(t.transactionId(row));
            number(t.account(row));
            number(t.eventTimeMs(row));
            number(t.order(row));
            number(t.eligibleCents(row));
            number(t.points(row));
            number(t.qualifies(row) ? 1 : 0);
            number(t.acceptDueMs(row));
            number(t.reversed(row));
            number(t.refundedCents(row));
            number(t.partCount(row));
            for (int i = 0; i < t.partCount(row); i++) {
                number(t.partTimeMs(row, i));
                number(t.partOrder(row, i));
                number(t.partPoints(row, i));
            }
        }
        return out.toByteArray();
    }

    /** Zig-zag varint. */
    private void number(long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Length + 1 then UTF-8; 0 for null. */
    private void string(String s) {
        if (s == null) {
            number(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        number(b.length + 1L);
        out.write(b, 0, b.length);
    }
}
