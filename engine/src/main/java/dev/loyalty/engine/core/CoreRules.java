package dev.loyalty.engine.core;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.config.RulesConfig.CustomAction;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.ApplyContext;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.Expiry;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.rules.ExpiryDayVisitor;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.ProfileMerge;
import dev.loyalty.engine.rules.RuleError;

import java.math.BigInteger;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loyalty rules of today's {@code rules.Rules}, outcome for outcome and entry for entry, on the compact
 * state of a {@link CustomerTable}: long arithmetic, primitive lots, a running qualifying sum, ledger entries
 * into an {@link EffectSink}. The common actions allocate nothing per event (an opt_in of a new customer takes
 * a row; arrays grow amortised); rejections allocate their {@link RuleError}, profile merges allocate JSON.
 * One instance per rules configuration and table; called by the partition thread only.
 *
 * <p>The readings of the spec are today's rules' (see {@code rules.Rules}); this class adds none.
 */
public final class CoreRules {


    private static final String OPT_IN = "opt_in";
    private static final String OPT_OUT = "opt_out";
    private static final String PROFILE = "profile";
    private static final String AUTO_ACCEPT = "auto_accept";
    private static final String EXPIRY = "expiry";

    private static final int WORK_NONE = 0;
    private static final int WORK_ACCEPT = 1;
    private static final int WORK_EXPIRE = 2;
    private static final int WORK_REVIEW = 3;

    private final RulesConfig config;
    private final CustomerTable table;
    private final TransactionArchive archive;
    /** Profile attribute merges without a JSON tree per event (scratch arrays of this thread). */
    private final ProfileMerge profiles = new ProfileMerge();
    /** A row's transaction id for an entry, without a string (the sink copies its chars at once). */
    private final CharsView rowId = new CharsView();
    private final int accounts;
    private final String[] accountNames;
    private final AccountRules[] accountRules;
    private final int defaultAccount;
    private final int qualifyingAccount;
    private final long[] thresholds;
    private final String[] tierNames;
    private final EarnRates rates;
    private final int windowDays;
    private final int validityDays;
    private final int pendingDays;
    private final Set<String> activityActions;
    private final CustomAction[] customActions;

    /** Scratch part lists of the partition thread. */
    private final PartBuffer parts = new PartBuffer();
    private final PartBuffer taken = new PartBuffer();
    private final PartBuffer rest = new PartBuffer();
    private final InstantWork instant = new InstantWork();
    private final CoreExpiring expiringLots = new CoreExpiring();
    /** Lot changes of the current call under per-lot expiry policies (the incremental /stats forecast). */
    private final ExpiryDeltas lotDeltas = new ExpiryDeltas();
    private final PartBuffer consumed = new PartBuffer();
    /** The view {@link #apply(int, Event, ApplyContext, EffectSink)} puts an event behind. */
    private final EventInput eventInput = new EventInput();
    /** Per account: its lots' expiry depends on each lot alone (rolling, calendar), not on the customer. */
    private final boolean[] perLotExpiry;
    private final int[] groupLength;

    /** The winner of the last due-work selection (one selection at a time: single thread). */
    private long dueMs;
    private long dueOrder;
    private int dueKind;
    private int dueAccount;
    private int dueIndex;

    public CoreRules(RulesConfig config, CustomerTable table, TransactionArchive archive) {
        if (table.accounts() != config.accounts().size()) {
            throw new IllegalArgumentException("table has " + table.accounts() + " accounts, rules configure "
                    + config.accounts().size());
        }
        if (config.customActions().size() > Long.SIZE) {
            throw new IllegalArgumentException("more than 64 custom actions");
        }
        this.config = config;
        this.table = table;
        this.archive = archive;
        this.accounts = config.accounts().size();
        this.accountNames = new String[accounts];
        this.accountRules = new AccountRules[accounts];
        for (int i = 0; i < accounts; i++) {
            accountRules[i] = config.accounts().get(i);
            accountNames[i] = accountRules[i].name();
        }
        this.defaultAccount = Math.max(0, config.accountIndex(config.defaultAccount()));
        this.qualifyingAccount = config.accountIndex(config.tiers().qualifyingAccount());
        List<RulesConfig.Tier> levels = config.tiers().levels();
        this.thresholds = new long[levels.size()];
        this.tierNames = new String[levels.size()];
        for (int i = 0; i < levels.size(); i++) {
            thresholds[i] = levels.get(i).threshold();
            tierNames[i] = levels.get(i).name();
        }
        this.rates = new EarnRates(config);
        this.windowDays = config.tiers().windowDays();
        this.validityDays = config.tiers().validityDays();
        this.pendingDays = config.pendingDays();
        this.activityActions = new HashSet<>(config.activityActions());
        this.customActions = config.customActions().toArray(new CustomAction[0]);
        this.groupLength = new int[accounts];
        this.perLotExpiry = new boolean[accounts];
        for (int i = 0; i < accounts; i++) {
            ExpiryPolicy policy = accountRules[i].expiryPolicy();
            perLotExpiry[i] = policy == ExpiryPolicy.ROLLING || policy == ExpiryPolicy.CALENDAR;
        }
        // due times the table knows were computed under the rules before these (a journaled change)
        table.forgetAllDue();
    }

    public RulesConfig config() {
        return config;
    }

    public CustomerTable table() {
        return table;
    }

