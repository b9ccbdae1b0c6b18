package dev.loyalty.engine.core;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig.AccountRules;
import dev.loyalty.engine.rules.Expiry;
import dev.loyalty.engine.rules.ExpiryDayVisitor;
import dev.loyalty.engine.rules.ExpiringPoints;

import java.util.ArrayList;
import java.util.List;

/**
 * A table customer's lots grouped by when they expire, exactly as {@code rules.ExpiringLots} groups an object
 * customer's: the instants of {@code GET /customers/{id}} and the per-day runs of the {@code /stats} forecast.
 * Lots are sorted earliest expiry first under every policy, so equal instants (and days) are runs of
 * neighbouring lots. Lots that never expire are left out. Owned by one partition thread (a year cache).
 */
final class CoreExpiring {

    private long yearFromMs = Long.MAX_VALUE;
    private long yearToMs = Long.MIN_VALUE;
    private long yearExpiryMs;

    /** Up to {@code max} instants of the account's lots with their points, soonest first (allocates: answers). */
    List<ExpiringPoints> instants(AccountRules rules, LotList lots, long lastActivityAtMs, int max) {
        List<ExpiringPoints> out = new ArrayList<>(Math.min(Math.max(max, 0), 8));
        if (rules.expiryPolicy() == ExpiryPolicy.NONE || lots == null || lots.isEmpty() || max <= 0) {
            return out;
        }
        if (rules.expiryPolicy() == ExpiryPolicy.LAST_ACTIVITY) {
            long at = Expiry.expiryMs(rules, 0, lastActivityAtMs);
            if (at != Long.MAX_VALUE) {
                out.add(new ExpiringPoints(at, lots.total()));
            }
            return out;
        }
        resetYear();
        long runAt = Long.MIN_VALUE;
        long runPoints = 0;
        for (int i = 0; i < lots.size(); i++) {
            long at = lotExpiryMs(rules, lots.eventTimeMs(i));
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
            runPoints += lots.points(i);
        }
        if (runPoints > 0 && runAt != Long.MAX_VALUE) {
            out.add(new ExpiringPoints(runAt, runPoints));
        }
        return out;
    }

    /** Visits the account's lot points per UTC expiry day, days ascending; allocates nothing. */
    void visitDays(int account, AccountRules rules, LotList lots, long lastActivityAtMs, ExpiryDayVisitor visitor) {
        if (rules.expiryPolicy() == ExpiryPolicy.NONE || lots == null || lots.isEmpty()) {
            return;
        }
        if (rules.expiryPolicy() == ExpiryPolicy.LAST_ACTIVITY) {
            long at = Expiry.expiryMs(rules, 0, lastActivityAtMs);
            if (at != Long.MAX_VALUE) {
                visitor.expiring(account, Math.floorDiv(at, Expiry.DAY_MS), lots.total());
            }
            return;
        }
        resetYear();
        long runDay = Long.MIN_VALUE;
        long runPoints = 0;
        for (int i = 0; i < lots.size(); i++) {
            long at = lotExpiryMs(rules, lots.eventTimeMs(i));
            if (at == Long.MAX_VALUE) {
                break; // expiry is monotone in the lot order: no later lot expires either
            }
            long day = Math.floorDiv(at, Expiry.DAY_MS);
            if (day != runDay && runPoints > 0) {
                visitor.expiring(account, runDay, runPoints);
                runPoints = 0;
            }
            runDay = day;
            runPoints += lots.points(i);
        }
        if (runPoints > 0) {
            visitor.expiring(account, runDay, runPoints);
        }
    }

    private void resetYear() {
        yearFromMs = Long.MAX_VALUE;
        yearToMs = Long.MIN_VALUE;
    }

    /** Rolling and calendar instants depend on the lot alone; lots of one event year share a calendar instant. */
    private long lotExpiryMs(AccountRules rules, long eventTimeMs) {
        if (rules.expiryPolicy() != ExpiryPolicy.CALENDAR) {
            return Expiry.expiryMs(rules, eventTimeMs, Long.MIN_VALUE);
        }
        if (eventTimeMs < yearFromMs || eventTimeMs >= yearToMs) {
            yearExpiryMs = Expiry.calendar(eventTimeMs, rules.calendarMonth(), rules.calendarDay());
            yearFromMs = Expiry.yearStartMs(eventTimeMs, 0);
            yearToMs = Expiry.yearStartMs(eventTimeMs, 1);
        }
        return yearExpiryMs;
    }
}
