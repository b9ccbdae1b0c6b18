package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.loyalty.engine.rules.Harness.DAY;
import static dev.loyalty.engine.rules.Harness.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Expiring points (api.md, "Expiring points"): per policy, the sum rule, and the per-day figures of /stats. */
class RulesExpiringTest {

    private static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static List<ExpiringPoints> expiring(Harness h, String account, int max) {
        return h.rules.expiring(h.customer, max).get(account);
    }

    private static ExpiringPoints at(long atMs, long points) {
        return new ExpiringPoints(atMs, points);
    }

    /** The per-day figures the /stats buckets are fed with, as {account, day, points}. */
    private static List<long[]> days(Harness h) {
        List<long[]> out = new ArrayList<>();
        h.rules.forEachExpiryDay(h.customer, (account, day, points) -> out.add(new long[] {account, day, points}));
        return out;
    }

    @Test
    void shouldGroupRollingLotsByExpiryInstantSoonestFirst() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.ROLLING, 30, 0));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0 + 3_600_000, Ev.of("point_add").points(100));
        h.apply(T0 + 2 * DAY, Ev.of("point_add").points(50));
        h.apply(T0 + 3 * DAY, Ev.of("point_add").points(20).at(T0 + 2 * DAY));
        h.apply(T0 + 3 * DAY, Ev.of("point_add").points(5).at(T0 + 2 * DAY + 1));

        assertThat(expiring(h, "points", 3)).containsExactly(at(T0 + 3_600_000 + 30 * DAY, 100),
                at(T0 + 32 * DAY, 70), at(T0 + 32 * DAY + 1, 5));
        assertThat(expiring(h, "points", 2)).as("at most N, the soonest").hasSize(2);
        assertThat(expiring(h, "bonus", 3)).isEmpty();

        h.apply(T0 + 4 * DAY, Ev.of("point_spend").points(130));
        assertThat(expiring(h, "points", 3)).as("spent earliest expiry first")
                .containsExactly(at(T0 + 32 * DAY, 40), at(T0 + 32 * DAY + 1, 5));
        assertThat(days(h)).as("one figure per UTC day").extracting(d -> d[1] + ":" + d[2])
                .containsExactly((T0 / DAY + 32) + ":45");

        h.tick(T0 + 32 * DAY);
        assertThat(expiring(h, "points", 3)).containsExactly(at(T0 + 32 * DAY + 1, 5));
    }

    @Test
    void shouldListCalendarLotsOfOneYearAsOneInstant() {
        RulesConfig config = TestConfigs.withAccounts(TestConfigs.defaults(), List.of(
                new AccountRules("points", ExpiryPolicy.CALENDAR, 0, 12, 31),
                new AccountRules("bonus", ExpiryPolicy.CALENDAR, 0, 3, 31)));
        Harness h = new Harness(config);
        h.apply(ms("2026-02-01T10:00:00Z"), Ev.of("opt_in"));
        h.apply(ms("2026-02-01T10:00:00Z"), Ev.of("point_add").points(100));
        h.apply(ms("2026-11-30T10:00:00Z"), Ev.of("point_add").points(30));
        h.apply(ms("2027-01-02T10:00:00Z"), Ev.of("point_add").points(7));
        h.apply(ms("2027-01-02T10:00:00Z"), Ev.of("point_add").account("bonus").points(9));

        assertThat(expiring(h, "points", 3)).containsExactly(at(ms("2027-12-31T23:59:59.999Z"), 130),
                at(ms("2028-12-31T23:59:59.999Z"), 7));
        assertThat(expiring(h, "bonus", 3)).containsExactly(at(ms("2028-03-31T23:59:59.999Z"), 9));
        assertThat(days(h)).extracting(d -> d[0] + ":" + d[2]).containsExactly("0:130", "0:7", "1:9");
    }

    @Test
    void shouldListEveryLotAtOneInstantThatActivityPushesUnderLastActivity() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.LAST_ACTIVITY, 30, 14));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0 + DAY, Ev.of("point_add").points(100).at(T0 - 200 * DAY));
        h.apply(T0 + 5 * DAY, Ev.of("point_add").points(40));
        h.apply(T0 + 5 * DAY, Ev.of("checkout").txn("T1").total(5000));
        assertThat(h.points().pending()).as("pending points are not lots yet").isEqualTo(50);
        assertThat(expiring(h, "points", 3)).as("point_add is no activity; the checkout is")
                .containsExactly(at(T0 + 35 * DAY, 140));

        h.apply(T0 + 9 * DAY, Ev.of("point_spend").points(10));
        assertThat(expiring(h, "points", 3)).containsExactly(at(T0 + 39 * DAY, 130));
        assertThat(days(h)).extracting(d -> d[1] + ":" + d[2]).containsExactly((T0 / DAY + 39) + ":130");
    }

    @Test
    void shouldListNothingUnderPolicyNone() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.NONE, 0, 0));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("point_add").points(100));
        assertThat(expiring(h, "points", 100)).isEmpty();
        assertThat(days(h)).isEmpty();
    }

    @Test
    void shouldLeaveReservedPointsOutUntilReleased() {
        Harness h = new Harness(TestConfigs.with(ExpiryPolicy.ROLLING, 30, 0));
        h.apply(T0, Ev.of("opt_in"));
        h.apply(T0, Ev.of("point_add").points(100));
        h.apply(T0 + DAY, Ev.of("reserve_points").points(60).txn("R1"));
        assertThat(expiring(h, "points", 3)).containsExactly(at(T0 + 30 * DAY, 40));
        h.apply(T0 + 2 * DAY, Ev.of("release_points").txn("R1"));
        assertThat(expiring(h, "points", 3)).as("given back with the lot's own expiry")
                .containsExactly(at(T0 + 30 * DAY, 100));
    }

    @Provide
    Arbitrary<List<RulesPropertiesTest.Step>> steps() {
        return new RulesPropertiesTest().steps();
    }

    @Property(tries = 300)
    void shouldListExpiringPointsAddingUpToSpendableAfterEveryEvent(
            @ForAll("steps") List<RulesPropertiesTest.Step> steps, @ForAll ExpiryPolicy policy) {
        Harness h = new Harness(TestConfigs.with(policy, policy == ExpiryPolicy.LAST_ACTIVITY ? 60 : 365, 14));
        long now = T0;
        h.apply(now, Ev.of("opt_in"));
        for (RulesPropertiesTest.Step s : steps) {
            now += s.advanceMs();
            String action = RulesPropertiesTest.ACTIONS[s.action()];
            if (action.equals("tick")) {
                h.tick(now);
            } else {
                h.apply(now, RulesPropertiesTest.event(action, s, now));
            }
            checkExpiring(h, policy);
        }
    }

    private static void checkExpiring(Harness h, ExpiryPolicy policy) {
        Map<String, List<ExpiringPoints>> all = h.rules.expiring(h.customer, Integer.MAX_VALUE);
        long[] byDays = new long[2];
        long[] previous = null;
        for (long[] d : days(h)) {
            byDays[(int) d[0]] += d[2];
            assertThat(d[2]).isPositive();
            if (previous != null) {
                assertThat(previous[0] < d[0] || (previous[0] == d[0] && previous[1] < d[1]))
                        .as("accounts in order, days ascending, one figure per day").isTrue();
            }
            previous = d;
        }
        int index = 0;
        for (Map.Entry<String, List<ExpiringPoints>> e : all.entrySet()) {
            List<ExpiringPoints> entries = e.getValue();
            long spendable = h.view().accounts().get(e.getKey()).spendable();
            long sum = 0;
            for (int i = 0; i < entries.size(); i++) {
                assertThat(entries.get(i).points()).isPositive();
                assertThat(entries.get(i).atMs()).as("expiring after the clock").isGreaterThan(h.journal.clockMs);
                if (i > 0) {
                    assertThat(entries.get(i).atMs()).as("soonest first").isGreaterThan(entries.get(i - 1).atMs());
                }
                sum += entries.get(i).points();
            }
            if (policy == ExpiryPolicy.NONE || spendable <= 0) {
                assertThat(entries).isEmpty();
            } else {
                assertThat(sum).as("entries add up to spendable").isEqualTo(spendable);
            }
            if (policy == ExpiryPolicy.LAST_ACTIVITY) {
                assertThat(entries).hasSizeLessThanOrEqualTo(1);
            }
            assertThat(byDays[index]).as("the per-day figures hold the same points").isEqualTo(sum);
            assertThat(h.rules.expiring(h.customer, 2).get(e.getKey()))
                    .isEqualTo(entries.subList(0, Math.min(2, entries.size())));
            index++;
        }
    }
}
