package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig.AccountRules;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Expiry instants of lots under an account's policy, for these rules and for core v2: pure functions, no clock,
 * integer civil-calendar arithmetic (no {@code Instant}/{@code LocalDate} per lot, as core v2 is allocation-free).
 */
public final class Expiry {

    public static final long DAY_MS = 86_400_000L;

    private Expiry() {
    }

    /**
     * When a lot of that event time expires (it is expired once the clock reaches this instant), or
     * {@link Long#MAX_VALUE} for never. {@code rules} null (an account no longer configured) never expires.
     * Under {@code last_activity} every lot expires N days after the last activity; with no activity yet
     * recorded, lots do not expire until there is one.
     */
    public static long expiryMs(AccountRules rules, long lotEventTimeMs, long lastActivityAtMs) {
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

    /** time + days, saturating at the long range. */
    public static long plusDays(long timeMs, long days) {
        long delta = days * DAY_MS;
        if (days != 0 && (delta / DAY_MS != days)) {
            return days >= 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        long sum = timeMs + delta;
        if (((timeMs ^ sum) & (delta ^ sum)) < 0) {
            return days >= 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }

    /** 00:00 UTC of January 1st of the year {@code plusYears} after that instant's year. */
    public static long yearStartMs(long timeMs, int plusYears) {
        int year = Instant.ofEpochMilli(timeMs).atZone(ZoneOffset.UTC).getYear() + plusYears;
        return LocalDate.of(year, 1, 1).toEpochDay() * DAY_MS;
    }

    /**
     * 23:59:59.999 UTC of month-day in the year after the event time's year; a day past the month's end
     * (02-29 in a common year) is clamped to the month's last day.
     */
    public static long calendar(long eventTimeMs, int month, int day) {
        long year = yearOfEpochDay(Math.floorDiv(eventTimeMs, DAY_MS)) + 1;
        int m = Math.max(1, Math.min(12, month));
        int d = Math.max(1, Math.min(monthLength(year, m), day));
        return epochDay(year, m, d) * DAY_MS + DAY_MS - 1;
    }

    /** Proleptic Gregorian year of an epoch day (H. Hinnant's civil_from_days). */
    static long yearOfEpochDay(long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long y = yoe + era * 400;
        return mp >= 10 ? y + 1 : y;
    }

    /** Epoch day of a date (H. Hinnant's days_from_civil). */
    static long epochDay(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        int mp = month > 2 ? month - 3 : month + 9;
        long doy = (153L * mp + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    private static int monthLength(long year, int month) {
        switch (month) {
            case 2:
                boolean leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
                return leap ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }
}
