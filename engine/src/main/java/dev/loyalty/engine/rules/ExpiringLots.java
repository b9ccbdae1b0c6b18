package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig.AccountRules;

import java.util.ArrayList;
import java.util.List;

/**
 * A customer's lots grouped by when they expire under the accounts' policies: the instants of
 * {@code GET /customers/{id}} and the per-day figures of the {@code /stats} forecast. Pure functions.
 *
 * <p>Lots are sorted earliest expiry first under every policy, so equal instants (and days) are runs of
 * neighbouring lots: one pass, no sorting. Lots that never expire (policy {@code none}, an account no
 * longer configured, {@code last_activity} with no activity yet) are left out.
 */
final class ExpiringLots {

    private ExpiringLots() {
    }

    /** Up to {@code max} instants of the account's lots with their points, soonest first. */
    static List<ExpiringPoints> instants(AccountRules rules, Account account, long lastActivityAtMs, int max) {
        List<ExpiringPoints> out = new ArrayList<>(Math.min(max, 8));
        if (rules == null || rules.expiryPolicy() == ExpiryPolicy.NONE || account.lots.isEmpty() || max <= 0) {
            return out;
        }
        if (rules.expiryPolicy() == ExpiryPolicy.LAST_ACTIVITY) {
            long at = Expiry.expiryMs(rules, 0, lastActivityAtMs);
            if (at != Long.MAX_VALUE) {
                out.add(new ExpiringPoints(at, account.lotPoints()));
            }
            return out;
        }
        YearCache years = new YearCache();
        long runAt = Long.MIN_VALUE;
        long runPoints = 0;
        for (Lot lot : account.lots) {
            long at = years.expiryMs(rules, lot.eventTimeMs);
            if (at != runAt && runPoints > 0) {
                if (runAt != Long.MAX_VALUE) {
                    out.add(new ExpiringPoints(runAt, runPoints));
                }
                if (out.size() == max) {
                    return out;
                }
                runPoints = 0;
            }
            runAt = at;
            runPoints += lot.points;
        }
        if (runPoints > 0 && runAt != Long.MAX_VALUE) {
            out.add(new ExpiringPoints(runAt, runPoints));
        }
        return out;
    }

    /**
     * Visits the points of every configured account's lots per UTC expiry day, accounts in order and days
     * ascending; no allocation but a calendar policy's year arithmetic.
     */
    static void visitDays(List<AccountRules> accounts, Customer c, ExpiryDayVisitor visitor) {
        int n = Math.min(accounts.size(), c.accounts.size());
        for (int i = 0; i < n; i++) {
            AccountRules rules = accounts.get(i);
            Account account = c.accounts.get(i);
            if (rules.expiryPolicy() == ExpiryPolicy.NONE || account.lots.isEmpty()) {
                continue;
            }
            if (rules.expiryPolicy() == ExpiryPolicy.LAST_ACTIVITY) {
                long at = Expiry.expiryMs(rules, 0, c.lastActivityAtMs);
                if (at != Long.MAX_VALUE) {
                    visitor.expiring(i, Math.floorDiv(at, Expiry.DAY_MS), account.lotPoints());
                }
                continue;
            }
            visitRunsOfDays(i, rules, account, visitor);
        }
    }

    private static void visitRunsOfDays(int index, AccountRules rules, Account account, ExpiryDayVisitor visitor) {
        // Rolling and calendar instants are a function of the lot alone; a year cache spares the calendar
        // arithmetic for lots of the same year (most of them: lots come sorted by event time).
        YearCache years = rules.expiryPolicy() == ExpiryPolicy.CALENDAR ? new YearCache() : null;
        long runDay = Long.MIN_VALUE;
        long runPoints = 0;
        List<Lot> lots = account.lots;
        for (int j = 0; j < lots.size(); j++) {
            Lot lot = lots.get(j);
            long at = years != null ? years.expiryMs(rules, lot.eventTimeMs)
                    : Expiry.expiryMs(rules, lot.eventTimeMs, Long.MIN_VALUE);
            if (at == Long.MAX_VALUE) {
                // expiry is monotone in the lot order: no later lot expires either
                break;
            }
            long day = Math.floorDiv(at, Expiry.DAY_MS);
            if (day != runDay && runPoints > 0) {
                visitor.expiring(index, runDay, runPoints);
                runPoints = 0;
            }
            runDay = day;
            runPoints += lot.points;
        }
        if (runPoints > 0) {
            visitor.expiring(index, runDay, runPoints);
        }
    }

    /** Calendar expiry of the last year seen: lots of one event year share one instant. */
    private static final class YearCache {
        private long fromMs = Long.MAX_VALUE;
        private long toMs = Long.MIN_VALUE;
        private long expiryMs;

        long expiryMs(AccountRules rules, long eventTimeMs) {
            if (rules.expiryPolicy() != ExpiryPolicy.CALENDAR) {
                return Expiry.expiryMs(rules, eventTimeMs, Long.MIN_VALUE);
            }
            if (eventTimeMs < fromMs || eventTimeMs >= toMs) {
                expiryMs = Expiry.calendar(eventTimeMs, rules.calendarMonth(), rules.calendarDay());
                fromMs = Expiry.yearStartMs(eventTimeMs, 0);
                toMs = Expiry.yearStartMs(eventTimeMs, 1);
            }
            return expiryMs;
        }
    }
}
