package dev.loyalty.engine.rules;

import dev.loyalty.engine.event.Event;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static dev.loyalty.engine.rules.Harness.DAY;
import static dev.loyalty.engine.rules.Harness.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** One test (or a few) per action row of loyalty-rules.md, with numbers worked by hand. */
class RulesActionsTest {

    private final Harness h = new Harness();

    static List<String> effects(EventOutcome outcome) {
        return outcome.effects().stream().map(e -> e.kind().wireName() + ":" + e.points())
                .collect(Collectors.toList());
    }

    private static void assertRejected(EventOutcome outcome, int status, String code) {
        assertThat(outcome.applied()).as("applied").isFalse();
        assertThat(outcome.error().status()).isEqualTo(status);
        assertThat(outcome.error().code()).isEqualTo(code);
        assertThat(outcome.effects()).isEmpty();
    }

    private void optIn() {
        assertThat(h.apply(T0, Ev.of("opt_in")).applied()).isTrue();
    }

    // ------------------------------------------------------------ opt_in / opt_out / profile

    @Test
    void shouldCreateCustomerOnOptIn() {
        assertThat(h.customer.exists()).isFalse();
        EventOutcome o = h.apply(T0, Ev.of("opt_in").attributes("{\"name\":\"Ann\"}"));
        assertThat(o.applied()).isTrue();
        assertThat(o.effects()).isEmpty();
        CustomerView v = h.view();
        assertThat(v.active()).isTrue();
        assertThat(v.optedInAtMs()).isEqualTo(T0);
        assertThat(v.lastActivityAtMs()).isEqualTo(T0);
        assertThat(v.tier()).isEqualTo("bronze");
        assertThat(v.tierValidUntilMs()).isEqualTo(CustomerView.NONE);
        assertThat(v.accounts().keySet()).containsExactly("points", "bonus");
        assertThat(v.accounts().get("bonus")).isEqualTo(AccountView.ZERO);
    }

    @Test
    void shouldRejectSecondOptInWhileActive() {
        optIn();
        assertRejected(h.apply(T0 + 1, Ev.of("opt_in")), 409, "already_opted_in");
    }

