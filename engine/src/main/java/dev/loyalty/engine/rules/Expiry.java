package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig.AccountRules;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Expiry instants of lots under an account's policy; pure functions, no clock. */
final class Expiry {

    static final long DAY_MS = 86_400_000L;
    private static final long END_OF_DAY_MS = DAY_MS - 1;

    private Expiry() {
    }

    /**
     * When a lot of that event time expires (it is expired once the clock reaches this instant), or
     * {@link Long#MAX_VALUE} for never. {@code rules} null (an account no longer configured) never expires.
     * Under {@code last_activity} every lot expires N days after the last activity; with no activity yet
     * recorded, lots do not expire until there is one.
     */
    static long expiryMs(AccountRules rules, long lotEventTimeMs, long lastActivityAtMs) {
        if (rules == null) {
            return Long.MAX_VALUE;
        }
        ExpiryPolicy policy = rules.expiryPolicy();
        switch (policy) {
            case ROLLING:
                return plusDays(lotEventTimeMs, rules.expiryDays());
            case CALENDAR:
                return calendar(lotEventTimeMs, rules.calendarMonth(), rules.calendarDay());
            case LAST_ACTIVITY:
                return lastActivityAtMs == Long.MIN_VALUE ? Long.MAX_VALUE
                        : plusDays(lastActivityAtMs, rules.expiryDays());
            case NONE:
            default:
                return Long.MAX_VALUE;
        }
    }

    static long plusDays(long timeMs, long days) {
        long delta;
        try {
            delta = Math.multiplyExact(days, DAY_MS);
            return Math.addExact(timeMs, delta);
        } catch (ArithmeticException overflow) {
            return days >= 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    /** 00:00 UTC of January 1st of the year {@code plusYears} after that instant's year. */
    static long yearStartMs(long timeMs, int plusYears) {
        int year = Instant.ofEpochMilli(timeMs).atZone(ZoneOffset.UTC).getYear() + plusYears;
        return LocalDate.of(year, 1, 1).toEpochDay() * DAY_MS;
    }

    /**
     * 23:59:59.999 UTC of month-day in the year after the event time's year; a day past the month's end
     * (02-29 in a common year) is clamped to the month's last day.
     */
    static long calendar(long eventTimeMs, int month, int day) {
        int year = Instant.ofEpochMilli(eventTimeMs).atZone(ZoneOffset.UTC).getYear() + 1;
        int m = Math.max(1, Math.min(12, month));
        LocalDate first = LocalDate.of(year, m, 1);
        int d = Math.max(1, Math.min(first.lengthOfMonth(), day));
        long startOfDay = first.withDayOfMonth(d).toEpochDay() * DAY_MS;
        return startOfDay + END_OF_DAY_MS;
    }
}
