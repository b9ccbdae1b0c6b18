package dev.loyalty.engine.core;

import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.RuleError;
import dev.loyalty.engine.state.BinaryWriter;
import dev.loyalty.engine.state.OutcomeCodec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outcomes and ledger entries written straight from an {@link EffectSink}'s columns are byte for byte what the
 * object path ({@link EventOutcome}, {@code LedgerEntry}) writes, so the derived logs a replay compares do not
 * change: random entries with absent, ASCII and non-ASCII strings (lone surrogates too), rejections, and outcomes
 * after due work (the outcome holds the event's own entries only).
 */
class EffectBytesTest {

    private static final String[] TEXT = {null, "checkout", "T-1", "ünï", "€uro", "\uD83D\uDE00", "\uD800x", "", "points"};

    @Test
    void shouldWriteTheSameBytesFromTheSinkAsFromObjects() {
        SplittableRandom r = new SplittableRandom(3);
        EffectSink sink = new EffectSink();
        BinaryWriter fromSink = new BinaryWriter(16);
        BinaryWriter fromObjects = new BinaryWriter(16);
        AsciiChars view = new AsciiChars();
        List<String> ids = new java.util.ArrayList<>();
        for (int n = 0; n < 5_000; n++) {
            ids.clear();
            sink.clear();
            int due = r.nextInt(3);
            int own = r.nextInt(4);
            for (int i = 0; i < due + own; i++) {
                String txn = r.nextInt(4) == 0 ? "T-" + r.nextInt(1000) : text(r);
                ids.add(txn);
                // ASCII ids often come as one reused view (the journal's): the sink must copy them, not keep it
                CharSequence given = txn != null && txn.chars().allMatch(c -> c < 0x80) && r.nextBoolean()
                        ? view(view, txn) : txn;
                sink.add(r.nextLong(1, 1000), r.nextLong(1, 1 << 40), r.nextLong(), text(r), text(r),
                        LedgerKind.values()[r.nextInt(LedgerKind.values().length)], r.nextLong(0, 1 << 20), given,
                        text(r));
                if (i == due - 1) {
                    sink.markEventStart();
                }
            }
            for (int i = 0; i < sink.size(); i++) {
                assertThat(sink.entry(i).transactionId()).as("entry %d's id", i).isEqualTo(ids.get(i));
                CharSequence id = sink.transactionId(i);
                assertThat(id == null ? null : id.toString()).isEqualTo(ids.get(i));
                OutcomeCodec.writeEntry(fromSink.reset(), sink, i);
                OutcomeCodec.writeEntry(fromObjects.reset(), sink.entry(i));
                assertThat(bytes(fromSink)).isEqualTo(bytes(fromObjects));
            }
            RuleError error = r.nextInt(4) == 0 ? new RuleError(409, "conflict", text(r) + " ü") : null;
            String customer = r.nextBoolean() ? "c-" + n : "kundé-" + n;
            long seq = r.nextLong(1, 1L << 50);
            int from = error == null ? sink.eventStart() : sink.size();
            OutcomeCodec.writeOutcome(fromSink.reset(), seq, customer, error, sink, from);
            OutcomeCodec.writeOutcome(fromObjects.reset(), new EventOutcome(seq, customer, error,
                    error == null ? List.copyOf(sink.entries(sink.eventStart())) : List.of()));
            assertThat(bytes(fromSink)).as("outcome %d", n).isEqualTo(bytes(fromObjects));
        }
    }

    private static AsciiChars view(AsciiChars view, String s) {
        byte[] b = view.room(s.length());
        for (int i = 0; i < s.length(); i++) {
            b[i] = (byte) s.charAt(i);
        }
        view.length(s.length());
        return view;
    }

    private static String text(SplittableRandom r) {
        return TEXT[r.nextInt(TEXT.length)];
    }

    private static byte[] bytes(BinaryWriter w) {
        return java.util.Arrays.copyOf(w.buffer(), w.length());
    }
}