    @Test
    void shouldReactivateKeepingBalancesWhenOptingInAfterOptOut() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(70));
        assertThat(h.apply(T0 + 1000, Ev.of("opt_out").reason("moving")).applied()).isTrue();
        assertThat(h.view().active()).isFalse();
        assertThat(h.customer.exists()).isTrue();
        assertThat(h.apply(T0 + DAY, Ev.of("opt_in")).applied()).isTrue();
        assertThat(h.view().active()).isTrue();
        assertThat(h.view().optedInAtMs()).isEqualTo(T0 + DAY);
        assertThat(h.points().balance()).isEqualTo(70);
    }

    @Test
    void shouldRejectActionsOfOptedOutCustomerButProfileAndOptIn() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(70));
        h.apply(T0, Ev.of("opt_out"));
        assertRejected(h.apply(T0 + 1, Ev.of("point_add").points(5)), 409, "customer_opted_out");
        assertRejected(h.apply(T0 + 1, Ev.of("point_spend").points(5)), 409, "customer_opted_out");
        assertRejected(h.apply(T0 + 1, Ev.of("opt_out")), 409, "customer_opted_out");
        assertThat(h.apply(T0 + 1, Ev.of("profile").attributes("{\"a\":1}")).applied()).isTrue();
        assertThat(h.points().balance()).isEqualTo(70);
    }

    @Test
    void shouldAnswerCustomerNotFoundForAnyActionButOptIn() {
        assertRejected(h.apply(T0, Ev.of("point_add").points(5)), 404, "customer_not_found");
        assertRejected(h.apply(T0, Ev.of("profile").attributes("{}")), 404, "customer_not_found");
        assertRejected(h.apply(T0, Ev.of("opt_out")), 404, "customer_not_found");
        assertThat(h.customer.exists()).isFalse();
    }

    @Test
    void shouldMergeProfileAttributes() {
        h.apply(T0, Ev.of("opt_in").attributes("{\"name\":\"Ann\",\"city\":\"Oslo\"}"));
        h.apply(T0, Ev.of("profile").attributes("{\"city\":\"Bergen\",\"vip\":true}"));
        assertThat(h.customer.attributesJson).isEqualTo("{\"name\":\"Ann\",\"city\":\"Bergen\",\"vip\":true}");
        // profile is not activity by default
        h.apply(T0 + DAY, Ev.of("profile").attributes("{\"x\":1}"));
        assertThat(h.view().lastActivityAtMs()).isEqualTo(T0);
    }

    // ------------------------------------------------------------ point_add / point_sub

    @Test
    void shouldEarnLotOnPointAddThatExpiresAfter365Days() {
        optIn();
        EventOutcome o = h.apply(T0 + 1000, Ev.of("point_add").points(120).reason("goodwill"));
        assertThat(effects(o)).containsExactly("earn:120");
        LedgerEntry e = o.effects().get(0);
        assertThat(e.id()).isEqualTo(1);
        assertThat(e.seq()).isEqualTo(2);
        assertThat(e.atMs()).isEqualTo(T0 + 1000);
        assertThat(e.action()).isEqualTo("point_add");
        assertThat(e.account()).isEqualTo("points");
        assertThat(e.reason()).isEqualTo("goodwill");
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(T0 + 1000 + 365 * DAY);

        h.tick(T0 + 1000 + 365 * DAY - 1);
        assertThat(h.points().balance()).isEqualTo(120);
        h.tick(T0 + 1000 + 365 * DAY + 5000);
        LedgerEntry expire = h.ledger.get(h.ledger.size() - 1);
        assertThat(expire.kind()).isEqualTo(LedgerKind.EXPIRE);
        assertThat(expire.points()).isEqualTo(120);
        assertThat(expire.atMs()).isEqualTo(T0 + 1000 + 365 * DAY);
        assertThat(expire.seq()).isEqualTo(4);
        assertThat(expire.action()).isEqualTo("expiry");
        assertThat(h.points()).isEqualTo(new AccountView(0, 0, 0, 0, 120, 0, 120, 0));
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldEarnIntoNamedAccount() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(30).account("bonus"));
        assertThat(h.bonus().balance()).isEqualTo(30);
        assertThat(h.points().balance()).isZero();
        assertThat(h.view().qualifyingPoints()).isZero();
    }

    @Test
    void shouldLeaveDebtOnPointSubAndPayItWithLaterEarn() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        EventOutcome sub = h.apply(T0 + 1, Ev.of("point_sub").points(130));
        assertThat(effects(sub)).containsExactly("deduct:130");
        assertThat(h.points()).isEqualTo(new AccountView(-30, -30, 0, 0, 100, 0, 0, 130));
        h.apply(T0 + 2, Ev.of("point_add").points(50));
        assertThat(h.points()).isEqualTo(new AccountView(20, 20, 0, 0, 150, 0, 0, 130));
        assertThat(h.customer.accounts.get(0).debt).isZero();
        assertThat(h.customer.accounts.get(0).lots).hasSize(1);
        // debt points still qualify in full
        assertThat(h.view().qualifyingPoints()).isEqualTo(150);
    }

    // ------------------------------------------------------------ point_spend / point_unspend

    @Test
    void shouldSpendFromSpendableAndRejectWhenInsufficient() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        assertRejected(h.apply(T0 + 1, Ev.of("point_spend").points(101)), 409, "insufficient_points");
        EventOutcome o = h.apply(T0 + 2, Ev.of("point_spend").points(40).txn("S1"));
        assertThat(effects(o)).containsExactly("spend:40");
        assertThat(o.effects().get(0).transactionId()).isEqualTo("S1");
        assertThat(h.points()).isEqualTo(new AccountView(60, 60, 0, 0, 100, 40, 0, 0));
        assertRejected(h.apply(T0 + 3, Ev.of("point_spend").points(1).txn("S1")), 409, "transaction_exists");
        // point_spend is activity
        assertThat(h.view().lastActivityAtMs()).isEqualTo(T0 + 2);
    }

    @Test
    void shouldGiveBackSpendOnUnspendOnce() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        h.apply(T0 + 1, Ev.of("point_spend").points(40).txn("S1"));
        assertRejected(h.apply(T0 + 2, Ev.of("point_unspend").txn("nope")), 409, "transaction_not_found");
        EventOutcome o = h.apply(T0 + 2, Ev.of("point_unspend").txn("S1"));
        assertThat(effects(o)).containsExactly("unspend:40");
        assertThat(h.points()).isEqualTo(new AccountView(100, 100, 0, 0, 100, 0, 0, 0));
        // the given-back part merged back into its lot
        assertThat(h.customer.accounts.get(0).lots).hasSize(1);
        assertRejected(h.apply(T0 + 3, Ev.of("point_unspend").txn("S1")), 409, "already_done");
    }

    @Test
    void shouldConsumeEarliestExpiryFirst() {
        optIn();
        h.apply(T0 + 10 * DAY, Ev.of("point_add").points(100)); // lot A, expires T0+375d
        h.apply(T0 + 10 * DAY, Ev.of("point_add").points(50).at(T0 + 5 * DAY)); // lot B, backdated: expires T0+370d
        h.apply(T0 + 11 * DAY, Ev.of("point_spend").points(70).txn("S")); // takes 50 of B, then 20 of A
        h.tick(T0 + 371 * DAY);
        assertThat(h.ledger.get(h.ledger.size() - 1).kind()).isEqualTo(LedgerKind.SPEND); // B was emptied
        h.tick(T0 + 376 * DAY);
        LedgerEntry last = h.ledger.get(h.ledger.size() - 1);
        assertThat(last.kind()).isEqualTo(LedgerKind.EXPIRE);
        assertThat(last.points()).isEqualTo(80);
        assertThat(last.atMs()).isEqualTo(T0 + 375 * DAY);
        assertThat(h.points()).isEqualTo(new AccountView(0, 0, 0, 0, 150, 70, 80, 0));
    }

    @Test
    void shouldExpireGivenBackPartAtOnceWhenItsLotHasExpired() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100)); // expires T0+365d
        h.apply(T0 + 300 * DAY, Ev.of("point_add").points(10)); // expires T0+665d
        h.apply(T0 + 300 * DAY, Ev.of("point_spend").points(105).txn("S")); // 100 of first lot, 5 of second
        EventOutcome o = h.apply(T0 + 400 * DAY, Ev.of("point_unspend").txn("S"));
        assertThat(effects(o)).containsExactly("unspend:105", "expire:100");
        LedgerEntry expire = o.effects().get(1);
        assertThat(expire.seq()).isEqualTo(o.seq());
        assertThat(expire.atMs()).isEqualTo(T0 + 365 * DAY);
        assertThat(h.points()).isEqualTo(new AccountView(10, 10, 0, 0, 110, 0, 100, 0));
    }

    @Test
    void shouldRepayDebtWithEarliestExpiringPartsOfGiveBack() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(40)); // lot A, expires T0+365d
        h.apply(T0 + 100 * DAY, Ev.of("point_add").points(60)); // lot B, expires T0+465d
        h.apply(T0 + 100 * DAY, Ev.of("point_spend").points(100).txn("S"));
        h.apply(T0 + 100 * DAY, Ev.of("point_sub").points(50)); // debt 50
        h.apply(T0 + 101 * DAY, Ev.of("point_unspend").txn("S")); // A's 40 and 10 of B pay the debt
        assertThat(h.points().balance()).isEqualTo(50);
        assertThat(h.customer.accounts.get(0).lots).hasSize(1);
        Lot left = h.customer.accounts.get(0).lots.get(0);
        assertThat(left.eventTimeMs).isEqualTo(T0 + 100 * DAY);
        assertThat(left.points).isEqualTo(50);
    }

    // ------------------------------------------------------------ checkout and follow-ups

    @Test
    void shouldEarnPendingOnCheckoutAndAutoAcceptAfterPendingDays() {
        optIn();
        EventOutcome o = h.apply(T0, Ev.of("checkout").txn("T1").total(12050));
        assertThat(effects(o)).containsExactly("pending:120");
        assertThat(h.points()).isEqualTo(new AccountView(0, 0, 0, 120, 0, 0, 0, 0));
        assertThat(h.view().qualifyingPoints()).isEqualTo(120);
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(T0 + 14 * DAY);
        h.tick(T0 + 14 * DAY - 1);
        assertThat(h.points().pending()).isEqualTo(120);
        h.tick(T0 + 15 * DAY);
        LedgerEntry accept = h.ledger.get(h.ledger.size() - 1);
        assertThat(accept.kind()).isEqualTo(LedgerKind.ACCEPT);
        assertThat(accept.action()).isEqualTo("auto_accept");
        assertThat(accept.transactionId()).isEqualTo("T1");
        assertThat(accept.atMs()).isEqualTo(T0 + 14 * DAY);
        assertThat(accept.seq()).isEqualTo(4);
        assertThat(h.points()).isEqualTo(new AccountView(120, 120, 0, 0, 120, 0, 0, 0));
        // the accepted lot expires 365 days after the checkout's event time
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(T0 + 365 * DAY);
    }

    @Test
    void shouldAnswerBackdatedCheckoutWithPointsAlreadyAccepted() {
        optIn();
        long now = T0 + 30 * DAY;
        EventOutcome o = h.apply(now, Ev.of("checkout").txn("T1").total(5000).at(now - 20 * DAY));
        assertThat(effects(o)).containsExactly("pending:50", "accept:50");
        assertThat(o.effects().get(1).seq()).isEqualTo(o.seq());
        assertThat(o.effects().get(1).atMs()).isEqualTo(now - 6 * DAY);
        assertThat(h.points()).isEqualTo(new AccountView(50, 50, 0, 0, 50, 0, 0, 0));
    }

    @Test
    void shouldComputeEligibleFromItemsWithDiscounts() {
        optIn();
        EventOutcome o = h.apply(T0, Ev.of("checkout").txn("T1").total(999_999)
                .items(new Event.Item("p1", 1999, 3, 500), new Event.Item("p2", 250, 2, 0)));
        // 19.99 × 3 − 5.00 + 2.50 × 2 = 59.97 → 59 points
        assertThat(effects(o)).containsExactly("pending:59");
    }

    @Test
    void shouldEarnAtOnceWithZeroPendingDays() {
        Harness now = new Harness(TestConfigs.with(dev.loyalty.engine.config.ExpiryPolicy.ROLLING, 365, 0));
        now.apply(T0, Ev.of("opt_in"));
        EventOutcome o = now.apply(T0, Ev.of("checkout").txn("T1").total(1000));
        assertThat(effects(o)).containsExactly("earn:10");
        assertThat(now.points()).isEqualTo(new AccountView(10, 10, 0, 0, 10, 0, 0, 0));
        assertThat(now.apply(T0, Ev.of("checkout_accept").txn("T1")).error().code()).isEqualTo("not_pending");
    }

    @Test
    void shouldRejectDuplicateCheckoutTransaction() {
        optIn();
        h.apply(T0, Ev.of("checkout").txn("T1").total(1000));
        assertRejected(h.apply(T0, Ev.of("checkout").txn("T1").total(1000)), 409, "transaction_exists");
        assertRejected(h.apply(T0, Ev.of("checkout").txn("T1").total(1000).account("bonus")), 409,
                "transaction_exists");
    }

    @Test
    void shouldApplyMultiplierOfTierHeldAfterUpgrade() {
        optIn();
        h.apply(T0, Ev.of("checkout").txn("T0").total(10000)); // bronze: 100
        EventOutcome add = h.apply(T0 + DAY, Ev.of("point_add").points(900)); // qualifying 1000 → silver
        assertThat(add.applied()).isTrue();
        assertThat(h.view().tier()).isEqualTo("silver");
        assertThat(h.view().tierValidUntilMs()).isEqualTo(T0 + DAY + 365 * DAY);
        EventOutcome co = h.apply(T0 + 2 * DAY, Ev.of("checkout").txn("T1").total(9999));
        // floor(99.99 × 1.25) = floor(124.9875) = 124
        assertThat(effects(co)).containsExactly("pending:124");
        h.apply(T0 + 3 * DAY, Ev.of("point_add").points(3976)); // 5000 → gold
        assertThat(h.view().tier()).isEqualTo("gold");
        EventOutcome gold = h.apply(T0 + 3 * DAY, Ev.of("checkout").txn("T2").total(9999));
        // floor(99.99 × 1.5) = floor(149.985) = 149
        assertThat(effects(gold)).containsExactly("pending:149");
    }

    @Test
    void shouldAcceptPendingCheckoutOnceOnly() {
        optIn();
        h.apply(T0, Ev.of("checkout").txn("T1").total(20000));
        assertRejected(h.apply(T0, Ev.of("checkout_accept").txn("T9")), 409, "transaction_not_found");
        EventOutcome o = h.apply(T0 + DAY, Ev.of("checkout_accept").txn("T1").account("bonus"));
        assertThat(effects(o)).containsExactly("accept:200");
        assertThat(o.effects().get(0).account()).isEqualTo("points");
        assertThat(h.points()).isEqualTo(new AccountView(200, 200, 0, 0, 200, 0, 0, 0));
        assertRejected(h.apply(T0 + DAY, Ev.of("checkout_accept").txn("T1")), 409, "not_pending");
        // nothing left to auto-accept
        h.tick(T0 + 20 * DAY);
        assertThat(h.points().earned()).isEqualTo(200);
    }

    @Test
    void shouldDropPendingAndGiveBackBurnedOnReject() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        EventOutcome co = h.apply(T0 + 1, Ev.of("checkout").txn("T1").total(5000).burned(30));
        assertThat(effects(co)).containsExactly("spend:30", "pending:50");
        assertThat(h.points()).isEqualTo(new AccountView(70, 70, 0, 50, 100, 30, 0, 0));
        EventOutcome rej = h.apply(T0 + 2, Ev.of("checkout_reject").txn("T1"));
        assertThat(effects(rej)).containsExactly("reject:50", "unspend:30");
        assertThat(h.points()).isEqualTo(new AccountView(100, 100, 0, 0, 100, 0, 0, 0));
        assertThat(h.view().qualifyingPoints()).isEqualTo(100);
        assertRejected(h.apply(T0 + 3, Ev.of("checkout_reject").txn("T1")), 409, "not_pending");
        assertRejected(h.apply(T0 + 3, Ev.of("refund").txn("T1")), 409, "already_done");
        assertRejected(h.apply(T0 + 3, Ev.of("partial_refund").txn("T1").amount(100)), 409, "already_done");
        assertRejected(h.apply(T0 + 3, Ev.of("checkout_reject").txn("T9")), 409, "transaction_not_found");
    }

    @Test
    void shouldRejectWholeCheckoutWhenBurnedPointsAreNotSpendable() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(20));
        assertRejected(h.apply(T0 + 1, Ev.of("checkout").txn("T1").total(5000).burned(21)), 409,
                "insufficient_points");
        assertThat(h.customer.checkouts).isEmpty();
        assertThat(h.points()).isEqualTo(new AccountView(20, 20, 0, 0, 20, 0, 0, 0));
    }

    @Test
    void shouldDropPendingOnRefundAndGiveBackBurned() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        h.apply(T0 + 1, Ev.of("checkout").txn("T1").total(5000).burned(30));
        EventOutcome o = h.apply(T0 + 2, Ev.of("refund").txn("T1"));
        assertThat(effects(o)).containsExactly("refund:50", "unspend:30");
        assertThat(h.points()).isEqualTo(new AccountView(100, 100, 0, 0, 100, 0, 0, 0));
        assertThat(h.view().qualifyingPoints()).isEqualTo(100);
        assertRejected(h.apply(T0 + 3, Ev.of("refund").txn("T1")), 409, "already_done");
        assertRejected(h.apply(T0 + 3, Ev.of("refund").txn("T9")), 409, "transaction_not_found");
        h.tick(T0 + 20 * DAY);
        assertThat(h.points().earned()).isEqualTo(100);
    }

    @Test
    void shouldDeductAcceptedPointsOnRefund() {
        optIn();
        h.apply(T0, Ev.of("checkout").txn("T1").total(8000));
        h.apply(T0, Ev.of("checkout_accept").txn("T1"));
        h.apply(T0, Ev.of("point_spend").points(50));
        EventOutcome o = h.apply(T0 + 1, Ev.of("refund").txn("T1"));
        assertThat(effects(o)).containsExactly("refund:80");
        // 30 left in lots, 80 deducted: debt 50
        assertThat(h.points()).isEqualTo(new AccountView(-50, -50, 0, 0, 80, 50, 0, 80));
        assertThat(h.view().qualifyingPoints()).isZero();
    }

    @Test
    void shouldReversePartialRefundsCumulativelyWithoutLosingPointsToRounding() {
        optIn();
        h.apply(T0, Ev.of("checkout").txn("T1").total(1000)); // 10 points pending
        assertThat(effects(h.apply(T0, Ev.of("partial_refund").txn("T1").amount(333))))
                .containsExactly("refund:3"); // floor(10 × 333 / 1000) = 3
        h.apply(T0, Ev.of("checkout_accept").txn("T1")); // 7 accepted
        assertThat(h.points()).isEqualTo(new AccountView(7, 7, 0, 0, 7, 0, 0, 0));
        assertThat(effects(h.apply(T0, Ev.of("partial_refund").txn("T1").amount(333))))
                .containsExactly("refund:3"); // floor(10 × 666 / 1000) = 6
        assertRejected(h.apply(T0, Ev.of("partial_refund").txn("T1").amount(335)), 409, "refund_exceeds_total");
        assertThat(effects(h.apply(T0, Ev.of("partial_refund").txn("T1").amount(334))))
                .containsExactly("refund:4"); // floor(10 × 1000 / 1000) = 10
        assertThat(h.points()).isEqualTo(new AccountView(0, 0, 0, 0, 7, 0, 0, 7));
        assertRejected(h.apply(T0, Ev.of("partial_refund").txn("T1").amount(1)), 409, "refund_exceeds_total");
        assertThat(h.view().qualifyingPoints()).isZero();
        // a full refund after partial ones reverses nothing more
        assertThat(effects(h.apply(T0, Ev.of("refund").txn("T1")))).isEmpty();
    }

    @Test
    void shouldGiveBackNoBurnedPointsOnPartialRefundButOnLaterRefund() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        h.apply(T0, Ev.of("checkout").txn("T1").total(2000).burned(40));
        assertThat(effects(h.apply(T0, Ev.of("partial_refund").txn("T1").amount(1000))))
                .containsExactly("refund:10");
        assertThat(h.points().spent()).isEqualTo(40);
        assertThat(effects(h.apply(T0, Ev.of("refund").txn("T1")))).containsExactly("refund:10", "unspend:40");
        assertThat(h.points()).isEqualTo(new AccountView(100, 100, 0, 0, 100, 0, 0, 0));
    }

    // ------------------------------------------------------------ reservations

    @Test
    void shouldReserveAndRelease() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        assertRejected(h.apply(T0, Ev.of("reserve_points").txn("R1").points(101)), 409, "insufficient_points");
        assertThat(effects(h.apply(T0, Ev.of("reserve_points").txn("R1").points(60)))).containsExactly("reserve:60");
        assertThat(h.points()).isEqualTo(new AccountView(100, 40, 60, 0, 100, 0, 0, 0));
        assertRejected(h.apply(T0, Ev.of("reserve_points").txn("R1").points(1)), 409, "transaction_exists");
        assertRejected(h.apply(T0, Ev.of("release_points").txn("R9")), 409, "reservation_not_found");
        assertThat(effects(h.apply(T0, Ev.of("release_points").txn("R1")))).containsExactly("release:60");
        assertThat(h.points()).isEqualTo(new AccountView(100, 100, 0, 0, 100, 0, 0, 0));
        assertRejected(h.apply(T0, Ev.of("release_points").txn("R1")), 409, "reservation_not_found");
    }

    @Test
    void shouldNotExpireReservedPointsButReleaseThemWithTheirLotsExpiry() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        h.apply(T0, Ev.of("reserve_points").txn("R1").points(100));
        h.tick(T0 + 366 * DAY);
        assertThat(h.points()).isEqualTo(new AccountView(100, 0, 100, 0, 100, 0, 0, 0));
        EventOutcome o = h.apply(T0 + 367 * DAY, Ev.of("release_points").txn("R1"));
        assertThat(effects(o)).containsExactly("release:100", "expire:100");
        assertThat(h.points()).isEqualTo(new AccountView(0, 0, 0, 0, 100, 0, 100, 0));
    }

    @Test
    void shouldBurnFromReservationFirstAndReleaseItsRestOnCheckout() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(500));
        h.apply(T0, Ev.of("reserve_points").txn("T1").points(200));
        EventOutcome o = h.apply(T0 + 1, Ev.of("checkout").txn("T1").total(10000).burned(150));
        assertThat(effects(o)).containsExactly("spend:150", "release:50", "pending:100");
        assertThat(h.points()).isEqualTo(new AccountView(350, 350, 0, 100, 500, 150, 0, 0));
        assertRejected(h.apply(T0 + 1, Ev.of("release_points").txn("T1")), 409, "reservation_not_found");
        // reject gives the burned points back to the lots
        assertThat(effects(h.apply(T0 + 2, Ev.of("checkout_reject").txn("T1"))))
                .containsExactly("reject:100", "unspend:150");
        assertThat(h.points()).isEqualTo(new AccountView(500, 500, 0, 0, 500, 0, 0, 0));
    }

    @Test
    void shouldBurnBeyondReservationFromSpendable() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100));
        h.apply(T0, Ev.of("reserve_points").txn("T1").points(30));
        assertRejected(h.apply(T0, Ev.of("checkout").txn("T1").total(100).burned(101)), 409, "insufficient_points");
        assertThat(h.points().reserved()).isEqualTo(30);
        EventOutcome o = h.apply(T0, Ev.of("checkout").txn("T1").total(100).burned(80));
        assertThat(effects(o)).containsExactly("spend:80", "pending:1");
        assertThat(h.points()).isEqualTo(new AccountView(20, 20, 0, 1, 100, 80, 0, 0));
    }

    @Test
    void shouldNotSettleReservationOfAnotherAccount() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(100).account("bonus"));
        h.apply(T0, Ev.of("reserve_points").txn("T1").points(30).account("bonus"));
        EventOutcome o = h.apply(T0, Ev.of("checkout").txn("T1").total(100));
        assertThat(effects(o)).containsExactly("pending:1");
        assertThat(h.bonus().reserved()).isEqualTo(30);
    }

    // ------------------------------------------------------------ custom actions

    @Test
    void shouldEarnCustomActionIntoItsAccountOnceWhenConfiguredOnce() {
        optIn();
        EventOutcome r = h.apply(T0 + DAY, Ev.of("review_written").account("points"));
        assertThat(effects(r)).containsExactly("earn:50");
        assertThat(r.effects().get(0).account()).isEqualTo("bonus");
        assertThat(effects(h.apply(T0 + DAY, Ev.of("review_written")))).containsExactly("earn:50");
        assertThat(h.bonus().balance()).isEqualTo(100);
        assertThat(effects(h.apply(T0 + 2 * DAY, Ev.of("newsletter_signup")))).containsExactly("earn:100");
        assertRejected(h.apply(T0 + 3 * DAY, Ev.of("newsletter_signup")), 409, "already_done");
        assertThat(h.points().balance()).isEqualTo(100);
        // custom actions do not count for tiers, but are activity
        assertThat(h.view().qualifyingPoints()).isZero();
        assertThat(h.view().lastActivityAtMs()).isEqualTo(T0 + 2 * DAY);
    }

    // ------------------------------------------------------------ activity and rejection

    @Test
    void shouldTrackLatestActivityOfAppliedActivityEventsOnly() {
        optIn();
        h.apply(T0 + 5 * DAY, Ev.of("point_add").points(10)); // not activity
        assertThat(h.view().lastActivityAtMs()).isEqualTo(T0);
        h.apply(T0 + 6 * DAY, Ev.of("point_spend").points(100)); // rejected: not activity
        assertThat(h.view().lastActivityAtMs()).isEqualTo(T0);
        h.apply(T0 + 7 * DAY, Ev.of("checkout").txn("A").total(100).at(T0 + 6 * DAY));
        assertThat(h.view().lastActivityAtMs()).isEqualTo(T0 + 6 * DAY);
        h.apply(T0 + 8 * DAY, Ev.of("checkout").txn("B").total(100).at(T0 + 2 * DAY)); // older: no change
        assertThat(h.view().lastActivityAtMs()).isEqualTo(T0 + 6 * DAY);
    }

    @Test
    void shouldChangeNothingButDueWorkWhenRejected() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(10));
        h.apply(T0, Ev.of("checkout").txn("T1").total(100));
        byte[] before = CustomerCodec.encode(h.customer);
        int ledgerBefore = h.ledger.size();
        assertRejected(h.apply(T0 + 1, Ev.of("point_spend").points(11)), 409, "insufficient_points");
        assertThat(CustomerCodec.encode(h.customer)).isEqualTo(before);
        assertThat(h.ledger).hasSize(ledgerBefore);
        // due work before a rejected event still runs and stays
        EventOutcome late = h.apply(T0 + 15 * DAY, Ev.of("point_spend").points(12));
        assertRejected(late, 409, "insufficient_points");
        assertThat(h.ledger).hasSize(ledgerBefore + 1);
        assertThat(h.points().balance()).isEqualTo(11);
    }

    @Test
    void shouldNumberLedgerEntriesPerCustomerFromOne() {
        optIn();
        h.apply(T0, Ev.of("point_add").points(10));
        h.apply(T0, Ev.of("point_spend").points(5));
        h.apply(T0, Ev.of("point_add").points(10));
        assertThat(h.ledger).extracting(LedgerEntry::id).containsExactly(1L, 2L, 3L);
        assertThat(h.customer.ledgerEntries()).isEqualTo(3);
    }
}
