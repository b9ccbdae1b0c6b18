package dev.loyalty.engine.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration ({@code 250ms 5s 5m 1h 7d}; also the bench harness's options) and size ({@code 512KiB 1MiB 1GiB}, plain bytes) notations. */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(B|KiB|MiB|GiB|TiB)?");

    private Units() {
    }

    /** A duration as configured, with the text it was written as (messages quote what the user wrote). */
    record TimeSpan(Duration duration, String text) {
    }

    /** A size in bytes as configured, with the text it was written as. */
    record ByteSize(long bytes, String text) {
    }

    /** A duration: a whole number and a unit; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration: a whole number and a unit ms, s, m, h or d "
                    + "(250ms, 5s, 7d), got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        try {
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            d.toMillis(); // users of a duration may count in milliseconds: refuse what they cannot hold
            return d;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration too large, got '" + text + "'", e);
        }
    }

    /** A size in bytes: plain bytes, or a whole number with B, KiB, MiB, GiB or TiB. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            String hint = text.toUpperCase(Locale.ROOT).matches(".*\\d\\s*[KMGT]B?")
                    ? " (binary units are written KiB, MiB, GiB)" : "";
            throw new IllegalArgumentException("must be a size: bytes, or a whole number with KiB, MiB or GiB "
                    + "(512KiB, 1MiB), got '" + text + "'" + hint);
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            case "TiB" -> 40;
            default -> 0;
        };
        if (amount > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large, got '" + text + "'");
        }
        return amount << shift;
    }
}
