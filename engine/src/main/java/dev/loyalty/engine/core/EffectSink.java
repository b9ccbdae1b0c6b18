package dev.loyalty.engine.core;

import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ledger entries made by {@link CoreRules}, as reusable primitive columns: the processor clears it per batch
 * (or per event) and copies what it needs into its derived log, so applying an event allocates no entry
 * objects. Strings are references to the event's own (action, transaction id, reason) or to configuration
 * names, never copies; transaction ids are copied as chars into one pool (the event's may be a reusable view of
 * the journal bytes, a due acceptance's the row's chars: neither makes a string). Owned by the partition thread.
 */
public final class EffectSink {

    private static final LedgerKind[] KINDS = LedgerKind.values();

    private int size;
    private int eventStart;
    private long[] id = new long[16];
    private long[] seq = new long[16];
    private long[] atMs = new long[16];
    private long[] points = new long[16];
    private byte[] kind = new byte[16];
    private String[] action = new String[16];
    private String[] account = new String[16];
    /** Transaction ids: where each entry's chars start in {@link #idChars}, and how many (-1: none). */
    private int[] idStart = new int[16];
    private int[] idLength = new int[16];
    private char[] idChars = new char[256];
    private int idEnd;
    /** {@link #transactionId(int)}'s view, re-pointed per call. */
    private final CharsView idView = new CharsView();
    private String[] reason = new String[16];

    /** Forgets every entry (keeps the arrays). */
    public void clear() {
        Arrays.fill(action, 0, size, null);
        Arrays.fill(reason, 0, size, null);
        idEnd = 0;
        size = 0;
        eventStart = 0;
    }

    public int size() {
        return size;
    }

    /**
     * Index of the first entry of the last applied event's own effects: entries before it (back to where that
     * call started) are due work that ran before the event.
     */
    public int eventStart() {
        return eventStart;
    }

    void markEventStart() {
        eventStart = size;
    }

    void add(long entryId, long entrySeq, long entryAtMs, String entryAction, String entryAccount,
             LedgerKind entryKind, long entryPoints, CharSequence txn, String entryReason) {
        if (size == id.length) {
            grow();
        }
        id[size] = entryId;
        seq[size] = entrySeq;
        atMs[size] = entryAtMs;
        action[size] = entryAction;
        account[size] = entryAccount;
        kind[size] = (byte) entryKind.ordinal();
        points[size] = entryPoints;
        if (txn == null) {
            idLength[size] = -1;
        } else {
            idChars = CharArrays.append(idChars, idEnd, txn);
            idStart[size] = idEnd;
            idLength[size] = txn.length();
            idEnd += txn.length();
        }
        reason[size] = entryReason;
        size++;
    }

    public long id(int i) {
        return id[i];
    }

    public long seq(int i) {
        return seq[i];
    }

    public long atMs(int i) {
        return atMs[i];
    }

    public String action(int i) {
        return action[i];
    }

    public String account(int i) {
        return account[i];
    }

    public LedgerKind kind(int i) {
        return KINDS[kind[i]];
    }

    public long points(int i) {
        return points[i];
    }

    /**
     * The i-th entry's transaction id, or null: a view of the sink's chars, valid until the next call of this method
     * or change of the sink (read it at once, or keep its {@code toString()}).
     */
    public CharSequence transactionId(int i) {
        if (idLength[i] < 0) {
            return null;
        }
        return idView.set(idChars, idStart[i], idLength[i]);
    }

    public String reason(int i) {
        return reason[i];
    }

    /** The i-th entry as a value (allocates: for answers and tests, not the hot path). */
    public LedgerEntry entry(int i) {
        return new LedgerEntry(id[i], seq[i], atMs[i], action[i], account[i], kind(i), points[i],
                idLength[i] < 0 ? null : new String(idChars, idStart[i], idLength[i]), reason[i]);
    }

    /** Entries from {@code from} (inclusive) to the end, as values. */
    public List<LedgerEntry> entries(int from) {
        List<LedgerEntry> list = new ArrayList<>(size - from);
        for (int i = from; i < size; i++) {
            list.add(entry(i));
        }
        return list;
    }

    private void grow() {
        int n = id.length * 2;
        id = Arrays.copyOf(id, n);
        seq = Arrays.copyOf(seq, n);
        atMs = Arrays.copyOf(atMs, n);
        points = Arrays.copyOf(points, n);
        kind = Arrays.copyOf(kind, n);
        action = Arrays.copyOf(action, n);
        account = Arrays.copyOf(account, n);
        idStart = Arrays.copyOf(idStart, n);
        idLength = Arrays.copyOf(idLength, n);
        reason = Arrays.copyOf(reason, n);
    }
}
