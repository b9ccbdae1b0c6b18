package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.core.CharArrays;
import dev.loyalty.engine.core.CoreRules;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.EffectSink;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.RuleError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a synchronous answer says about one applied event (seq, error or effects, and the customer right after
 * it), as flat columns a waiter keeps and reuses ({@link OutcomeWaiter#facts}): the processor writes them where it
 * would build an {@link EventResult} (an outcome, its entries, a customer view, its map and account views), and
 * the event loop renders the answer from them. Strings are references to the sink's, the table's and the
 * configuration's (immutable); transaction ids are copied as chars. Written once per use by the processor thread,
 * read after the waiter's completion was handed over (a happens-before edge).
 */
public final class OutcomeFacts {

    /** Figures per account, in {@link AccountView}'s order. */
    public static final int FIGURES = 8;

    private long seq;
    private String customer;
    private RuleError error;

    private int effects;
    private long[] id = new long[4];
    private long[] entrySeq = new long[4];
    private long[] atMs = new long[4];
    private long[] points = new long[4];
    private LedgerKind[] kind = new LedgerKind[4];
    private String[] action = new String[4];
    private String[] account = new String[4];
    private String[] reason = new String[4];
    /** Transaction ids: where each entry's chars start in {@link #idChars}, and how many (-1: none). */
    private int[] idStart = new int[4];
    private int[] idLength = new int[4];
    private char[] idChars = new char[64];
    private int idEnd;

    private boolean hasView;
    private String viewId;
    private boolean active;
    private long optedInAtMs;
    private long lastActivityAtMs;
    private String tier;
    private long tierValidUntilMs;
    private long qualifyingPoints;
    private int accounts;
    private String[] accountNames = new String[2];
    private long[] figures = new long[2 * FIGURES];

    /** The outcome of the event of {@code seq} just applied: its error, else the sink's entries from the event's start. */
    void outcome(long eventSeq, String eventCustomer, RuleError eventError, EffectSink sink) {
        seq = eventSeq;
        customer = eventCustomer;
        error = eventError;
        Arrays.fill(action, 0, effects, null); // let go of the last use's strings
        Arrays.fill(reason, 0, effects, null);
        effects = 0;
        idEnd = 0;
        if (eventError != null) {
            return;
        }
        for (int i = sink.eventStart(), n = sink.size(); i < n; i++) {
            addEffect(sink, i);
        }
    }

    private void addEffect(EffectSink sink, int i) {
        if (effects == id.length) {
            grow();
        }
        int e = effects++;
        id[e] = sink.id(i);
        entrySeq[e] = sink.seq(i);
        atMs[e] = sink.atMs(i);
        points[e] = sink.points(i);
        kind[e] = sink.kind(i);
        action[e] = sink.action(i);
        account[e] = sink.account(i);
        reason[e] = sink.reason(i);
        CharSequence txn = sink.transactionId(i);
        if (txn == null) {
            idLength[e] = -1;
            return;
        }
        idChars = CharArrays.append(idChars, idEnd, txn);
        idStart[e] = idEnd;
        idLength[e] = txn.length();
        idEnd += txn.length();
    }

    /** The customer of {@code slot} as {@link CoreRules#view} shows it at {@code clockMs}; none when it does not exist. */
    void view(CoreRules rules, int slot, long clockMs) {
        CustomerTable table = rules.table();
        hasView = table.exists(slot);
        if (!hasView) {
            viewId = null;
            tier = null;
            return;
        }
        viewId = table.id(slot);
        active = table.active(slot);
        optedInAtMs = table.optedInAtMs(slot);
        lastActivityAtMs = table.lastActivityAtMs(slot);
        tier = rules.tierName(table.tierIndex(slot));
        tierValidUntilMs = table.tierValidUntilMs(slot);
        qualifyingPoints = rules.qualifyingPoints(slot, clockMs);
        accounts = rules.accountCount();
        if (accountNames.length < accounts) {
            accountNames = new String[accounts];
            figures = new long[accounts * FIGURES];
        }
        for (int a = 0; a < accounts; a++) {
            accountNames[a] = rules.accountName(a);
            int f = a * FIGURES;
            figures[f] = table.balance(slot, a);
            figures[f + 1] = table.spendable(slot, a);
            figures[f + 2] = table.counter(slot, a, CustomerTable.RESERVED);
            figures[f + 3] = table.counter(slot, a, CustomerTable.PENDING);
            figures[f + 4] = table.counter(slot, a, CustomerTable.EARNED);
            figures[f + 5] = table.counter(slot, a, CustomerTable.SPENT);
            figures[f + 6] = table.counter(slot, a, CustomerTable.EXPIRED);
            figures[f + 7] = table.counter(slot, a, CustomerTable.DEDUCTED);
        }
    }

    private void grow() {
        int n = id.length * 2;
        id = Arrays.copyOf(id, n);
        entrySeq = Arrays.copyOf(entrySeq, n);
        atMs = Arrays.copyOf(atMs, n);
        points = Arrays.copyOf(points, n);
        kind = Arrays.copyOf(kind, n);
        action = Arrays.copyOf(action, n);
        account = Arrays.copyOf(account, n);
        reason = Arrays.copyOf(reason, n);
        idStart = Arrays.copyOf(idStart, n);
        idLength = Arrays.copyOf(idLength, n);
    }

    public long seq() {
        return seq;
    }

    /** The rejection, or null when applied. */
    public RuleError error() {
        return error;
    }

    /** HTTP status a synchronous request for this event answers ({@link EventOutcome#httpStatus}). */
    public int httpStatus() {
        return error == null ? 200 : error.status();
    }

    /** Ledger entries the event caused (none when rejected). */
    public int effects() {
        return effects;
    }

    public long effectId(int i) {
        return id[i];
    }

    public long effectSeq(int i) {
        return entrySeq[i];
    }

    public long effectAtMs(int i) {
        return atMs[i];
    }

    public String effectAction(int i) {
        return action[i];
    }

    public String effectAccount(int i) {
        return account[i];
    }

    public LedgerKind effectKind(int i) {
        return kind[i];
    }

    public long effectPoints(int i) {
        return points[i];
    }

    /** The i-th entry's transaction id chars: {@link #transactionIdChars} from this start, or -1 when none. */
    public int transactionIdStart(int i) {
        return idLength[i] < 0 ? -1 : idStart[i];
    }

    public int transactionIdLength(int i) {
        return idLength[i];
    }

    public char[] transactionIdChars() {
        return idChars;
    }

    public String effectReason(int i) {
        return reason[i];
    }

    /** Whether the customer existed right after the event (else the answer's customer is null). */
    public boolean hasCustomer() {
        return hasView;
    }

    public String customerId() {
        return viewId;
    }

    public boolean active() {
        return active;
    }

    public long optedInAtMs() {
        return optedInAtMs;
    }

    /** {@link CustomerView#NONE} when null. */
    public long lastActivityAtMs() {
        return lastActivityAtMs;
    }

    public String tier() {
        return tier;
    }

    /** {@link CustomerView#NONE} when null. */
    public long tierValidUntilMs() {
        return tierValidUntilMs;
    }

    public long qualifyingPoints() {
        return qualifyingPoints;
    }

    /** Accounts of the customer, in configuration order. */
    public int accounts() {
        return accounts;
    }

    public String accountName(int a) {
        return accountNames[a];
    }

    /** Figure {@code f} (0 balance .. 7 deducted, {@link AccountView}'s order) of account {@code a}. */
    public long figure(int a, int f) {
        return figures[a * FIGURES + f];
    }

    /** The same facts as objects (for waiters chained to this one, and tests): allocates. */
    public EventResult toResult() {
        List<LedgerEntry> entries = new ArrayList<>(effects);
        for (int i = 0; i < effects; i++) {
            entries.add(new LedgerEntry(id[i], entrySeq[i], atMs[i], action[i], account[i], kind[i], points[i],
                    idLength[i] < 0 ? null : new String(idChars, idStart[i], idLength[i]), reason[i]));
        }
        EventOutcome outcome = new EventOutcome(seq, customer, error, List.copyOf(entries));
        if (!hasView) {
            return new EventResult(outcome, null);
        }
        Map<String, AccountView> views = new LinkedHashMap<>();
        for (int a = 0; a < accounts; a++) {
            views.put(accountNames[a], new AccountView(figure(a, 0), figure(a, 1), figure(a, 2), figure(a, 3),
                    figure(a, 4), figure(a, 5), figure(a, 6), figure(a, 7)));
        }
        return new EventResult(outcome, new CustomerView(viewId, active, optedInAtMs, lastActivityAtMs, tier,
                tierValidUntilMs, qualifyingPoints, Collections.unmodifiableMap(views)));
    }
}
