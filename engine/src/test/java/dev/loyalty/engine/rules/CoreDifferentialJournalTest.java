package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static dev.loyalty.engine.rules.Harness.DAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long realistic journal (a seeded shop day after day for 440 days: mostly checkouts, some spends, refunds,
 * reservations, heartbeats, snapshot reloads) through today's rules and the core v2 side by side, under each
 * expiry policy: the long-horizon complement of the random short journals of the properties.
 */
class CoreDifferentialJournalTest {

    /** Index of each action in the properties' action table. */
    private static final int OPT_IN = 0;
    private static final int POINT_ADD = 3;
    private static final int SPEND = 5;
    private static final int UNSPEND = 6;
    private static final int CHECKOUT = 7;
    private static final int ACCEPT = 8;
    private static final int REFUND = 10;
    private static final int PARTIAL_REFUND = 11;
    private static final int RESERVE = 12;
    private static final int RELEASE = 13;
    private static final int REVIEW = 14;
    private static final int TICK = 17;
    private static final int RELOAD = 20;

    @ParameterizedTest
    @EnumSource(ExpiryPolicy.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldMatchTodaysRulesOverMoreThanAYear(ExpiryPolicy policy) {
        SplittableRandom random = new SplittableRandom(policy.ordinal() + 11);
        List<CoreDifferentialPropertiesTest.Step> steps = new ArrayList<>();
        steps.add(new CoreDifferentialPropertiesTest.Step(OPT_IN, 1, 0, 0, 1));
        steps.add(new CoreDifferentialPropertiesTest.Step(OPT_IN, 2, 0, 0, 2));
        int[] mix = {CHECKOUT, CHECKOUT, CHECKOUT, CHECKOUT, CHECKOUT, CHECKOUT, SPEND, SPEND, POINT_ADD, ACCEPT,
            REFUND, PARTIAL_REFUND, RESERVE, RELEASE, UNSPEND, REVIEW, TICK, TICK};
        long span = 0;
        while (span < 440 * DAY) {
            long advance = random.nextLong(4 * 3_600_000L);
            span += advance;
            int action = random.nextInt(500) == 0 ? RELOAD : mix[random.nextInt(mix.length)];
            steps.add(new CoreDifferentialPropertiesTest.Step(action, random.nextInt(3), random.nextInt(5), advance,
                    random.nextLong()));
        }
        DualHarness h = CoreDifferentialPropertiesTest.run(new CoreDifferentialPropertiesTest.Setup(policy,
                ExpiryPolicy.ROLLING, 14, "1", 365), steps);
        assertThat(h.entriesCompared).isGreaterThan(800);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldExpireAWholeLastActivityGroupInJournalOrderInterleavedWithAnAcceptance() {
        // every lot expires at the same instant under last_activity; today's rules expire them by journal order
        // and an auto-acceptance due at that instant credits a new lot that expires in the same pass
        List<CoreDifferentialPropertiesTest.Step> steps = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            steps.add(new CoreDifferentialPropertiesTest.Step(i % 3 == 0 ? CHECKOUT : POINT_ADD, 0, i % 4,
                    DAY / 7, 1000 + i));
        }
        steps.add(new CoreDifferentialPropertiesTest.Step(TICK, 0, 0, 120 * DAY, 0));
        DualHarness h = CoreDifferentialPropertiesTest.run(new CoreDifferentialPropertiesTest.Setup(
                ExpiryPolicy.LAST_ACTIVITY, ExpiryPolicy.CALENDAR, 14, "1", 365), steps);
        assertThat(h.entriesCompared).isGreaterThan(30);
    }
}
