package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.config.RulesConfig.CustomAction;
import dev.loyalty.engine.event.EligibleValue;
import dev.loyalty.engine.event.Event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongUnaryOperator;

/**
 * The loyalty rules of loyalty-rules.md as a plain object: no I/O, no clock but the one in
 * {@link ApplyContext}, no threads. One instance per rules configuration; called by one processor thread.
 *
 * <p>Readings of the spec where it leaves room (also listed in the package documentation):
 * <ul>
 *   <li>A lot's expiry is a function of its event time under the account's policy in force, not a stored
 *       date; given-back parts keep their lot's event time, hence its expiry. A policy change applies to
 *       existing lots.</li>
 *   <li>A backdated checkout earns with the tier held when it is applied; its qualifying points count if
 *       its event time is within the window of the clock (and may upgrade at once); its acceptance is due
 *       at event time + pending days and runs right after it when already due; the accepted lot expires
 *       from the checkout's event time and may expire at once.</li>
 *   <li>A given-back part that is already expired still pays a debt first; what is left becomes a lot that
 *       expires right after the event (an {@code expire} entry with the event's seq, at its expiry).</li>
 *   <li>{@code checkout_reject} needs a pending checkout ({@code 409 not_pending} otherwise);
 *       {@code partial_refund} after a full refund or a reject is {@code 409 already_done}; partial refunds
 *       adding up to the eligible value do not close the checkout, so a later {@code refund} still gives
 *       back the burned points.</li>
 *   <li>A checkout earning 0 points still goes through pending/accepted, but makes no ledger entry.</li>
 *   <li>Under {@code last_activity}, lots do not expire while the customer has no recorded activity.</li>
 * </ul>
 */
public final class Rules {

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private static final String OPT_IN = "opt_in";
    private static final String OPT_OUT = "opt_out";
    private static final String PROFILE = "profile";
    private static final String AUTO_ACCEPT = "auto_accept";
    private static final String EXPIRY = "expiry";

    private final RulesConfig config;
    private final int defaultAccount;
    private final int qualifyingAccount;
    private final Set<String> activityActions;

    public Rules(RulesConfig config) {
        this.config = config;
        this.defaultAccount = Math.max(0, config.accountIndex(config.defaultAccount()));
        this.qualifyingAccount = config.accountIndex(config.tiers().qualifyingAccount());
        this.activityActions = new HashSet<>(config.activityActions());
    }

    public RulesConfig config() {
        return config;
    }

    /**
     * Applies one journaled event to its customer (blank if unknown). First runs the customer's work due
     * by {@code ctx.clockMs()} (entries carry {@code ctx.seqWhenDue(due)}), then the event, then any work
     * the event made overdue (entries carry {@code ctx.seq()}). Every ledger entry made is appended to
     * {@code ledger} in order; the outcome's effects are the event's own entries and its overdue work.
     * A rejected event changes nothing but the due work that ran before it.
     */
    public EventOutcome apply(Customer customer, Event event, ApplyContext ctx, List<LedgerEntry> ledger) {
        long clockMs = ctx.clockMs();
        customer.ensureAccounts(config.accounts().size());
        runDueWork(customer, clockMs, ctx::seqWhenDue, ledger);
        int mark = ledger.size();
        long seq = ctx.seq();
        Op op = new Op(customer, event, seq, event.eventTimeMs(ctx.ingestTimeMs()), clockMs, ledger);
        customer.dueRules = null;
        RuleError error = op.run();
        if (error != null) {
            return new EventOutcome(seq, event.customer(), error, List.of());
        }
        runDueWork(customer, clockMs, due -> seq, ledger);
        pruneQualifying(customer, clockMs);
        return new EventOutcome(seq, event.customer(), null, List.copyOf(ledger.subList(mark, ledger.size())));
    }

    /** Runs the customer's work due by {@code ctx.clockMs()}, appending its ledger entries. */
    public void runDue(Customer customer, ApplyContext ctx, List<LedgerEntry> ledger) {
        // Only the due work itself, which comes out the same however the processor groups it: anything
        // else done here would depend on where its batches end, which replay does not reproduce.
        runDueWork(customer, ctx.clockMs(), ctx::seqWhenDue, ledger);
    }

