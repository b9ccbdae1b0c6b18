package dev.loyalty.engine.state;

import dev.loyalty.engine.core.EffectSink;
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

    /** The {@code i}-th entry of {@code sink}, in the bytes {@link #writeEntry(BinaryWriter, LedgerEntry)} gives. */
    public static void writeEntry(BinaryWriter w, EffectSink sink, int i) {
        w.writeLong(sink.id(i)).writeLong(sink.seq(i)).writeLong(sink.atMs(i)).writeString(sink.action(i))
                .writeString(sink.account(i)).writeByte(sink.kind(i).ordinal()).writeLong(sink.points(i))
                .writeString(sink.transactionId(i)).writeString(sink.reason(i));
    }

    /**
     * The outcome of {@code seq}: rejected with {@code error}, else applied with the entries of {@code sink} from
     * {@code from} on; the bytes {@link #writeOutcome(BinaryWriter, EventOutcome)} gives for that outcome.
     */
    public static void writeOutcome(BinaryWriter w, long seq, String customer, RuleError error, EffectSink sink,
                                    int from) {
        w.writeLong(seq).writeString(customer);
        if (error == null) {
            w.writeByte(0);
            w.writeVarInt(sink.size() - from);
            for (int i = from; i < sink.size(); i++) {
                writeEntry(w, sink, i);
            }
        } else {
            w.writeByte(1).writeVarInt(error.status()).writeString(error.code()).writeString(error.message());
            w.writeVarInt(0);
        }
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
