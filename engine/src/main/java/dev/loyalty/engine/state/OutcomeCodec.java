package dev.loyalty.engine.state;

import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.RuleError;

import java.util.ArrayList;
import java.util.List;

/** Binary form of stored outcomes and ledger entries. */
public final class OutcomeCodec {

    private OutcomeCodec() {
    }

    public static void writeEntry(BinaryWriter w, LedgerEntry e) {
        w.writeLong(e.id()).writeLong(e.seq()).writeLong(e.atMs()).writeString(e.action())
                .writeString(e.account()).writeByte(e.kind().ordinal()).writeLong(e.points())
                .writeString(e.transactionId()).writeString(e.reason());
    }

    public static LedgerEntry readEntry(BinaryReader r) {
        return new LedgerEntry(r.readLong(), r.readLong(), r.readLong(), r.readString(), r.readString(),
                LedgerKind.of(r.readByte()), r.readLong(), r.readString(), r.readString());
    }

    public static byte[] encodeEntry(BinaryWriter w, LedgerEntry e) {
        w.reset();
        writeEntry(w, e);
        return w.toBytes();
    }

    public static LedgerEntry decodeEntry(byte[] b) {
        return readEntry(new BinaryReader(b));
    }

    public static byte[] encode(BinaryWriter w, EventOutcome o) {
        w.reset();
        writeOutcome(w, o);
        return w.toBytes();
    }

    /** Appends the outcome's bytes to {@code w} (what {@link #encode} returns, without the copy). */
    public static void writeOutcome(BinaryWriter w, EventOutcome o) {
        w.writeLong(o.seq()).writeString(o.customer());
        RuleError err = o.error();
        if (err == null) {
            w.writeByte(0);
        } else {
            w.writeByte(1).writeVarInt(err.status()).writeString(err.code()).writeString(err.message());
        }
        w.writeVarInt(o.effects().size());
        for (LedgerEntry e : o.effects()) {
            writeEntry(w, e);
        }
    }

    public static EventOutcome decode(byte[] b) {
        BinaryReader r = new BinaryReader(b);
        long seq = r.readLong();
        String customer = r.readString();
        RuleError err = null;
        if (r.readByte() == 1) {
            err = new RuleError(r.readVarInt(), r.readString(), r.readString());
        }
        int n = r.readVarInt();
        List<LedgerEntry> effects = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            effects.add(readEntry(r));
        }
        return new EventOutcome(seq, customer, err, List.copyOf(effects));
    }
}