    /** Earliest due time of the customer's pending work, or {@link Long#MAX_VALUE} if none. */
    public long nextDueMs(Customer customer) {
        if (customer.dueRules != this) {
            customer.knownDueMs = nextDue(customer).dueMs;
            customer.dueRules = this;
        }
        return customer.knownDueMs;
    }

    /** The API view of the customer at that clock (qualifying points depend on it). */
    public CustomerView view(Customer customer, long clockMs) {
        Map<String, AccountView> accounts = new LinkedHashMap<>();
        for (int i = 0; i < config.accounts().size(); i++) {
            String name = config.accounts().get(i).name();
            if (i < customer.accounts.size()) {
                Account a = customer.accounts.get(i);
                accounts.put(name, new AccountView(a.balance(), a.spendable(), a.reserved, a.pending, a.earned,
                        a.spent, a.expired, a.deducted));
            } else {
                accounts.put(name, AccountView.ZERO);
            }
        }
        return new CustomerView(customer.id, customer.active(), customer.optedInAtMs, customer.lastActivityAtMs,
                tierName(customer.tierIndex), customer.tierValidUntilMs, qualifyingPoints(customer, clockMs),
                Collections.unmodifiableMap(accounts));
    }

    /**
     * Per configured account (in configuration order), up to {@code max} instants at which its lots expire
     * under the policy in force, with their points, soonest first (api.md, "Expiring points").
     */
    public Map<String, List<ExpiringPoints>> expiring(Customer customer, int max) {
        Map<String, List<ExpiringPoints>> out = new LinkedHashMap<>();
        for (int i = 0; i < config.accounts().size(); i++) {
            AccountRules account = config.accounts().get(i);
            out.put(account.name(), i < customer.accounts.size()
                    ? List.copyOf(ExpiringLots.instants(account, customer.accounts.get(i), customer.lastActivityAtMs,
                    max))
                    : List.of());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Visits the customer's expiring lot points per account and UTC day of expiry (the /stats forecast). */
    public void forEachExpiryDay(Customer customer, ExpiryDayVisitor visitor) {
        ExpiringLots.visitDays(config.accounts(), customer, visitor);
    }

    /** True when every lot expires at the same instant under both rules (same accounts, same policies). */
    public boolean sameExpiry(Rules other) {
        return config.accounts().equals(other.config.accounts());
    }

    /** Qualifying points as of that instant: qualifying earnings with event time at or after it minus the window. */
    public long qualifyingPoints(Customer customer, long asOfMs) {
        long from = Expiry.plusDays(asOfMs, -(long) config.tiers().windowDays());
        long sum = 0;
        for (Customer.Qualifying q : customer.qualifying) {
            if (q.eventTimeMs >= from) {
                sum += q.points;
            }
        }
        return sum;
    }

    /** Name of the tier at that index of the ladder (the top one if the ladder has shrunk since). */
    public String tierName(int tierIndex) {
        List<RulesConfig.Tier> levels = config.tiers().levels();
        return levels.get(Math.max(0, Math.min(tierIndex, levels.size() - 1))).name();
    }

    // ---------------------------------------------------------------- time-driven work

    private static final int WORK_NONE = 0;
    private static final int WORK_ACCEPT = 1;
    private static final int WORK_EXPIRE = 2;
    private static final int WORK_REVIEW = 3;

    /** The earliest due item of a customer: due time, tie-break order and what it is. */
    private static final class Due {
        long dueMs = Long.MAX_VALUE;
        long order = Long.MAX_VALUE;
        int kind = WORK_NONE;
        int account;
        Lot lot;
        Checkout checkout;

        boolean before(long otherDueMs, long otherOrder) {
            return otherDueMs < dueMs || (otherDueMs == dueMs && otherOrder < order);
        }
    }

    private Due nextDue(Customer c) {
        Due due = new Due();
        for (Checkout co : c.pendingCheckouts) {
            if (due.before(co.acceptDueMs, co.order)) {
                due.dueMs = co.acceptDueMs;
                due.order = co.order;
                due.kind = WORK_ACCEPT;
                due.checkout = co;
            }
        }
        for (int i = 0; i < c.accounts.size(); i++) {
            List<Lot> lots = c.accounts.get(i).lots;
            if (lots.isEmpty()) {
                continue;
            }
            AccountRules rules = accountRules(i);
            long first = Expiry.expiryMs(rules, lots.get(0).eventTimeMs, c.lastActivityAtMs);
            if (first == Long.MAX_VALUE) {
                continue;
            }
            // expiry is monotone in the lots' sort order: the lots expiring first form a prefix
            for (Lot lot : lots) {
                if (Expiry.expiryMs(rules, lot.eventTimeMs, c.lastActivityAtMs) != first) {
                    break;
                }
                if (due.before(first, lot.order)) {
                    due.dueMs = first;
                    due.order = lot.order;
                    due.kind = WORK_EXPIRE;
                    due.account = i;
                    due.lot = lot;
                    due.checkout = null;
                }
            }
        }
        if (c.tierValidUntilMs != Customer.NONE && due.before(c.tierValidUntilMs, c.tierOrder)) {
            due.dueMs = c.tierValidUntilMs;
            due.order = c.tierOrder;
            due.kind = WORK_REVIEW;
        }
        return due;
    }

    private void runDueWork(Customer c, long clockMs, LongUnaryOperator seqOf, List<LedgerEntry> ledger) {
        while (true) {
            if (c.dueRules == this && c.knownDueMs > clockMs) {
                return;
            }
            Due due = nextDue(c);
            if (due.kind == WORK_NONE || due.dueMs > clockMs) {
                c.knownDueMs = due.dueMs;
                c.dueRules = this;
                return;
            }
            c.dueRules = null;
            long seq = seqOf.applyAsLong(due.dueMs);
            switch (due.kind) {
                case WORK_ACCEPT: {
                    Checkout co = due.checkout;
                    long points = accept(c, co);
                    entry(c, ledger, seq, due.dueMs, AUTO_ACCEPT, co.account, LedgerKind.ACCEPT, points,
                            co.transactionId, null);
                    break;
                }
                case WORK_EXPIRE: {
                    c.accounts.get(due.account).expire(due.lot);
                    entry(c, ledger, seq, due.dueMs, EXPIRY, due.account, LedgerKind.EXPIRE, due.lot.points, null,
                            null);
                    break;
                }
                case WORK_REVIEW:
                    review(c, due.dueMs);
                    break;
                default:
                    throw new IllegalStateException("unknown work " + due.kind);
            }
        }
    }

    private void review(Customer c, long dueMs) {
        int tier = tierFor(qualifyingPoints(c, dueMs));
        c.tierIndex = tier;
        if (tier > 0 && config.tiers().validityDays() > 0) {
            c.tierValidUntilMs = Expiry.plusDays(dueMs, config.tiers().validityDays());
            c.tierOrder = c.nextOrder++;
        } else {
            c.tierValidUntilMs = Customer.NONE;
        }
    }

    private void maybeUpgrade(Customer c, long clockMs) {
        int tier = tierFor(qualifyingPoints(c, clockMs));
        if (tier > c.tierIndex) {
            c.tierIndex = tier;
            if (config.tiers().validityDays() > 0) {
                c.tierValidUntilMs = Expiry.plusDays(clockMs, config.tiers().validityDays());
                c.tierOrder = c.nextOrder++;
            } else {
                c.tierValidUntilMs = Customer.NONE;
            }
        }
    }

    private int tierFor(long qualifyingPoints) {
        List<RulesConfig.Tier> levels = config.tiers().levels();
        int tier = 0;
        for (int i = 0; i < levels.size(); i++) {
            if (qualifyingPoints >= levels.get(i).threshold()) {
                tier = i;
            }
        }
        return tier;
    }

    /**
     * Drops qualifying entries no later query can count: older than the window before the clock (all due
     * work up to the clock has run, so later reviews and views are as of the clock or later). Called only
     * for applied events, whose clock is a fixed point of the journal, so replay prunes identically.
     */
    private void pruneQualifying(Customer c, long clockMs) {
        long from = Expiry.plusDays(clockMs, -(long) config.tiers().windowDays());
        c.qualifying.removeIf(q -> q.eventTimeMs < from);
    }

    /** Moves a pending checkout's remaining points into a lot; returns them. */
    private static long accept(Customer c, Checkout co) {
        Account a = c.account(co.account);
        long points = co.net();
        a.pending -= points;
        a.earned += points;
        a.credit(co.eventTimeMs, c.nextOrder++, points);
        co.status = Checkout.Status.ACCEPTED;
        c.pendingCheckouts.remove(co);
        return points;
    }

    private AccountRules accountRules(int index) {
        return index < config.accounts().size() ? config.accounts().get(index) : null;
    }

    private String accountName(int index) {
        return index < config.accounts().size() ? config.accounts().get(index).name() : "#" + index;
    }

    private int accountIndex(String name) {
        int i = name == null ? -1 : config.accountIndex(name);
        return i >= 0 ? i : defaultAccount;
    }

    private void entry(Customer c, List<LedgerEntry> ledger, long seq, long atMs, String action, int account,
                       LedgerKind kind, long points, String transactionId, String reason) {
        if (points <= 0) {
            return;
        }
        ledger.add(new LedgerEntry(c.nextEntryId++, seq, atMs, action, accountName(account), kind, points,
                transactionId, reason));
    }

    /** Checkout points: floor(eligible × rate × multiplier), exactly. */
    long checkoutPoints(long eligibleCents, BigDecimal multiplier) {
        BigDecimal points = BigDecimal.valueOf(eligibleCents).multiply(config.earnRate()).multiply(multiplier)
                .movePointLeft(2).setScale(0, RoundingMode.FLOOR);
        if (points.signum() <= 0) {
            return 0;
        }
        return points.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : points.longValueExact();
    }


    // ---------------------------------------------------------------- the event itself

    /** One event being applied: checks first, then changes; a rejection returns before any change. */
    private final class Op {
        private final Customer c;
        private final Event e;
        private final long seq;
        private final long eventTimeMs;
        private final long clockMs;
        private final List<LedgerEntry> ledger;

        Op(Customer c, Event e, long seq, long eventTimeMs, long clockMs, List<LedgerEntry> ledger) {
            this.c = c;
            this.e = e;
            this.seq = seq;
            this.eventTimeMs = eventTimeMs;
            this.clockMs = clockMs;
            this.ledger = ledger;
        }

        RuleError run() {
            String action = e.action();
            if (!c.exists && !OPT_IN.equals(action)) {
                return RuleError.notFound(e.customer());
            }
            if (c.exists && !c.active && !OPT_IN.equals(action) && !PROFILE.equals(action)) {
                return RuleError.conflict("customer_opted_out", "customer '" + c.id + "' has opted out");
            }
            RuleError error = dispatch(action);
            if (error != null) {
                return error;
            }
            if (activityActions.contains(action) || config.customAction(action) != null) {
                c.lastActivityAtMs = Math.max(c.lastActivityAtMs, eventTimeMs);
            }
            maybeUpgrade(c, clockMs);
            return null;
        }

        private RuleError dispatch(String action) {
            switch (action) {
                case OPT_IN:
                    return optIn();
                case OPT_OUT:
                    c.active = false;
                    return null;
                case PROFILE:
                    c.attributesJson = ProfileMerge.merge(c.attributesJson, e.attributesJson());
                    return null;
                case "point_add":
                    return pointAdd();
                case "point_sub":
                    return pointSub();
                case "point_spend":
                    return pointSpend();
                case "point_unspend":
                    return pointUnspend();
                case "checkout":
                    return checkout();
                case "checkout_accept":
                    return checkoutAccept();
                case "checkout_reject":
                    return checkoutReject();
                case "refund":
                    return refund();
                case "partial_refund":
                    return partialRefund();
                case "reserve_points":
                    return reservePoints();
                case "release_points":
                    return releasePoints();
                default:
                    CustomAction custom = config.customAction(action);
                    if (custom == null) {
                        return new RuleError(400, "unknown_action", "action '" + action + "' is not configured");
                    }
                    return custom(custom);
            }
        }

        private void entry(int account, LedgerKind kind, long points, String transactionId) {
            Rules.this.entry(c, ledger, seq, eventTimeMs, e.action(), account, kind, points, transactionId,
                    e.reason());
        }

        private RuleError optIn() {
            if (c.exists && c.active) {
                return RuleError.conflict("already_opted_in", "customer '" + c.id + "' is already opted in");
            }
            c.exists = true;
            c.active = true;
            c.optedInAtMs = eventTimeMs;
            c.attributesJson = ProfileMerge.merge(c.attributesJson, e.attributesJson());
            return null;
        }

        /** Credits a new lot of that event time and counts it as earned. */
        private void earn(int account, long points, long lotEventTimeMs, long order) {
            Account a = c.account(account);
            a.earned += points;
            a.credit(lotEventTimeMs, order, points);
        }

        private RuleError pointAdd() {
            int account = accountIndex(e.account());
            long points = positive(e.points());
            earn(account, points, eventTimeMs, c.nextOrder++);
            if (account == qualifyingAccount && points > 0) {
                c.qualifying.add(new Customer.Qualifying(eventTimeMs, null, points));
            }
            entry(account, LedgerKind.EARN, points, e.transactionId());
            return null;
        }

        private RuleError pointSub() {
            int account = accountIndex(e.account());
            long points = positive(e.points());
            c.account(account).deduct(points);
            entry(account, LedgerKind.DEDUCT, points, e.transactionId());
            return null;
        }

        private RuleError pointSpend() {
            int account = accountIndex(e.account());
            long points = positive(e.points());
            String txn = e.transactionId();
            if (txn != null && c.spends.containsKey(txn)) {
                return exists("spend", txn);
            }
            Account a = c.account(account);
            if (a.spendable() < points) {
                return insufficient(a, points);
            }
            List<Part> parts = a.takeFromLots(points);
            a.spent += points;
            if (txn != null) {
                c.spends.put(txn, new Spend(account, points, parts, false));
            }
            entry(account, LedgerKind.SPEND, points, txn);
            return null;
        }

        private RuleError pointUnspend() {
            String txn = e.transactionId();
            Spend spend = txn == null ? null : c.spends.get(txn);
            if (spend == null) {
                return notFound("spend", txn);
            }
            if (spend.undone) {
                return RuleError.conflict("already_done", "spend '" + txn + "' was already given back");
            }
            Account a = c.account(spend.account);
            a.spent -= spend.points;
            a.creditParts(spend.parts);
            spend.undone = true;
            entry(spend.account, LedgerKind.UNSPEND, spend.points, txn);
            return null;
        }

        private RuleError checkout() {
            String txn = e.transactionId();
            if (txn == null) {
                return notFound("checkout", null);
            }
            if (c.checkouts.containsKey(txn)) {
                return exists("checkout", txn);
            }
            int account = accountIndex(e.account());
            Account a = c.account(account);
            long burned = e.pointsBurned() == Event.ABSENT ? 0 : Math.max(0, e.pointsBurned());
            Reservation reservation = c.reservations.get(txn);
            boolean settle = reservation != null && reservation.open && reservation.account == account;
            long fromReservation = settle ? Math.min(burned, reservation.points) : 0;
            long fromLots = burned - fromReservation;
            if (fromLots > 0 && a.spendable() < fromLots) {
                return insufficient(a, fromLots);
            }
            long eligible = Math.max(0, EligibleValue.cents(e));
            List<RulesConfig.Tier> levels = config.tiers().levels();
            BigDecimal multiplier = levels.get(Math.min(c.tierIndex, levels.size() - 1)).multiplier();
            long points = checkoutPoints(eligible, multiplier);

            List<Part> burnedParts = new ArrayList<>();
            long released = 0;
            if (settle) {
                List<Part> rest = new ArrayList<>();
                Account.split(reservation.parts, fromReservation, burnedParts, rest);
                a.reserved -= reservation.points;
                a.spent += fromReservation;
                released = reservation.points - fromReservation;
                a.creditParts(rest);
                reservation.open = false;
            }
            if (fromLots > 0) {
                burnedParts.addAll(a.takeFromLots(fromLots));
                a.spent += fromLots;
            }
            entry(account, LedgerKind.SPEND, burned, txn);
            entry(account, LedgerKind.RELEASE, released, txn);

            long order = c.nextOrder++;
            boolean qualifies = account == qualifyingAccount;
            Checkout co;
            if (config.pendingDays() > 0) {
                co = new Checkout(txn, account, eventTimeMs, order, eligible, points, qualifies,
                        Account.sorted(burnedParts), Expiry.plusDays(eventTimeMs, config.pendingDays()),
                        Checkout.Status.PENDING, 0, 0);
                a.pending += points;
                entry(account, LedgerKind.PENDING, points, txn);
            } else {
                co = new Checkout(txn, account, eventTimeMs, order, eligible, points, qualifies,
                        Account.sorted(burnedParts), Long.MAX_VALUE, Checkout.Status.ACCEPTED, 0, 0);
                earn(account, points, eventTimeMs, order);
                entry(account, LedgerKind.EARN, points, txn);
            }
            c.addCheckout(co);
            if (qualifies && points > 0) {
                c.qualifying.add(new Customer.Qualifying(eventTimeMs, txn, points));
            }
            return null;
        }

        private RuleError checkoutAccept() {
            Checkout co = findCheckout();
            if (co == null) {
                return notFound("checkout", e.transactionId());
            }
            if (co.status != Checkout.Status.PENDING) {
                return notPending(co);
            }
            long points = accept(c, co);
            entry(co.account, LedgerKind.ACCEPT, points, co.transactionId);
            return null;
        }

        private RuleError checkoutReject() {
            Checkout co = findCheckout();
            if (co == null) {
                return notFound("checkout", e.transactionId());
            }
            if (co.status != Checkout.Status.PENDING) {
                return notPending(co);
            }
            long points = co.net();
            Account a = c.account(co.account);
            a.pending -= points;
            reverse(co, points);
            co.status = Checkout.Status.REJECTED;
            c.pendingCheckouts.remove(co);
            entry(co.account, LedgerKind.REJECT, points, co.transactionId);
            giveBackBurned(co);
            return null;
        }

        private RuleError refund() {
            Checkout co = findCheckout();
            if (co == null) {
                return notFound("checkout", e.transactionId());
            }
            if (co.status == Checkout.Status.REJECTED || co.status == Checkout.Status.REFUNDED) {
                return alreadyRefunded(co);
            }
            long points = co.net();
            reverseEarned(co, points);
            co.refundedCents = co.eligibleCents;
            co.status = Checkout.Status.REFUNDED;
            c.pendingCheckouts.remove(co);
            entry(co.account, LedgerKind.REFUND, points, co.transactionId);
            giveBackBurned(co);
            return null;
        }

        private RuleError partialRefund() {
            Checkout co = findCheckout();
            if (co == null) {
                return notFound("checkout", e.transactionId());
            }
            if (co.status == Checkout.Status.REJECTED || co.status == Checkout.Status.REFUNDED) {
                return alreadyRefunded(co);
            }
            long amount = positive(e.amountCents());
            long refunded = co.refundedCents + amount;
            if (refunded < 0 || refunded > co.eligibleCents) {
                return RuleError.conflict("refund_exceeds_total", "refunds of checkout '" + co.transactionId
                        + "' would exceed its eligible value");
            }
            long target = BigInteger.valueOf(co.points).multiply(BigInteger.valueOf(refunded))
                    .divide(BigInteger.valueOf(co.eligibleCents)).longValue();
            long points = Math.max(0, target - co.reversed);
            reverseEarned(co, points);
            co.refundedCents = refunded;
            entry(co.account, LedgerKind.REFUND, points, co.transactionId);
            return null;
        }

        /** Reverses earned points of a checkout: from pending while pending, else deducted from the lots. */
        private void reverseEarned(Checkout co, long points) {
            Account a = c.account(co.account);
            if (co.status == Checkout.Status.PENDING) {
                a.pending -= points;
            } else {
                a.deduct(points);
            }
            reverse(co, points);
        }

        private void reverse(Checkout co, long points) {
            co.reversed += points;
            if (co.qualifies) {
                for (Customer.Qualifying q : c.qualifying) {
                    if (co.transactionId.equals(q.transactionId)) {
                        q.points -= points;
                        break;
                    }
                }
            }
        }

        private void giveBackBurned(Checkout co) {
            long points = co.burnedPoints();
            if (points == 0) {
                return;
            }
            Account a = c.account(co.account);
            a.spent -= points;
            a.creditParts(co.burned);
            entry(co.account, LedgerKind.UNSPEND, points, co.transactionId);
        }

        private RuleError reservePoints() {
            String txn = e.transactionId();
            if (txn == null) {
                return notFound("reservation", null);
            }
            if (c.reservations.containsKey(txn)) {
                return exists("reservation", txn);
            }
            int account = accountIndex(e.account());
            long points = positive(e.points());
            Account a = c.account(account);
            if (a.spendable() < points) {
                return insufficient(a, points);
            }
            List<Part> parts = a.takeFromLots(points);
            a.reserved += points;
            c.reservations.put(txn, new Reservation(account, points, parts, true));
            entry(account, LedgerKind.RESERVE, points, txn);
            return null;
        }

        private RuleError releasePoints() {
            String txn = e.transactionId();
            Reservation r = txn == null ? null : c.reservations.get(txn);
            if (r == null || !r.open) {
                return RuleError.conflict("reservation_not_found", "no open reservation '" + txn + "'");
            }
            Account a = c.account(r.account);
            a.reserved -= r.points;
            a.creditParts(r.parts);
            r.open = false;
            entry(r.account, LedgerKind.RELEASE, r.points, txn);
            return null;
        }

        private RuleError custom(CustomAction custom) {
            if (custom.once() && c.onceDone.contains(custom.name())) {
                return RuleError.conflict("already_done", "'" + custom.name() + "' was already applied");
            }
            int account = accountIndex(custom.account());
            long points = Math.max(0, custom.points());
            earn(account, points, eventTimeMs, c.nextOrder++);
            if (custom.once()) {
                c.onceDone.add(custom.name());
            }
            entry(account, LedgerKind.EARN, points, e.transactionId());
            return null;
        }

        private Checkout findCheckout() {
            return e.transactionId() == null ? null : c.checkouts.get(e.transactionId());
        }

        private long positive(long value) {
            return value == Event.ABSENT ? 0 : Math.max(0, value);
        }

        private RuleError insufficient(Account a, long points) {
            return RuleError.conflict("insufficient_points",
                    "needs " + points + " points, spendable is " + a.spendable());
        }

        private RuleError exists(String kind, String txn) {
            return RuleError.conflict("transaction_exists", "a " + kind + " with transaction_id '" + txn
                    + "' already exists");
        }

        private RuleError notFound(String kind, String txn) {
            return RuleError.conflict("transaction_not_found", "no " + kind + " with transaction_id '" + txn + "'");
        }

        private RuleError notPending(Checkout co) {
            return RuleError.conflict("not_pending", "checkout '" + co.transactionId + "' is not pending");
        }

        private RuleError alreadyRefunded(Checkout co) {
            return RuleError.conflict("already_done", "checkout '" + co.transactionId + "' was already "
                    + (co.status == Checkout.Status.REJECTED ? "rejected" : "refunded"));
        }
    }
}