    /**
     * Applies one journaled event to the customer of that slot (a blank row if unknown), as
     * {@code Rules.apply} does: due work by the clock first (entries carry {@code ctx.seqWhenDue}), then the
     * event, then work it made overdue (entries carry the event's seq). Every entry goes to {@code sink}; the
     * event's effects are those added after the due work that ran first. Returns null when applied, else the
     * rejection (nothing changed but the due work that ran before).
     */
    public RuleError apply(int slot, Event event, ApplyContext ctx, EffectSink sink) {
        return apply(slot, eventInput.of(event), ctx, sink);
    }

    /** As {@link #apply(int, Event, ApplyContext, EffectSink)}, reading the event through a reusable view. */
    public RuleError apply(int slot, RuleInput event, ApplyContext ctx, EffectSink sink) {
        lotDeltas.clear();
        long clockMs = ctx.clockMs();
        // Known from the last call for this customer, usually: no walk of its lots and transactions (the first
        // touch of a customer's objects, each a cache miss on a large table) just to find nothing is due.
        long next = nextDueMs(slot);
        table.forgetDue(slot);
        runDueWork(slot, next, clockMs, ctx, 0, sink);
        sink.markEventStart();
        long seq = ctx.seq();
        RuleError error = run(slot, event, seq, event.eventTimeMs(ctx.ingestTimeMs()), clockMs, sink);
        if (error != null) {
            return error;
        }
        table.markDirty(slot);
        // The due time the last check computed is the customer's as it is left (what follows touches no input
        // of nextDueMs): the processor's questions right after, and the commit's, need not compute it again.
        table.knownDueMs(slot, runDueWork(slot, computeNextDueMs(slot), clockMs, null, seq, sink));
        QualifyingWindow q = table.qualifyingOrNull(slot);
        if (q != null) {
            q.pruneBefore(Expiry.plusDays(clockMs, -(long) windowDays));
        }
        return null;
    }

    /** Runs the customer's work due by {@code ctx.clockMs()}, its entries carrying {@code ctx.seqWhenDue}. */
    public void runDue(int slot, ApplyContext ctx, EffectSink sink) {
        lotDeltas.clear();
        long next = nextDueMs(slot);
        table.forgetDue(slot);
        table.knownDueMs(slot, runDueWork(slot, next, ctx.clockMs(), ctx, 0, sink));
    }

    /**
     * Earliest due time of the customer's pending work, or {@link Long#MAX_VALUE}: asked before and after every
     * event and at every write of its row, so the table keeps it per slot from one ask to the next (see
     * {@link CustomerTable#dueKnown}); computed in O(accounts) when the customer changed since.
     */
    public long nextDueMs(int slot) {
        if (table.dueKnown(slot)) {
            return table.knownDueMs(slot);
        }
        long next = computeNextDueMs(slot);
        table.knownDueMs(slot, next);
        return next;
    }

    /**
     * Computes {@link #nextDueMs}: O(accounts) (the transactions keep their earliest pending acceptance; a scan of
     * them was the top CPU item).
     */
    private long computeNextDueMs(int slot) {
        Transactions t = table.transactionsOrNull(slot);
        long next = t == null ? Long.MAX_VALUE : t.earliestPendingDueMs();
        long lastActivity = table.lastActivityAtMs(slot);
        for (int a = 0; a < accounts; a++) {
            LotList lots = table.lotsOrNull(slot, a);
            if (lots != null && !lots.isEmpty()) {
                next = Math.min(next, Expiry.expiryMs(accountRules[a], lots.eventTimeMs(0), lastActivity));
            }
        }
        long tierValid = table.tierValidUntilMs(slot);
        if (tierValid != CustomerTable.NONE) {
            next = Math.min(next, tierValid);
        }
        return next;
    }

    /** The API view of the customer at that clock (allocates: for answers). */
    public CustomerView view(int slot, long clockMs) {
        Map<String, AccountView> views = new LinkedHashMap<>();
        for (int a = 0; a < accounts; a++) {
            views.put(accountNames[a], new AccountView(table.balance(slot, a), table.spendable(slot, a),
                    table.counter(slot, a, CustomerTable.RESERVED), table.counter(slot, a, CustomerTable.PENDING),
                    table.counter(slot, a, CustomerTable.EARNED), table.counter(slot, a, CustomerTable.SPENT),
                    table.counter(slot, a, CustomerTable.EXPIRED), table.counter(slot, a, CustomerTable.DEDUCTED)));
        }
        return new CustomerView(table.id(slot), table.active(slot), table.optedInAtMs(slot),
                table.lastActivityAtMs(slot), tierName(table.tierIndex(slot)), table.tierValidUntilMs(slot),
                qualifyingPoints(slot, clockMs), Collections.unmodifiableMap(views));
    }

    /** Configured accounts ({@link #view}'s order). */
    public int accountCount() {
        return accounts;
    }

    /** Name of the configured account at that index. */
    public String accountName(int account) {
        return accountNames[account];
    }

