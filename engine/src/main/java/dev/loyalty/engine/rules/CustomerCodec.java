package dev.loyalty.engine.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Binary form of a {@link Customer} for the state store. Deterministic: equal states give equal bytes
 * (replay is checked byte for byte), so collections are written in a defined order: sorted maps by key,
 * lists in journal order. Numbers are zig-zag varints, strings length-prefixed UTF-8; a leading version
 * byte allows the format to evolve.
 */
public final class CustomerCodec {

    private static final int VERSION = 1;

    private CustomerCodec() {
    }

    /** One buffer per thread (processors encode every customer they touch, every batch). */
    private static final ThreadLocal<Bytes.Writer> WRITER = ThreadLocal.withInitial(Bytes.Writer::new);

    public static byte[] encode(Customer c) {
        Bytes.Writer w = WRITER.get().reset();
        w.byteValue(VERSION);
        w.string(c.id);
        w.bool(c.exists);
        w.bool(c.active);
        w.varLong(c.optedInAtMs);
        w.varLong(c.lastActivityAtMs);
        w.varLong(c.tierIndex);
        w.varLong(c.tierValidUntilMs);
        w.varLong(c.tierOrder);
        w.varLong(c.nextEntryId);
        w.varLong(c.nextOrder);
        w.varLong(c.indexedDueMs);
        w.string(c.attributesJson);

        w.varLong(c.accounts.size());
        for (Account a : c.accounts) {
            w.varLong(a.reserved);
            w.varLong(a.debt);
            w.varLong(a.pending);
            w.varLong(a.earned);
            w.varLong(a.spent);
            w.varLong(a.expired);
            w.varLong(a.deducted);
            w.varLong(a.lots.size());
            for (Lot lot : a.lots) {
                w.varLong(lot.eventTimeMs);
                w.varLong(lot.order);
                w.varLong(lot.points);
            }
        }

        w.varLong(c.checkouts.size());
        for (Checkout co : c.checkouts.values()) {
            w.string(co.transactionId);
            w.varLong(co.account);
            w.varLong(co.eventTimeMs);
            w.varLong(co.order);
            w.varLong(co.eligibleCents);
            w.varLong(co.points);
            w.bool(co.qualifies);
            writeParts(w, co.burned);
            w.varLong(co.acceptDueMs);
            w.varLong(co.status.ordinal());
            w.varLong(co.reversed);
            w.varLong(co.refundedCents);
        }

        w.varLong(c.spends.size());
        for (Map.Entry<String, Spend> e : c.spends.entrySet()) {
            Spend s = e.getValue();
            w.string(e.getKey());
            w.varLong(s.account);
            w.varLong(s.points);
            writeParts(w, s.parts);
            w.bool(s.undone);
        }

        w.varLong(c.reservations.size());
        for (Map.Entry<String, Reservation> e : c.reservations.entrySet()) {
            Reservation r = e.getValue();
            w.string(e.getKey());
            w.varLong(r.account);
            w.varLong(r.points);
            writeParts(w, r.parts);
            w.bool(r.open);
        }

        w.varLong(c.qualifying.size());
        for (Customer.Qualifying q : c.qualifying) {
            w.varLong(q.eventTimeMs);
            w.string(q.transactionId);
            w.varLong(q.points);
        }

        w.varLong(c.onceDone.size());
        for (String name : c.onceDone) {
            w.string(name);
        }
        return w.toArray();
    }

    /** Decodes {@link #encode} output; throws {@link IllegalArgumentException} on corrupt bytes. */
    public static Customer decode(byte[] bytes) {
        Bytes.Reader r = new Bytes.Reader(bytes);
        int version = r.byteValue();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown customer record version " + version);
        }
        String id = r.string();
        Customer c = new Customer(id, 0);
        c.exists = r.bool();
        c.active = r.bool();
        c.optedInAtMs = r.varLong();
        c.lastActivityAtMs = r.varLong();
        c.tierIndex = (int) r.varLong();
        c.tierValidUntilMs = r.varLong();
        c.tierOrder = r.varLong();
        c.nextEntryId = r.varLong();
        c.nextOrder = r.varLong();
        c.indexedDueMs = r.varLong();
        c.attributesJson = r.string();

        int accounts = r.count();
        for (int i = 0; i < accounts; i++) {
            Account a = new Account();
            a.reserved = r.varLong();
            a.debt = r.varLong();
            a.pending = r.varLong();
            a.earned = r.varLong();
            a.spent = r.varLong();
            a.expired = r.varLong();
            a.deducted = r.varLong();
            int lots = r.count();
            for (int j = 0; j < lots; j++) {
                long eventTimeMs = r.varLong();
                long order = r.varLong();
                long points = r.varLong();
                a.addDecodedLot(new Lot(eventTimeMs, order, points));
            }
            c.accounts.add(a);
        }

        int checkouts = r.count();
        for (int i = 0; i < checkouts; i++) {
            String txn = r.string();
            int account = (int) r.varLong();
            long eventTimeMs = r.varLong();
            long order = r.varLong();
            long eligible = r.varLong();
            long points = r.varLong();
            boolean qualifies = r.bool();
            List<Part> burned = readParts(r);
            long acceptDueMs = r.varLong();
            Checkout.Status status = Checkout.Status.of((int) r.varLong());
            long reversed = r.varLong();
            long refunded = r.varLong();
            c.addCheckout(new Checkout(txn, account, eventTimeMs, order, eligible, points, qualifies, burned,
                    acceptDueMs, status, reversed, refunded));
        }

        int spends = r.count();
        for (int i = 0; i < spends; i++) {
            String txn = r.string();
            int account = (int) r.varLong();
            long points = r.varLong();
            List<Part> parts = readParts(r);
            c.spends.put(txn, new Spend(account, points, parts, r.bool()));
        }

        int reservations = r.count();
        for (int i = 0; i < reservations; i++) {
            String txn = r.string();
            int account = (int) r.varLong();
            long points = r.varLong();
            List<Part> parts = readParts(r);
            c.reservations.put(txn, new Reservation(account, points, parts, r.bool()));
        }

        int qualifying = r.count();
        for (int i = 0; i < qualifying; i++) {
            long eventTimeMs = r.varLong();
            String txn = r.string();
            c.qualifying.add(new Customer.Qualifying(eventTimeMs, txn, r.varLong()));
        }

        int once = r.count();
        for (int i = 0; i < once; i++) {
            c.onceDone.add(r.string());
        }
        if (!r.atEnd()) {
            throw new IllegalArgumentException("customer record has trailing bytes");
        }
        return c;
    }

    private static void writeParts(Bytes.Writer w, List<Part> parts) {
        w.varLong(parts.size());
        for (Part p : parts) {
            w.varLong(p.eventTimeMs());
            w.varLong(p.order());
            w.varLong(p.points());
        }
    }

    private static List<Part> readParts(Bytes.Reader r) {
        int n = r.count();
        List<Part> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parts.add(new Part(r.varLong(), r.varLong(), r.varLong()));
        }
        return parts;
    }
}
