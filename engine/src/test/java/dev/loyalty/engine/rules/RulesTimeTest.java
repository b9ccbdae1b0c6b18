package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static dev.loyalty.engine.rules.Harness.DAY;
import static dev.loyalty.engine.rules.Harness.T0;
import static dev.loyalty.engine.rules.RulesActionsTest.effects;
import static org.assertj.core.api.Assertions.assertThat;

/** Expiry policies, tiers and the order of time-driven work. */
class RulesTimeTest {

    private static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static LedgerEntry last(Harness h) {
        return h.ledger.get(h.ledger.size() - 1);
    }

    // ------------------------------------------------------------ expiry policies

    @Test
    void shouldNeverExpireUnderPolicyNone() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.NONE, 0, 14));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("point_add").points(100));
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(Long.MAX_VALUE);
        h.tick(T0 + 3000 * DAY);
        assertThat(h.points()).isEqualTo(new AccountView(100, 100, 0, 0, 100, 0, 0, 0));
    }

    @Test
    void shouldExpireRollingLotsDaysAfterTheirEventTime() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.ROLLING, 30, 14));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0 + 10 * DAY, Ev.of("point_add").points(100).at(T0 + 5 * DAY));
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(T0 + 35 * DAY);
        h.tick(T0 + 35 * DAY);
        assertThat(last(h).kind()).isEqualTo(LedgerKind.EXPIRE);
        assertThat(h.points().expired()).isEqualTo(100);
    }

    @Test
    void shouldExpireCalendarLotsAtEndOfConfiguredDayOfNextYear() {
        RulesConfig config = TestConfigs.withAccounts(TestConfigs.defaults(), List.of(
                new AccountRules("points", ExpiryPolicy.CALENDAR, 0, 3, 31),
                new AccountRules("bonus", ExpiryPolicy.CALENDAR, 0, 12, 31)));
        Harness h = new Harness(config);
        h.apply(ms("2026-03-10T12:00:00Z"), Ev.of("opt_in"));
        h.apply(ms("2026-03-10T12:00:00Z"), Ev.of("point_add").points(100));
        h.apply(ms("2026-12-31T23:00:00Z"), Ev.of("point_add").points(40));
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(ms("2027-03-31T23:59:59.999Z"));
        h.tick(ms("2027-03-31T23:59:59.998Z"));
        assertThat(h.points().balance()).isEqualTo(140);
        h.tick(ms("2027-03-31T23:59:59.999Z"));
        // one entry per lot, in the journal order of the lots
        List<LedgerEntry> expiries = h.ledger.subList(h.ledger.size() - 2, h.ledger.size());
        assertThat(expiries).extracting(e -> e.kind().wireName() + ":" + e.points())
                .containsExactly("expire:100", "expire:40");
        assertThat(h.points().balance()).isZero();
    }

    @Test
    void shouldClampCalendarDayToTheMonthsLength() {
        assertThat(Expiry.calendar(ms("2026-06-01T00:00:00Z"), 2, 29)).isEqualTo(ms("2027-02-28T23:59:59.999Z"));
        assertThat(Expiry.calendar(ms("2027-06-01T00:00:00Z"), 2, 29)).isEqualTo(ms("2028-02-29T23:59:59.999Z"));
        assertThat(Expiry.calendar(ms("2026-12-31T23:59:59.999Z"), 12, 31))
                .isEqualTo(ms("2027-12-31T23:59:59.999Z"));
    }

    @Test
    void shouldExpireAllLotsDaysAfterLastActivityUnderLastActivityPolicy() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.LAST_ACTIVITY, 30, 14));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("point_add").points(100));
        h.apply(T0 + 10 * DAY, Ev.of("point_add").points(20)); // not activity: date stays T0 + 30d
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(T0 + 30 * DAY);
        h.apply(T0 + 20 * DAY, Ev.of("point_spend").points(10)); // activity pushes to T0 + 50d
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(T0 + 50 * DAY);
        h.tick(T0 + 49 * DAY);
        assertThat(h.points().balance()).isEqualTo(110);
        h.tick(T0 + 51 * DAY);
        List<LedgerEntry> expiries = h.ledger.subList(h.ledger.size() - 2, h.ledger.size());
        assertThat(expiries).extracting(LedgerEntry::kind).containsOnly(LedgerKind.EXPIRE);
        assertThat(expiries).extracting(LedgerEntry::points).containsExactly(90L, 20L);
        assertThat(expiries).extracting(LedgerEntry::atMs).containsOnly(T0 + 50 * DAY);
        assertThat(h.points()).isEqualTo(new AccountView(0, 0, 0, 0, 120, 10, 110, 0));
    }

    @Test
    void shouldRunWorkDueAtSameInstantInJournalOrder() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.ROLLING, 14, 14));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("checkout").txn("T1").total(1000)); // auto-accept due T0 + 14d
        h.apply(T0, Ev.of("point_add").points(7)); // expires T0 + 14d, created after the checkout
        h.tick(T0 + 14 * DAY);
        List<LedgerEntry> due = h.ledger.subList(h.ledger.size() - 3, h.ledger.size());
        assertThat(due).extracting(e -> e.kind().wireName() + ":" + e.points())
                .containsExactly("accept:10", "expire:7", "expire:10");
    }

    @Test
    void shouldExpireBackdatedLotAtOnceAsPartOfTheEvent() {
        Harness h = new Harness();
        h.apply(T0 + 400 * DAY, Ev.of("opt_in"));
        EventOutcome o = h.apply(T0 + 400 * DAY, Ev.of("point_add").points(25).at(T0));
        assertThat(effects(o)).containsExactly("earn:25", "expire:25");
        assertThat(o.effects().get(1).seq()).isEqualTo(o.seq());
        assertThat(h.points()).isEqualTo(new AccountView(0, 0, 0, 0, 25, 0, 25, 0));
    }

    // ------------------------------------------------------------ tiers

    @Test
    void shouldUpgradeAtOnceAndRenewAtReviewWhenStillQualifying() {
        Harness h = new Harness();
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("point_add").points(1000));
        assertThat(h.view().tier()).isEqualTo("silver");
        assertThat(h.view().tierValidUntilMs()).isEqualTo(T0 + 365 * DAY);
        assertThat(h.customer.tierIndex()).isEqualTo(1);
        // at the review the point_add (event time T0 = due − 365d) still counts
        h.tick(T0 + 365 * DAY);
        assertThat(h.view().tier()).isEqualTo("silver");
        assertThat(h.view().tierValidUntilMs()).isEqualTo(T0 + 730 * DAY);
        h.tick(T0 + 730 * DAY);
        assertThat(h.view().tier()).isEqualTo("bronze");
        assertThat(h.view().tierValidUntilMs()).isEqualTo(CustomerView.NONE);
        assertThat(h.rules.nextDueMs(h.customer)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldDropSeveralLevelsAtReview() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.NONE, 0, 14));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0 + 10 * DAY, Ev.of("point_add").points(5000).at(T0)); // gold, valid until T0 + 375d
        assertThat(h.view().tier()).isEqualTo("gold");
        assertThat(h.view().tierValidUntilMs()).isEqualTo(T0 + 375 * DAY);
        h.apply(T0 + 100 * DAY, Ev.of("point_add").points(999)); // not enough for silver at the review
        h.tick(T0 + 400 * DAY);
        // as of T0 + 375d only the 999 (event time T0 + 100d) qualify
        assertThat(h.view().tier()).isEqualTo("bronze");
        assertThat(h.view().tierValidUntilMs()).isEqualTo(CustomerView.NONE);
        assertThat(h.view().qualifyingPoints()).isEqualTo(999);
    }

    @Test
    void shouldCountQualifyingPointsInWindowOnlyAndLessReversals() {
        Harness h = new Harness();
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("checkout").txn("A").total(30000)); // 300
        h.apply(T0 + 100 * DAY, Ev.of("point_add").points(200));
        h.apply(T0 + 100 * DAY, Ev.of("checkout").txn("B").total(10000)); // 100
        h.apply(T0 + 101 * DAY, Ev.of("partial_refund").txn("B").amount(2500)); // −25
        h.apply(T0 + 101 * DAY, Ev.of("review_written")); // custom: no
        h.apply(T0 + 101 * DAY, Ev.of("point_add").points(1).account("bonus")); // other account: no
        assertThat(h.view().qualifyingPoints()).isEqualTo(575);
        h.tick(T0 + 365 * DAY);
        assertThat(h.view().qualifyingPoints()).isEqualTo(575);
        h.tick(T0 + 365 * DAY + 1);
        assertThat(h.view().qualifyingPoints()).isEqualTo(275);
        assertThat(h.rules.qualifyingPoints(h.customer, T0 + 466 * DAY)).isZero();
    }

    @Test
    void shouldKeepRunningReviewsWhileOptedOut() {
        Harness h = new Harness();
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("point_add").points(1000).at(T0 - DAY));
        h.apply(T0, Ev.of("opt_out"));
        h.tick(T0 + 366 * DAY);
        assertThat(h.view().tier()).isEqualTo("bronze");
        assertThat(h.points().expired()).isEqualTo(1000);
    }

    @Test
    void shouldTreatAccountsAddedToTheConfigurationAsZero() {
        Harness old = new Harness();
        old.apply(T0, Ev.of("opt_in"));
        old.apply(T0, Ev.of("point_add").points(10));
        Customer c = CustomerCodec.decode(CustomerCodec.encode(old.customer));
        RulesConfig grown = TestConfigs.withAccounts(TestConfigs.defaults(), List.of(
                new AccountRules("points", ExpiryPolicy.ROLLING, 365, 12, 31),
                new AccountRules("bonus", ExpiryPolicy.ROLLING, 365, 12, 31),
                new AccountRules("miles", ExpiryPolicy.NONE, 0, 12, 31)));
        Rules rules = new Rules(grown);
        CustomerView v = rules.view(c, T0);
        assertThat(v.accounts().keySet()).containsExactly("points", "bonus", "miles");
        assertThat(v.accounts().get("miles")).isEqualTo(AccountView.ZERO);
        assertThat(c.balance(2)).isZero();
        assertThat(c.balance(0)).isEqualTo(10);
    }

    @Test
    void shouldComeOutTheSameWhetherDueWorkRunsEarlyOrLate() {
        // the processor runs due work at batch ends, which replay does not reproduce: state must not care
        Harness early = new Harness(TestConfigs.with(ExpiryPolicy.NONE, 0, 14));
        Harness late = new Harness(TestConfigs.with(ExpiryPolicy.NONE, 0, 14));
        for (Harness h : List.of(early, late)) {
            h.apply(T0, Ev.of("opt_in"));
            h.apply(T0, Ev.of("point_add").points(10)); // qualifying, leaves the window at T0 + 365d
            h.apply(T0 + 300 * DAY, Ev.of("checkout").txn("T1").total(100)); // auto-accept due T0 + 314d
        }
        early.heartbeat(T0 + 314 * DAY);
        early.batchEnd(); // due work runs here
        early.heartbeat(T0 + 400 * DAY);
        early.batchEnd(); // nothing due
        late.heartbeat(T0 + 314 * DAY);
        late.heartbeat(T0 + 400 * DAY);
        late.batchEnd(); // the same due work runs here
        assertThat(early.ledger).extracting(LedgerEntry::kind)
                .containsExactly(LedgerKind.EARN, LedgerKind.PENDING, LedgerKind.ACCEPT);
        assertThat(late.ledger).isEqualTo(early.ledger);
        assertThat(CustomerCodec.encode(late.customer)).isEqualTo(CustomerCodec.encode(early.customer));
    }
}
