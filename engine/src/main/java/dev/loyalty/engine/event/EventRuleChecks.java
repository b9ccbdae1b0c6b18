package dev.loyalty.engine.event;

import dev.loyalty.engine.config.RulesConfig;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Checks shared by the tree validator ({@link EventValidator}) and the streaming checks ({@link EventChecks}). */
final class EventRuleChecks {

    private static final long DAY_MS = 86_400_000L;
    private static final int MAX_DIGITS = 40;
    private static final BigDecimal MS_PER_SECOND = BigDecimal.valueOf(1000);
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(1_000_000_000_000L);

    private EventRuleChecks() {
    }

    /** A validation failure, thrown inside the checks only (no stack trace: it is control flow). */
    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ValidationError error;

        Invalid(ValidationError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    static Invalid missing(String field) {
        return new Invalid(ValidationError.missing(field));
    }

    static Invalid invalid(String field, String why) {
        return new Invalid(ValidationError.invalid(field, why));
    }

    /** The exact decimal {@code d}, trailing zeros stripped, bounded in digits before any arithmetic on it. */
    static BigDecimal bounded(BigDecimal d, String field) {
        if (d.signum() == 0) {
            return BigDecimal.ZERO;
        }
        // bound the exponent before any arithmetic: 1e999999999 must not become a huge BigInteger
        if (d.precision() - (long) d.scale() > MAX_DIGITS) {
            throw invalid(field, "is too large");
        }
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() > MAX_DIGITS) {
            throw invalid(field, "has too many decimals");
        }
        return stripped;
    }

    /** Unix seconds (already {@link #bounded}) as epoch milliseconds, rounded down. */
    static long secondsToMs(BigDecimal seconds, String field) {
        if (seconds.abs().compareTo(MAX_SECONDS) > 0) {
            throw invalid(field, "is out of range");
        }
        return seconds.multiply(MS_PER_SECOND).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** {@code ms} itself when it lies within the configured future/backdate window around {@code nowMs}. */
    static long withinWindow(long ms, long nowMs, RulesConfig rules, String field) {
        long latest = nowMs + rules.maxFutureSeconds() * 1000L;
        long earliest = nowMs - rules.maxBackdateDays() * DAY_MS;
        if (ms > latest) {
            throw invalid(field, "is more than " + rules.maxFutureSeconds() + " seconds in the future");
        }
        if (ms < earliest) {
            throw invalid(field, "is more than " + rules.maxBackdateDays() + " days in the past");
        }
        return ms;
    }

    /** ISO-8601 instant: with an offset or Z; a date-time or date without offset is taken as UTC. */
    static long parseIsoMs(String text, String field) {
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException notOffset) {
            // fall through to the forms without an offset
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException notInstant) {
            // fall through
        }
        try {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException notLocal) {
            // fall through
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException notDate) {
            throw invalid(field, "is not an ISO-8601 timestamp");
        }
    }

    /** A client-supplied name cut to 64 characters for an error message. */
    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