    /**
     * Per configured account (in configuration order), up to {@code max} instants at which its lots expire under
     * the policy in force, with their points, soonest first (api.md, "Expiring points"); allocates: answers.
     */
    public Map<String, List<ExpiringPoints>> expiring(int slot, int max) {
        Map<String, List<ExpiringPoints>> out = new LinkedHashMap<>();
        for (int a = 0; a < accounts; a++) {
            out.put(accountNames[a], List.copyOf(expiringLots.instants(accountRules[a], table.lotsOrNull(slot, a),
                    table.lastActivityAtMs(slot), max)));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Visits the customer's expiring lot points per account and UTC day of expiry (the /stats forecast):
     * O(lots), for recounts.
     */
    public void forEachExpiryDay(int slot, ExpiryDayVisitor visitor) {
        long lastActivity = table.lastActivityAtMs(slot);
        for (int a = 0; a < accounts; a++) {
            expiringLots.visitDays(a, accountRules[a], table.lotsOrNull(slot, a), lastActivity, visitor);
        }
    }

    /**
     * As {@link #forEachExpiryDay} for the accounts whose lots all expire together (last_activity policy),
     * O(accounts): their day moves with the customer, so statistics diff it before and after a call. The other
     * accounts' changes are in {@link #lotExpiryDeltas()}.
     */
    public void forEachCustomerExpiryDay(int slot, ExpiryDayVisitor visitor) {
        long lastActivity = table.lastActivityAtMs(slot);
        for (int a = 0; a < accounts; a++) {
            if (!perLotExpiry[a]) {
                expiringLots.visitDays(a, accountRules[a], table.lotsOrNull(slot, a), lastActivity, visitor);
            }
        }
    }

    /**
     * The lot changes the last {@link #apply} or {@link #runDue} made under rolling and calendar policies, per
     * account and expiry day (emptied at the start of each of those calls).
     */
    public ExpiryDeltas lotExpiryDeltas() {
        return lotDeltas;
    }

    /** Records a lot change of an account whose lots expire each on their own day. */
    private void lotDelta(int account, long eventTimeMs, long points) {
        if (!perLotExpiry[account]) {
            return;
        }
        long at = Expiry.expiryMs(accountRules[account], eventTimeMs, Long.MIN_VALUE);
        if (at != Long.MAX_VALUE) {
            lotDeltas.add(account, Math.floorDiv(at, Expiry.DAY_MS), points);
        }
    }

    /** True when every lot expires at the same instant under both rules (same accounts, same policies). */
    public boolean sameExpiry(CoreRules other) {
        return config.accounts().equals(other.config.accounts());
    }

    /** Qualifying points as of that instant. */
    public long qualifyingPoints(int slot, long asOfMs) {
        QualifyingWindow q = table.qualifyingOrNull(slot);
        return q == null ? 0 : q.sumFrom(Expiry.plusDays(asOfMs, -(long) windowDays));
    }

    /** Name of the tier at that index of the ladder (the top one if the ladder has shrunk since). */
    public String tierName(int tierIndex) {
        return tierNames[Math.max(0, Math.min(tierIndex, tierNames.length - 1))];
    }

    // ---------------------------------------------------------------- time-driven work

    /**
     * Runs work due by the clock, earliest (due time, journal order) first, as today's rules order it. Entries
     * carry {@code ctx.seqWhenDue(due)} when ctx is given, else {@code seq}. {@code next} is the customer's next
     * due time as it is now; returns it as the work leaves the customer.
     */
    private long runDueWork(int slot, long next, long clockMs, ApplyContext ctx, long seq, EffectSink sink) {
        for (; next <= clockMs; next = computeNextDueMs(slot)) {
            if (!acceptDueAt(slot, next)) {
                table.markDirty(slot);
                runExpiriesAndReview(slot, next, ctx != null ? ctx.seqWhenDue(next) : seq, sink);
                continue;
            }
            // an acceptance credits a lot that may expire at once, before the rest of this instant's work:
            // one item at a time, exactly as today's rules select them
            selectDue(slot);
            if (dueKind == WORK_NONE || dueMs > clockMs) {
                return next;
            }
            table.markDirty(slot);
            long at = dueMs;
            long entrySeq = ctx != null ? ctx.seqWhenDue(at) : seq;
            switch (dueKind) {
                case WORK_ACCEPT: {
                    Transactions t = table.transactions(slot);
                    int row = dueIndex;
                    long points = accept(slot, t, row);
                    entry(slot, sink, entrySeq, at, AUTO_ACCEPT, t.account(row), LedgerKind.ACCEPT, points,
                            t.transactionIdChars(row, rowId), null);
                    break;
                }
                case WORK_EXPIRE: {
                    LotList lots = table.lots(slot, dueAccount);
                    long lotTimeMs = lots.eventTimeMs(dueIndex);
                    long points = lots.removeAt(dueIndex);
                    lotDelta(dueAccount, lotTimeMs, -points);
                    table.add(slot, dueAccount, CustomerTable.EXPIRED, points);
                    entry(slot, sink, entrySeq, at, EXPIRY, dueAccount, LedgerKind.EXPIRE, points, null, null);
                    break;
                }
                case WORK_REVIEW:
                    review(slot, at);
                    break;
                default:
                    throw new IllegalStateException("unknown work " + dueKind);
            }
        }
        return next;
    }

    private boolean acceptDueAt(int slot, long atMs) {
        Transactions t = table.transactionsOrNull(slot);
        for (int i = 0; t != null && i < t.pendingCount(); i++) {
            if (t.acceptDueMs(t.pendingRow(i)) == atMs) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs the work of an instant with no acceptance due: every lot group expiring then and the tier review, in
     * journal order (the order today's one-by-one selection gives, ties to the account scanned first). None of
     * it creates work at the same instant (a review's validity ends later), so the groups go as a whole.
     */
    private void runExpiriesAndReview(int slot, long atMs, long entrySeq, EffectSink sink) {
        instant.clear();
        long lastActivity = table.lastActivityAtMs(slot);
        for (int a = 0; a < accounts; a++) {
            LotList lots = table.lotsOrNull(slot, a);
            int group = 0;
            while (lots != null && group < lots.size()
                    && Expiry.expiryMs(accountRules[a], lots.eventTimeMs(group), lastActivity) == atMs) {
                instant.add(lots.order(group), InstantWork.EXPIRE, a, group);
                group++;
            }
            groupLength[a] = group;
        }
        if (table.tierValidUntilMs(slot) == atMs) {
            instant.add(table.tierOrder(slot), InstantWork.REVIEW, 0, 0);
        }
        while (!instant.isEmpty()) {
            int item = instant.poll();
            if (instant.kind(item) == InstantWork.REVIEW) {
                review(slot, atMs);
            } else {
                int a = instant.account(item);
                long points = table.lots(slot, a).points(instant.index(item));
                table.add(slot, a, CustomerTable.EXPIRED, points);
                entry(slot, sink, entrySeq, atMs, EXPIRY, a, LedgerKind.EXPIRE, points, null, null);
            }
        }
        for (int a = 0; a < accounts; a++) {
            if (groupLength[a] > 0) {
                LotList lots = table.lots(slot, a);
                for (int i = 0; i < groupLength[a]; i++) {
                    lotDelta(a, lots.eventTimeMs(i), -lots.points(i));
                }
                lots.removeFirst(groupLength[a]);
            }
        }
    }

    /** Finds the earliest due item by (due time, journal order), ties to the first found, as today. */
    private void selectDue(int slot) {
        dueMs = Long.MAX_VALUE;
        dueOrder = Long.MAX_VALUE;
        dueKind = WORK_NONE;
        Transactions t = table.transactionsOrNull(slot);
        if (t != null) {
            for (int i = 0; i < t.pendingCount(); i++) {
                int row = t.pendingRow(i);
                if (before(t.acceptDueMs(row), t.order(row))) {
                    dueMs = t.acceptDueMs(row);
                    dueOrder = t.order(row);
                    dueKind = WORK_ACCEPT;
                    dueIndex = row;
                }
            }
        }
        long lastActivity = table.lastActivityAtMs(slot);
        for (int a = 0; a < accounts; a++) {
            LotList lots = table.lotsOrNull(slot, a);
            if (lots == null || lots.isEmpty()) {
                continue;
            }
            AccountRules rules = accountRules[a];
            long first = Expiry.expiryMs(rules, lots.eventTimeMs(0), lastActivity);
            if (first == Long.MAX_VALUE || first > dueMs) {
                continue;
            }
            // the lots expiring first form a prefix; among them the earliest journal order goes first
            for (int i = 0; i < lots.size(); i++) {
                if (i > 0 && Expiry.expiryMs(rules, lots.eventTimeMs(i), lastActivity) != first) {
                    break;
                }
                if (before(first, lots.order(i))) {
                    dueMs = first;
                    dueOrder = lots.order(i);
                    dueKind = WORK_EXPIRE;
                    dueAccount = a;
                    dueIndex = i;
                }
            }
        }
        long tierValid = table.tierValidUntilMs(slot);
        if (tierValid != CustomerTable.NONE && before(tierValid, table.tierOrder(slot))) {
            dueMs = tierValid;
            dueOrder = table.tierOrder(slot);
            dueKind = WORK_REVIEW;
        }
    }

    private boolean before(long otherDueMs, long otherOrder) {
        return otherDueMs < dueMs || (otherDueMs == dueMs && otherOrder < dueOrder);
    }

    private void review(int slot, long atMs) {
        int tier = tierFor(qualifyingPoints(slot, atMs));
        table.tierIndex(slot, tier);
        if (tier > 0 && validityDays > 0) {
            table.tierValidUntilMs(slot, Expiry.plusDays(atMs, validityDays));
            table.tierOrder(slot, table.takeOrder(slot));
        } else {
            table.tierValidUntilMs(slot, CustomerTable.NONE);
        }
    }

    private void maybeUpgrade(int slot, long clockMs) {
        int tier = tierFor(qualifyingPoints(slot, clockMs));
        if (tier > table.tierIndex(slot)) {
            table.tierIndex(slot, tier);
            if (validityDays > 0) {
                table.tierValidUntilMs(slot, Expiry.plusDays(clockMs, validityDays));
                table.tierOrder(slot, table.takeOrder(slot));
            } else {
                table.tierValidUntilMs(slot, CustomerTable.NONE);
            }
        }
    }

    private int tierFor(long qualifyingPoints) {
        int tier = 0;
        for (int i = 0; i < thresholds.length; i++) {
            if (qualifyingPoints >= thresholds[i]) {
                tier = i;
            }
        }
        return tier;
    }

    /** Moves a pending checkout's remaining points into a lot; returns them. */
    private long accept(int slot, Transactions t, int row) {
        int account = t.account(row);
        long points = t.points(row) - t.reversed(row);
        table.add(slot, account, CustomerTable.PENDING, -points);
        table.add(slot, account, CustomerTable.EARNED, points);
        credit(slot, account, t.eventTimeMs(row), table.takeOrder(slot), points);
        t.status(row, Transactions.ACCEPTED);
        return points;
    }

    // ---------------------------------------------------------------- point movements

    /** Credits points as a lot: the debt is paid off first, the rest joins the lots. */
    private void credit(int slot, int account, long eventTimeMs, long order, long points) {
        long debt = table.counter(slot, account, CustomerTable.DEBT);
        long pay = Math.min(debt, points);
        table.counter(slot, account, CustomerTable.DEBT, debt - pay);
        long left = points - pay;
        if (left > 0) {
            table.lots(slot, account).insert(eventTimeMs, order, left);
            lotDelta(account, eventTimeMs, left);
        }
    }

    /** Credits given-back parts earliest expiry first (sorting and merging the buffer). */
    private void creditParts(int slot, int account, PartBuffer given) {
        given.sortAndMerge();
        for (int i = 0; i < given.size; i++) {
            credit(slot, account, given.eventTimeMs[i], given.order[i], given.points[i]);
        }
    }

    private void earn(int slot, int account, long points, long eventTimeMs, long order) {
        table.add(slot, account, CustomerTable.EARNED, points);
        credit(slot, account, eventTimeMs, order, points);
    }

    /** Deducts points: lots first, the shortfall becomes debt. */
    private void deduct(int slot, int account, long points) {
        long fromLots = Math.min(points, table.lotPoints(slot, account));
        if (fromLots > 0) {
            consumed.clear();
            table.lots(slot, account).take(fromLots, consumed);
            recordTaken(account, consumed, 0);
        }
        table.add(slot, account, CustomerTable.DEBT, points - fromLots);
        table.add(slot, account, CustomerTable.DEDUCTED, points);
    }

    /** Takes points from the lots into {@code into} (the caller checked they are spendable). */
    private void takeFromLots(int slot, int account, long points, PartBuffer into) {
        if (points <= 0) {
            return;
        }
        PartBuffer parts = into;
        if (parts == null) {
            parts = consumed;
            parts.clear();
        }
        int from = parts.size;
        if (table.lots(slot, account).take(points, parts) != points) {
            throw new IllegalStateException("took more than the lots hold");
        }
        recordTaken(account, parts, from);
    }

    /** Records the parts from index {@code from} on, just taken from the account's lots, as lot changes. */
    private void recordTaken(int account, PartBuffer parts, int from) {
        for (int i = from; i < parts.size; i++) {
            lotDelta(account, parts.eventTimeMs[i], -parts.points[i]);
        }
    }

    private void entry(int slot, EffectSink sink, long seq, long atMs, String action, int account,
                       LedgerKind kind, long points, CharSequence transactionId, String reason) {
        if (points <= 0) {
            return;
        }
        long id = table.nextEntryId(slot);
        table.nextEntryId(slot, id + 1);
        sink.add(id, seq, atMs, action, accountNames[account], kind, points, transactionId, reason);
    }

    // ---------------------------------------------------------------- the event itself

    private RuleError run(int slot, RuleInput e, long seq, long eventTimeMs, long clockMs, EffectSink sink) {
        String action = e.action();
        boolean exists = table.exists(slot);
        if (!exists && !OPT_IN.equals(action)) {
            return RuleError.notFound(e.customer());
        }
        if (exists && !table.activeFlag(slot) && !OPT_IN.equals(action) && !PROFILE.equals(action)) {
            return RuleError.conflict("customer_opted_out", "customer '" + table.id(slot) + "' has opted out");
        }
        CustomAction custom = null;
        RuleError error;
        switch (action) {
            case OPT_IN:
                error = optIn(slot, e, eventTimeMs);
                break;
            case OPT_OUT:
                table.active(slot, false);
                error = null;
                break;
            case PROFILE:
                table.attributesJson(slot, profiles.merged(table.attributesJson(slot), e.attributesChars()));
                error = null;
                break;
            case "point_add":
                error = pointAdd(slot, e, seq, eventTimeMs, sink);
                break;
            case "point_sub":
                error = pointSub(slot, e, seq, eventTimeMs, sink);
                break;
            case "point_spend":
                error = pointSpend(slot, e, seq, eventTimeMs, sink);
                break;
            case "point_unspend":
                error = pointUnspend(slot, e, seq, eventTimeMs, sink);
                break;
            case "checkout":
                error = checkout(slot, e, seq, eventTimeMs, sink);
                break;
            case "checkout_accept":
                error = checkoutAccept(slot, e, seq, eventTimeMs, sink);
                break;
            case "checkout_reject":
                error = checkoutReject(slot, e, seq, eventTimeMs, sink);
                break;
            case "refund":
                error = refund(slot, e, seq, eventTimeMs, sink);
                break;
            case "partial_refund":
                error = partialRefund(slot, e, seq, eventTimeMs, sink);
                break;
            case "reserve_points":
                error = reservePoints(slot, e, seq, eventTimeMs, sink);
                break;
            case "release_points":
                error = releasePoints(slot, e, seq, eventTimeMs, sink);
                break;
            default:
                int index = customIndex(action);
                if (index < 0) {
                    return new RuleError(400, "unknown_action", "action '" + action + "' is not configured");
                }
                custom = customActions[index];
                error = custom(slot, e, seq, eventTimeMs, sink, index);
                break;
        }
        if (error != null) {
            return error;
        }
        if (activityActions.contains(action) || custom != null || customIndex(action) >= 0) {
            table.lastActivityAtMs(slot, Math.max(table.lastActivityAtMs(slot), eventTimeMs));
        }
        maybeUpgrade(slot, clockMs);
        return null;
    }

    private int customIndex(String action) {
        for (int i = 0; i < customActions.length; i++) {
            if (customActions[i].name().equals(action)) {
                return i;
            }
        }
        return -1;
    }

    private void entry(int slot, EffectSink sink, RuleInput e, long seq, long eventTimeMs, int account, LedgerKind kind,
                       long points, CharSequence transactionId) {
        entry(slot, sink, seq, eventTimeMs, e.action(), account, kind, points, transactionId, e.reason());
    }

    private RuleError optIn(int slot, RuleInput e, long eventTimeMs) {
        if (table.exists(slot) && table.activeFlag(slot)) {
            return RuleError.conflict("already_opted_in", "customer '" + table.id(slot) + "' is already opted in");
        }
        table.exists(slot, true);
        table.active(slot, true);
        table.optedInAtMs(slot, eventTimeMs);
        table.attributesJson(slot, profiles.merged(table.attributesJson(slot), e.attributesChars()));
        return null;
    }

    private RuleError pointAdd(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        int account = accountIndex(e.account());
        long points = positive(e.points());
        long order = table.takeOrder(slot);
        earn(slot, account, points, eventTimeMs, order);
        if (account == qualifyingAccount && points > 0) {
            table.qualifying(slot).add(eventTimeMs, order, points);
        }
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.EARN, points, e.transactionIdChars());
        return null;
    }

    private RuleError pointSub(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        int account = accountIndex(e.account());
        long points = positive(e.points());
        deduct(slot, account, points);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.DEDUCT, points, e.transactionIdChars());
        return null;
    }

    private RuleError pointSpend(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        int account = accountIndex(e.account());
        long points = positive(e.points());
        CharSequence txn = e.transactionIdChars();
        if (txn != null && find(slot, Transactions.SPEND, txn) >= 0) {
            return exists("spend", txn);
        }
        if (table.spendable(slot, account) < points) {
            return insufficient(slot, account, points);
        }
        parts.clear();
        takeFromLots(slot, account, points, txn == null ? null : parts);
        table.add(slot, account, CustomerTable.SPENT, points);
        if (txn != null) {
            Transactions t = table.transactions(slot);
            int row = t.add(Transactions.SPEND, Transactions.OPEN, txn, account, eventTimeMs, 0, 0, points, false,
                    Long.MAX_VALUE);
            t.setParts(row, parts);
        }
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.SPEND, points, txn);
        return null;
    }

    private RuleError pointUnspend(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        String txn = e.transactionId();
        int row = txn == null ? -1 : find(slot, Transactions.SPEND, txn);
        if (row < 0) {
            return notFound("spend", txn);
        }
        Transactions t = table.transactions(slot);
        if (t.status(row) == Transactions.CLOSED) {
            return RuleError.conflict("already_done", "spend '" + txn + "' was already given back");
        }
        int account = t.account(row);
        long points = t.points(row);
        table.add(slot, account, CustomerTable.SPENT, -points);
        parts.clear();
        t.copyParts(row, parts);
        creditParts(slot, account, parts);
        t.status(row, Transactions.CLOSED);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.UNSPEND, points, txn);
        return null;
    }

    private RuleError checkout(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        CharSequence txn = e.transactionIdChars();
        if (txn == null) {
            return notFound("checkout", null);
        }
        if (find(slot, Transactions.CHECKOUT, txn) >= 0) {
            return exists("checkout", txn);
        }
        int account = accountIndex(e.account());
        long burned = e.pointsBurned() == Event.ABSENT ? 0 : Math.max(0, e.pointsBurned());
        int reservation = find(slot, Transactions.RESERVATION, txn);
        Transactions t = table.transactionsOrNull(slot);
        boolean settle = reservation >= 0 && t.status(reservation) == Transactions.OPEN
                && t.account(reservation) == account;
        long reservedPoints = settle ? t.points(reservation) : 0;
        long fromReservation = settle ? Math.min(burned, reservedPoints) : 0;
        long fromLots = burned - fromReservation;
        if (fromLots > 0 && table.spendable(slot, account) < fromLots) {
            return insufficient(slot, account, fromLots);
        }
        long eligible = Math.max(0, e.eligibleCents());
        long points = rates.points(eligible, table.tierIndex(slot));

        taken.clear();
        long released = 0;
        if (settle) {
            parts.clear();
            t.copyParts(reservation, parts);
            split(parts, fromReservation, taken, rest);
            table.add(slot, account, CustomerTable.RESERVED, -reservedPoints);
            table.add(slot, account, CustomerTable.SPENT, fromReservation);
            released = reservedPoints - fromReservation;
            creditParts(slot, account, rest);
            t.status(reservation, Transactions.CLOSED);
        }
        if (fromLots > 0) {
            takeFromLots(slot, account, fromLots, taken);
            table.add(slot, account, CustomerTable.SPENT, fromLots);
        }
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.SPEND, burned, txn);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.RELEASE, released, txn);

        long order = table.takeOrder(slot);
        boolean qualifies = account == qualifyingAccount;
        taken.sortAndMerge();
        t = table.transactions(slot);
        int row;
        if (pendingDays > 0) {
            row = t.add(Transactions.CHECKOUT, Transactions.PENDING, txn, account, eventTimeMs, order, eligible, points,
                    qualifies, Expiry.plusDays(eventTimeMs, pendingDays));
            table.add(slot, account, CustomerTable.PENDING, points);
            entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.PENDING, points, txn);
        } else {
            row = t.add(Transactions.CHECKOUT, Transactions.ACCEPTED, txn, account, eventTimeMs, order, eligible,
                    points, qualifies, Long.MAX_VALUE);
            earn(slot, account, points, eventTimeMs, order);
            entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.EARN, points, txn);
        }
        t.setParts(row, taken);
        if (qualifies && points > 0) {
            table.qualifying(slot).add(eventTimeMs, order, points);
        }
        return null;
    }

    /** Splits sorted parts: the first {@code points} into {@code into}, the rest into {@code left}. */
    private static void split(PartBuffer from, long points, PartBuffer into, PartBuffer left) {
        from.sortAndMerge();
        left.clear();
        long toTake = points;
        for (int i = 0; i < from.size; i++) {
            long take = Math.min(toTake, from.points[i]);
            if (take > 0) {
                into.add(from.eventTimeMs[i], from.order[i], take);
                toTake -= take;
            }
            if (from.points[i] > take) {
                left.add(from.eventTimeMs[i], from.order[i], from.points[i] - take);
            }
        }
    }

    private RuleError checkoutAccept(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        int row = findCheckout(slot, e);
        if (row < 0) {
            return notFound("checkout", e.transactionId());
        }
        Transactions t = table.transactions(slot);
        if (t.status(row) != Transactions.PENDING) {
            return notPending(t, row);
        }
        long points = accept(slot, t, row);
        // the event's id: the row's chars equal it (found by them), and it needs no string of its own
        entry(slot, sink, e, seq, eventTimeMs, t.account(row), LedgerKind.ACCEPT, points, e.transactionIdChars());
        return null;
    }

    private RuleError checkoutReject(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        int row = findCheckout(slot, e);
        if (row < 0) {
            return notFound("checkout", e.transactionId());
        }
        Transactions t = table.transactions(slot);
        if (t.status(row) != Transactions.PENDING) {
            return notPending(t, row);
        }
        int account = t.account(row);
        long points = t.points(row) - t.reversed(row);
        table.add(slot, account, CustomerTable.PENDING, -points);
        reverse(slot, t, row, points);
        parts.clear();
        t.copyParts(row, parts);
        t.status(row, Transactions.REJECTED);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.REJECT, points, t.transactionIdChars(row, rowId));
        giveBackBurned(slot, e, seq, eventTimeMs, sink, account, t.transactionIdChars(row, rowId));
        return null;
    }

    private RuleError refund(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        int row = findCheckout(slot, e);
        if (row < 0) {
            return notFound("checkout", e.transactionId());
        }
        Transactions t = table.transactions(slot);
        byte status = t.status(row);
        if (status == Transactions.REJECTED || status == Transactions.REFUNDED) {
            return alreadyRefunded(t, row);
        }
        int account = t.account(row);
        long points = t.points(row) - t.reversed(row);
        reverseEarned(slot, t, row, points);
        t.refundedCents(row, t.eligibleCents(row));
        parts.clear();
        t.copyParts(row, parts);
        t.status(row, Transactions.REFUNDED);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.REFUND, points, t.transactionIdChars(row, rowId));
        giveBackBurned(slot, e, seq, eventTimeMs, sink, account, t.transactionIdChars(row, rowId));
        return null;
    }

    private RuleError partialRefund(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        int row = findCheckout(slot, e);
        if (row < 0) {
            return notFound("checkout", e.transactionId());
        }
        Transactions t = table.transactions(slot);
        byte status = t.status(row);
        if (status == Transactions.REJECTED || status == Transactions.REFUNDED) {
            return alreadyRefunded(t, row);
        }
        long amount = positive(e.amountCents());
        long refunded = t.refundedCents(row) + amount;
        long eligible = t.eligibleCents(row);
        if (refunded < 0 || refunded > eligible) {
            return RuleError.conflict("refund_exceeds_total", "refunds of checkout '" + t.transactionId(row)
                    + "' would exceed its eligible value");
        }
        long target = proportion(t.points(row), refunded, eligible);
        long points = Math.max(0, target - t.reversed(row));
        reverseEarned(slot, t, row, points);
        t.refundedCents(row, refunded);
        entry(slot, sink, e, seq, eventTimeMs, t.account(row), LedgerKind.REFUND, points,
                t.transactionIdChars(row, rowId));
        return null;
    }

    /** points × part / whole, truncated, for non-negative operands: exact, in longs when the product fits. */
    static long proportion(long points, long part, long whole) {
        long high = Math.multiplyHigh(points, part);
        long low = points * part;
        if (high == 0 && low >= 0) {
            return low / whole;
        }
        return BigInteger.valueOf(points).multiply(BigInteger.valueOf(part)).divide(BigInteger.valueOf(whole))
                .longValue();
    }

    /** Reverses earned points of a checkout: from pending while pending, else deducted from the lots. */
    private void reverseEarned(int slot, Transactions t, int row, long points) {
        if (t.status(row) == Transactions.PENDING) {
            table.add(slot, t.account(row), CustomerTable.PENDING, -points);
        } else {
            deduct(slot, t.account(row), points);
        }
        reverse(slot, t, row, points);
    }

    private void reverse(int slot, Transactions t, int row, long points) {
        t.reversed(row, t.reversed(row) + points);
        QualifyingWindow q = table.qualifyingOrNull(slot);
        if (t.qualifies(row) && q != null) {
            q.reduce(t.eventTimeMs(row), t.order(row), points);
        }
    }

    /** Gives back the burned parts copied into {@link #parts}. */
    private void giveBackBurned(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink, int account,
                                CharSequence txn) {
        long points = parts.total();
        if (points == 0) {
            return;
        }
        table.add(slot, account, CustomerTable.SPENT, -points);
        creditParts(slot, account, parts);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.UNSPEND, points, txn);
    }

    private RuleError reservePoints(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        String txn = e.transactionId();
        if (txn == null) {
            return notFound("reservation", null);
        }
        if (find(slot, Transactions.RESERVATION, txn) >= 0) {
            return exists("reservation", txn);
        }
        int account = accountIndex(e.account());
        long points = positive(e.points());
        if (table.spendable(slot, account) < points) {
            return insufficient(slot, account, points);
        }
        parts.clear();
        takeFromLots(slot, account, points, parts);
        table.add(slot, account, CustomerTable.RESERVED, points);
        Transactions t = table.transactions(slot);
        int row = t.add(Transactions.RESERVATION, Transactions.OPEN, txn, account, eventTimeMs, 0, 0, points, false,
                Long.MAX_VALUE);
        t.setParts(row, parts);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.RESERVE, points, txn);
        return null;
    }

    private RuleError releasePoints(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink) {
        String txn = e.transactionId();
        int row = txn == null ? -1 : find(slot, Transactions.RESERVATION, txn);
        Transactions t = table.transactionsOrNull(slot);
        if (row < 0 || t.status(row) != Transactions.OPEN) {
            return RuleError.conflict("reservation_not_found", "no open reservation '" + txn + "'");
        }
        int account = t.account(row);
        long points = t.points(row);
        table.add(slot, account, CustomerTable.RESERVED, -points);
        parts.clear();
        t.copyParts(row, parts);
        creditParts(slot, account, parts);
        t.status(row, Transactions.CLOSED);
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.RELEASE, points, txn);
        return null;
    }

    private RuleError custom(int slot, RuleInput e, long seq, long eventTimeMs, EffectSink sink, int index) {
        CustomAction custom = customActions[index];
        long bit = 1L << index;
        if (custom.once() && (table.onceDone(slot) & bit) != 0) {
            return RuleError.conflict("already_done", "'" + custom.name() + "' was already applied");
        }
        int account = accountIndex(custom.account());
        long points = Math.max(0, custom.points());
        earn(slot, account, points, eventTimeMs, table.takeOrder(slot));
        if (custom.once()) {
            table.onceDone(slot, table.onceDone(slot) | bit);
        }
        entry(slot, sink, e, seq, eventTimeMs, account, LedgerKind.EARN, points, e.transactionIdChars());
        return null;
    }

    /** Row of the transaction, asking the archive on a miss; -1 when there is none. */
    private int find(int slot, byte kind, CharSequence txn) {
        Transactions t = table.transactionsOrNull(slot);
        int row = t == null ? -1 : t.find(kind, txn);
        if (row < 0 && archive != TransactionArchive.NONE) {
            row = archive.load(table.id(slot), kind, txn.toString(), table.transactions(slot));
        }
        return row;
    }

    private int findCheckout(int slot, RuleInput e) {
        CharSequence txn = e.transactionIdChars();
        return txn == null ? -1 : find(slot, Transactions.CHECKOUT, txn);
    }

    private int accountIndex(String name) {
        if (name != null) {
            for (int i = 0; i < accounts; i++) {
                if (accountNames[i].equals(name)) {
                    return i;
                }
            }
        }
        return defaultAccount;
    }

    private static long positive(long value) {
        return value == Event.ABSENT ? 0 : Math.max(0, value);
    }

    private RuleError insufficient(int slot, int account, long points) {
        return RuleError.conflict("insufficient_points",
                "needs " + points + " points, spendable is " + table.spendable(slot, account));
    }

    private static RuleError exists(String kind, CharSequence txn) {
        return RuleError.conflict("transaction_exists", "a " + kind + " with transaction_id '" + txn
                + "' already exists");
    }

    private static RuleError notFound(String kind, CharSequence txn) {
        return RuleError.conflict("transaction_not_found", "no " + kind + " with transaction_id '" + txn + "'");
    }

    private static RuleError notPending(Transactions t, int row) {
        return RuleError.conflict("not_pending", "checkout '" + t.transactionId(row) + "' is not pending");
    }

    private static RuleError alreadyRefunded(Transactions t, int row) {
        return RuleError.conflict("already_done", "checkout '" + t.transactionId(row) + "' was already "
                + (t.status(row) == Transactions.REJECTED ? "rejected" : "refunded"));
    }
}
