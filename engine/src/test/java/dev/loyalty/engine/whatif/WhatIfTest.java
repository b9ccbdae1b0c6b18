package dev.loyalty.engine.whatif;

import dev.loyalty.engine.Backup;
import dev.loyalty.engine.Engine;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.testing.Folders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What-if replays against a journal written by a real engine (Chronicle Queue, RocksDB, processor threads):
 * identical rules reproduce the engine's figures, and changed rules move exactly what a model predicts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WhatIfTest {
    private static final int CUSTOMERS = 10;
    private static final int REVIEWS = 3;

    @TempDir
    static Path dir;

    private static Path data;
    private static EngineConfig config;
    private static ProgramStats endStats;
    private static long fromMs;
    private static Map<String, String> digests;

    /** Phase 1 checkouts (before {@code fromMs}), bronze throughout: points = value (rate 1, multiplier 1). */
    private static long before(int i) {
        return 20L * i + 7;
    }

    /** Phase 2 checkouts (from {@code fromMs} on). */
    private static long after(int i) {
        return 30L * i + 11;
    }

    @BeforeAll
    static void writeHistory() throws Exception {
        data = dir.resolve("data");
        config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2", "clock.adjustable", "true",
                "rules.earn.pending-days", "0"));
        try (LoyaltyEngine engine = Engine.start(config, new SimpleMeterRegistry())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!engine.ready()) {
                assertThat(System.nanoTime()).as("ready in time").isLessThan(deadline);
                Thread.sleep(10);
            }
            for (int i = 0; i < CUSTOMERS; i++) {
                History.post(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"opt_in\"}");
                History.post(engine, History.checkout(i, "A", before(i)));
            }
            // 40 days: the history spans a month boundary, where the replays settle due work and take month figures.
            fromMs = engine.advanceClock(40 * 86_400L).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < CUSTOMERS; i++) {
                History.post(engine, History.checkout(i, "B", after(i)));
            }
            for (int i = 0; i < REVIEWS; i++) {
                History.post(engine, "{\"customer\":\"c-" + i + "\",\"action\":\"review_written\"}");
            }
            endStats = engine.stats();
        }
        digests = Folders.fileDigests(data);
    }

    @AfterAll
    static void liveFolderUnchanged() throws Exception {
        assertThat(Folders.fileDigests(data)).as("the data folder after every what-if run").isEqualTo(digests);
    }

    private static WhatIf.Result run(UnaryOperator<RulesConfig> scenario, long from, long to, String scratch) {
        List<long[]> progress = new ArrayList<>();
        WhatIf.Result r = WhatIf.run(new WhatIf.Request(config, scenario, from, to, dir.resolve(scratch)),
                (seq, total) -> progress.add(new long[] {seq, total}));
        assertThat(progress).isNotEmpty();
        return r;
    }

    private static RulesConfig withEarnRate(RulesConfig r, int rate) {
        return new RulesConfig(r.defaultAccount(), r.accounts(), r.maxBackdateDays(), r.maxFutureSeconds(),
                BigDecimal.valueOf(rate), r.pendingDays(), r.tiers(), r.activityActions(), r.customActions());
    }

    private static long earned(Side side, String account) {
        return side.months().stream().mapToLong(m -> m.flow().get(account).earned()).sum();
    }

    @Test
    void shouldCommitOncePerPartitionAndSideWhateverTheFlushInterval() {
        // One event a batch and a 1 ms flush interval: the serving policy would commit after most batches.
        EngineConfig tight = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2", "clock.adjustable", "true",
                "rules.earn.pending-days", "0", "state.flush-interval", "1ms", "processor.batch-max", "1"));
        WhatIf.Result r = WhatIf.run(new WhatIf.Request(tight, UnaryOperator.identity(), Long.MIN_VALUE,
                Long.MAX_VALUE, dir.resolve("commits")), (seq, total) -> { });
        assertThat(r.customers()).isEmpty();
        assertThat(r.commits()).as("one commit per partition and side, at catch-up").isEqualTo(4);
    }

    @Test
    void shouldReproduceTheEngineFiguresWhenTheScenarioKeepsTheRules() throws Exception {
        WhatIf.Result r = run(UnaryOperator.identity(), Long.MIN_VALUE, Long.MAX_VALUE, "same");

        for (Side side : List.of(r.baseline(), r.scenario())) {
            Figures end = side.end();
            assertThat(end.eventsApplied()).isEqualTo(endStats.eventsApplied());
            assertThat(end.membersTotal()).isEqualTo(endStats.membersTotal());
            assertThat(end.membersActive()).isEqualTo(endStats.membersActive());
            assertThat(end.membersOptedOut()).isEqualTo(endStats.membersOptedOut());
            assertThat(end.tiers()).isEqualTo(endStats.tiers());
            assertThat(end.liability()).isEqualTo(endStats.liability());
            assertThat(end.activeMembers()).isEqualTo(endStats.activeMembers());
            assertThat(side.rejected()).isZero();
            assertThat(side.events()).isEqualTo(2L * CUSTOMERS + CUSTOMERS + REVIEWS);
        }
        assertThat(r.scenario().end()).isEqualTo(r.baseline().end());
        assertThat(r.scenario().months()).usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(r.baseline().months());
        assertThat(r.customers()).isEmpty();
        assertThat(RulesDiff.describe(r.baseRules(), r.scenarioRules())).isEmpty();
        assertThat(r.baseline().months()).as("months of the history").hasSizeGreaterThanOrEqualTo(2);
        // Hooks observe without changing anything: both rebuilt states equal the live one byte for byte.
        for (int p = 0; p < 2; p++) {
            Path live = dir.resolve("live-copy-" + p);
            Backup.copyTree(data.resolve("state/p" + p), live);
            for (String side : List.of("baseline", "scenario")) {
                try (PartitionStore rebuilt = PartitionStore.openReadOnly(dir.resolve("same/" + side + "/state/p" + p));
                     PartitionStore liveStore = PartitionStore.openReadOnly(live)) {
                    assertThat(rebuilt.firstDifference(liveStore)).as(side + " partition " + p).isNull();
                }
            }
        }
        long model = 0;
        for (int i = 0; i < CUSTOMERS; i++) {
            model += before(i) + after(i);
        }
        assertThat(earned(r.baseline(), "points")).isEqualTo(model);
        Month last = r.baseline().months().get(r.baseline().months().size() - 1);
        assertThat(last.end().liability()).isEqualTo(endStats.liability());
    }

    @Test
    void shouldRaiseEarnedAndLiabilityByExactlyTheDoubledCheckoutsFromTheDate() {
        WhatIf.Result r = run(rules -> withEarnRate(rules, 2), fromMs, Long.MAX_VALUE, "double");

        long phase1 = 0;
        long phase2 = 0;
        for (int i = 0; i < CUSTOMERS; i++) {
            phase1 += before(i);
            phase2 += after(i);
        }
        assertThat(earned(r.baseline(), "points")).isEqualTo(phase1 + phase2);
        assertThat(earned(r.scenario(), "points")).isEqualTo(phase1 + 2 * phase2);
        assertThat(r.baseline().end().liability().get("points")).isEqualTo(phase1 + phase2);
        assertThat(r.scenario().end().liability().get("points")).isEqualTo(phase1 + 2 * phase2);
        assertThat(r.scenario().end().liability().get("bonus")).isEqualTo(50L * REVIEWS);
        assertThat(r.customers()).hasSize(CUSTOMERS);
        for (int k = 0; k < CUSTOMERS; k++) {
            int i = CUSTOMERS - 1 - k; // largest second checkout first
            CustomerDiff d = r.customers().get(k);
            assertThat(d.customer()).isEqualTo("c-" + i);
            assertThat(d.totalDifference()).isEqualTo(after(i));
            assertThat(d.scenarioBalances().get("points") - d.baselineBalances().get("points")).isEqualTo(after(i));
        }
        assertThat(RulesDiff.describe(r.baseRules(), r.scenarioRules()))
                .containsExactly("Earn rate changes from 1 to 2 points per currency unit.");
    }

    @Test
    void shouldMoveTheCustomersBetweenTheThresholdsWhenSilverIsLowered() {
        WhatIf.Result r = run(rules -> {
            List<RulesConfig.Tier> levels = new ArrayList<>(rules.tiers().levels());
            RulesConfig.Tier silver = levels.get(1);
            levels.set(1, new RulesConfig.Tier(silver.name(), 300, silver.multiplier()));
            RulesConfig.TierRules t = rules.tiers();
            return new RulesConfig(rules.defaultAccount(), rules.accounts(), rules.maxBackdateDays(),
                    rules.maxFutureSeconds(), rules.earnRate(), rules.pendingDays(),
                    new RulesConfig.TierRules(t.qualifyingAccount(), t.windowDays(), t.validityDays(), levels),
                    rules.activityActions(), rules.customActions());
        }, Long.MIN_VALUE, Long.MAX_VALUE, "silver");

        List<String> between = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            if (before(i) + after(i) >= 300) {
                between.add("c-" + i);
            }
        }
        assertThat(between).hasSize(4);
        assertThat(r.baseline().end().tiers()).containsEntry("silver", 0L);
        assertThat(r.scenario().end().tiers()).containsEntry("silver", (long) between.size())
                .containsEntry("bronze", (long) (CUSTOMERS - between.size()));
        assertThat(r.customers()).filteredOn(d -> d.scenarioTier().equals("silver"))
                .extracting(CustomerDiff::customer).containsExactlyInAnyOrderElementsOf(between);
        assertThat(r.customers()).allSatisfy(d -> assertThat(d.baselineTier()).isEqualTo("bronze"));
    }

    @Test
    void shouldRejectEventsOfACustomActionTheScenarioRemoves() {
        WhatIf.Result r = run(rules -> new RulesConfig(rules.defaultAccount(), rules.accounts(),
                rules.maxBackdateDays(), rules.maxFutureSeconds(), rules.earnRate(), rules.pendingDays(),
                rules.tiers(), rules.activityActions(),
                rules.customActions().stream().filter(a -> !a.name().equals("review_written")).toList()),
                fromMs, Long.MAX_VALUE, "removed");

        assertThat(r.baseline().rejected()).isZero();
        assertThat(r.scenario().rejected()).isEqualTo(REVIEWS);
        assertThat(r.scenario().rejectedByCode()).containsExactly(Map.entry("unknown_action", (long) REVIEWS));
        assertThat(r.baseline().end().liability().get("bonus")).isEqualTo(50L * REVIEWS);
        assertThat(r.scenario().end().liability().get("bonus")).isZero();
        assertThat(r.customers()).extracting(CustomerDiff::customer).containsExactlyInAnyOrder("c-0", "c-1", "c-2");
    }

    @Test
    void shouldStopBothReplaysAtTheEndOfTheRange() {
        WhatIf.Result r = run(rules -> withEarnRate(rules, 2), fromMs, fromMs - 1, "until");

        long phase1 = 0;
        for (int i = 0; i < CUSTOMERS; i++) {
            phase1 += before(i);
        }
        assertThat(r.baseline().end().liability().get("points")).isEqualTo(phase1);
        assertThat(r.scenario().end()).isEqualTo(r.baseline().end());
        assertThat(r.customers()).isEmpty();
        assertThat(r.baseline().events()).isEqualTo(2L * CUSTOMERS);
    }
}
