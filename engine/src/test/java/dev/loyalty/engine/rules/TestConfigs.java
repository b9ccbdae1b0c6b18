package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.config.RulesConfig.CustomAction;
import dev.loyalty.engine.config.RulesConfig.Tier;
import dev.loyalty.engine.config.RulesConfig.TierRules;

import java.math.BigDecimal;
import java.util.List;

/** The shipped default rules of loyalty-rules.md, and variants, for tests. */
public final class TestConfigs {

    private TestConfigs() {
    }

    public static RulesConfig defaults() {
        return with(ExpiryPolicy.ROLLING, 365, 14);
    }

    /** Default rules with both accounts under that expiry policy and those pending days. */
    public static RulesConfig with(ExpiryPolicy policy, int expiryDays, int pendingDays) {
        return new RulesConfig("points",
                List.of(new AccountRules("points", policy, expiryDays, 12, 31),
                        new AccountRules("bonus", policy, expiryDays, 12, 31)),
                1095, 300, BigDecimal.ONE, pendingDays,
                new TierRules("points", 365, 365, List.of(
                        new Tier("bronze", 0, new BigDecimal("1.0")),
                        new Tier("silver", 1000, new BigDecimal("1.25")),
                        new Tier("gold", 5000, new BigDecimal("1.5")))),
                List.of("opt_in", "checkout", "checkout_accept", "point_spend"),
                List.of(new CustomAction("review_written", 50, "bonus", false),
                        new CustomAction("newsletter_signup", 100, "points", true)));
    }

    /** The same rules with the accounts replaced. */
    public static RulesConfig withAccounts(RulesConfig base, List<AccountRules> accounts) {
        return new RulesConfig(base.defaultAccount(), accounts, base.maxBackdateDays(), base.maxFutureSeconds(),
                base.earnRate(), base.pendingDays(), base.tiers(), base.activityActions(), base.customActions());
    }
}
