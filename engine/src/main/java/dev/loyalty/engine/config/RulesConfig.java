package dev.loyalty.engine.config;

import java.math.BigDecimal;
import java.util.List;

/**
 * The loyalty rules in force: every number of loyalty-rules.md as configuration. Journaled whenever it
 * changes, so that replay applies every event under the rules in force at its place in the journal;
 * hence it is a plain value with a canonical JSON form (Jackson serialises records in component order).
 *
 * @param defaultAccount      account used when an event names none
 * @param accounts            configured accounts in display order; the first is not special
 * @param maxBackdateDays     oldest accepted effective timestamp, in days before the ingest clock
 * @param maxFutureSeconds    newest accepted effective timestamp, in seconds after the ingest clock
 * @param earnRate            points per currency unit on checkout
 * @param pendingDays         days a checkout's points stay pending before auto-accept (0 = at once)
 * @param tiers               tier ladder and its windows
 * @param activityActions     built-in actions that count as activity (custom actions always do)
 * @param customActions       configured custom actions
 */
public record RulesConfig(
        String defaultAccount,
        List<AccountRules> accounts,
        int maxBackdateDays,
        int maxFutureSeconds,
        BigDecimal earnRate,
        int pendingDays,
        TierRules tiers,
        List<String> activityActions,
        List<CustomAction> customActions) {

    /**
     * One account and its expiry policy.
     *
     * @param expiryDays     days for {@code rolling} and {@code last_activity}
     * @param calendarMonth  month (1-12) of the expiry day for {@code calendar}
     * @param calendarDay    day of month of the expiry day for {@code calendar}
     */
    public record AccountRules(String name, ExpiryPolicy expiryPolicy, int expiryDays, int calendarMonth,
                               int calendarDay) {
    }

    /**
     * The tier ladder.
     *
     * @param qualifyingAccount account whose checkout/point_add earnings qualify
     * @param windowDays        qualifying points count events at or after clock minus this many days
     * @param validityDays      a tier reached or renewed is valid this many days
     * @param levels            ascending thresholds; the first must have threshold 0
     */
    public record TierRules(String qualifyingAccount, int windowDays, int validityDays, List<Tier> levels) {
    }

    /** One tier: name, qualifying-points threshold and earn multiplier on checkout. */
    public record Tier(String name, long threshold, BigDecimal multiplier) {
    }

    /**
     * A configured custom action: earns {@code points} into {@code account} (whatever the event names);
     * with {@code once}, a second application for the same customer is {@code 409 already_done}.
     */
    public record CustomAction(String name, long points, String account, boolean once) {
    }

    /** Index of an account by name, or -1. */
    public int accountIndex(String name) {
        for (int i = 0; i < accounts.size(); i++) {
            if (accounts.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The custom action of that name, or null. */
    public CustomAction customAction(String name) {
        for (CustomAction a : customActions) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
