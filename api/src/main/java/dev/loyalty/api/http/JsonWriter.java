package dev.loyalty.api.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * A hand-written streaming JSON writer into a reusable byte array, with the exact bytes Jackson's default
 * generator writes (compact; {@code " \ } and control characters escaped, {@code \b \t \n \f \r} short,
 * others and every UTF-16 surrogate as upper-case {@code \\uXXXX}; other text as UTF-8). One per thread
 * ({@link #acquire}): rendering a response allocates only the answer's own buffer. Not thread-safe.
 */
final class JsonWriter {

    /**
     * Scratch kept between answers; a larger one (a bulk of several hundred slots) is dropped after use. A
     * 100-event bulk's answer is ~70 KB: at the former 64 KiB every such bulk grew a 128 KiB array and then
     * dropped it for a new 64 KiB one (~1.9 KB allocated and ~0.7 KB copied per slot); 256 KiB holds it.
     */
    private static final int KEEP_BYTES = 256 * 1024;
    private static final ThreadLocal<JsonWriter> WRITERS = ThreadLocal.withInitial(JsonWriter::new);
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] LONG_MIN = ascii(Long.toString(Long.MIN_VALUE));
    private static final long DAY_MS = 86_400_000L;
    /** 10000-01-01T00:00:00Z: from there on ISO_INSTANT writes a sign and more digits. */
    private static final long YEAR_10000_MS = 253_402_300_800_000L;

    /** "00" to "99": two digits a lookup (a bulk answer writes ~3 times and ~40 numbers a slot). */
    private static final byte[] DIGIT_PAIRS = digitPairs();

    private byte[] bytes = new byte[4096];
    /** The day (since the epoch) of the last time written by hand and its {@code yyyy-mm-dd}: answers reuse it. */
    private long dateDay = -1;
    private final byte[] dateText = new byte[10];
    private int length;
    /** Whether the next value or name at the current level follows another (so needs a comma). */
    private boolean needComma;

    private JsonWriter() {
    }

    /** This thread's writer, emptied. */
    static JsonWriter acquire() {
        JsonWriter w = WRITERS.get();
        w.length = 0;
        w.needComma = false;
        return w;
    }

    /** The bytes written so far, in a buffer of exactly their size; drops an oversized scratch array. */
    Buffer toBuffer() {
        Buffer buffer = Buffer.buffer(length).appendBytes(bytes, 0, length);
        if (bytes.length > KEEP_BYTES) {
            bytes = new byte[KEEP_BYTES];
        }
        length = 0;
        return buffer;
    }

    /**
     * The bytes written so far, copied into a direct buffer from Netty's pool: what the socket write needs
     * anyway, so no heap copy is made per answer. The caller owns it: {@link Responses#pooled} releases it.
     */
    ByteBuf toPooled() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(length, length);
        buffer.writeBytes(bytes, 0, length);
        if (bytes.length > KEEP_BYTES) {
            bytes = new byte[KEEP_BYTES];
        }
        length = 0;
        return buffer;
    }

    /** The bytes written so far, as a fresh array (for callers outside HTTP). */
    byte[] toBytes() {
        byte[] out = new byte[length];
        System.arraycopy(bytes, 0, out, 0, length);
        length = 0;
        return out;
    }

    /** A field name constant: {@code "name":}, pre-encoded (ASCII names needing no escapes only). */
    static byte[] name(String name) {
        return ascii('"' + name + "\":");
    }

    // ---- structure ----

    JsonWriter beginObject() {
        separate();
        put((byte) '{');
        needComma = false;
        return this;
    }

    JsonWriter endObject() {
        put((byte) '}');
        needComma = true;
        return this;
    }

    JsonWriter beginArray() {
        separate();
        put((byte) '[');
        needComma = false;
        return this;
    }

    JsonWriter endArray() {
        put((byte) ']');
        needComma = true;
        return this;
    }

    /** A pre-encoded field name ({@link #name(String)}). */
    JsonWriter field(byte[] encodedName) {
        separate();
        put(encodedName);
        needComma = false;
        return this;
    }

    /** Any field name, escaped as a string. */
    JsonWriter field(String name) {
        separate();
        string(name);
        put((byte) ':');
        needComma = false;
        return this;
    }

    /** A field name of a number and a one-letter suffix, e.g. {@code "30d":}, without building the text. */
    JsonWriter field(int number, char suffix) {
        separate();
        put((byte) '"');
        number(number);
        put((byte) suffix);
        put((byte) '"');
        put((byte) ':');
        needComma = false;
        return this;
    }

    // ---- values ----

    JsonWriter value(long v) {
        separate();
        number(v);
        needComma = true;
        return this;
    }

    JsonWriter value(boolean v) {
        separate();
        put(v ? TRUE : FALSE);
        needComma = true;
        return this;
    }

    /** A string value; null writes {@code null}. */
    JsonWriter value(String v) {
        separate();
        if (v == null) {
            put(NULL);
        } else {
            string(v);
        }
        needComma = true;
        return this;
    }

    /** A string value of {@code length} chars of {@code chars} from {@code start}; a negative start writes {@code null}. */
    JsonWriter value(char[] chars, int start, int length) {
        separate();
        if (start < 0) {
            put(NULL);
        } else {
            string(chars, start, length);
        }
        needComma = true;
        return this;
    }

    /** A pre-encoded value (e.g. a quoted constant), written as is. */
    JsonWriter raw(byte[] encodedValue) {
        separate();
        put(encodedValue);
        needComma = true;
        return this;
    }

    JsonWriter nullValue() {
        separate();
        put(NULL);
        needComma = true;
        return this;
    }

    /** A time: ISO-8601 UTC with a 'Z', fractional seconds only when not zero; null for {@code none}. */
    JsonWriter time(long epochMs, long none) {
        separate();
        timeText(epochMs, none);
        needComma = true;
        return this;
    }

    // ---- spelled-out structure (no comma bookkeeping) ----
    //
    // For a caller that writes a fixed shape many times (a bulk answer's slots, ~40 members each): its names,
    // commas and brackets pre-encoded together in a few fragments, the values between them written as they come.
    // None of these writes a comma or consults or sets the comma state: the caller spells out every separator,
    // and the next structural call (endObject, endArray) sets that state again.

    /** Pre-encoded bytes (names with their commas, brackets, quoted constants), written as they are. */
    JsonWriter append(byte[] fragment) {
        put(fragment);
        return this;
    }

    /** One ASCII byte, as it is. */
    JsonWriter append(char ascii) {
        put((byte) ascii);
        return this;
    }

    /** A number, as {@link #value(long)} writes it. */
    JsonWriter appendNumber(long v) {
        number(v);
        return this;
    }

    /** A string or {@code null}, as {@link #value(String)} writes it. */
    JsonWriter appendString(String v) {
        if (v == null) {
            put(NULL);
        } else {
            string(v);
        }
        return this;
    }

    /** As {@link #value(char[], int, int)} writes it. */
    JsonWriter appendString(char[] chars, int start, int n) {
        if (start < 0) {
            put(NULL);
        } else {
            string(chars, start, n);
        }
        return this;
    }

    /** A time or {@code null}, as {@link #time(long, long)} writes it. */
    JsonWriter appendTime(long epochMs, long none) {
        timeText(epochMs, none);
        return this;
    }

    private void timeText(long epochMs, long none) {
        if (epochMs == none) {
            put(NULL);
        } else if (epochMs < 0 || epochMs >= YEAR_10000_MS) {
            string(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMs))); // rare: not worth by hand
        } else {
            ensure(26);
            byte[] b = bytes;
            int at = length;
            long day = epochMs / DAY_MS;
            if (day != dateDay) {
                isoDate(day, dateText, 0);
                dateDay = day;
            }
            b[at] = '"';
            System.arraycopy(dateText, 0, b, at + 1, 10);
            at = isoClock((int) (epochMs - day * DAY_MS), b, at + 11);
            b[at] = '"';
            length = at + 1;
        }
    }

    // ---- encoding ----

    /**
     * Writes {@code epochMs} (years 1970-9999) as {@code 2026-11-26T13:40:00Z} or with {@code .005} before
     * the 'Z' into {@code out} at {@code at}; returns the end. The civil date of a day number
     * (H. Hinnant's days-to-civil), then the time of day: the same text as ISO_INSTANT.
     */
    static int isoTime(long epochMs, byte[] out, int at) {
        long days = epochMs / DAY_MS;
        isoDate(days, out, at);
        return isoClock((int) (epochMs - days * DAY_MS), out, at + 10);
    }

    /** {@code yyyy-mm-dd} of a day number (years 1970-9999) into {@code out} at {@code at}: 10 bytes. */
    private static void isoDate(long days, byte[] out, int at) {
        long z = days + 719_468;
        long era = z / 146_097;
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        pair(out, at, year / 100);
        pair(out, at + 2, year % 100);
        out[at + 4] = '-';
        pair(out, at + 5, month);
        out[at + 7] = '-';
        pair(out, at + 8, day);
    }

    /** {@code Thh:mm:ss}, {@code .mmm} when not zero, and {@code Z}, of a time of day; returns the end. */
    private static int isoClock(int msOfDay, byte[] out, int at) {
        int ms = msOfDay % 1000;
        int secs = msOfDay / 1000;
        out[at] = 'T';
        pair(out, at + 1, secs / 3600);
        out[at + 3] = ':';
        pair(out, at + 4, secs / 60 % 60);
        out[at + 6] = ':';
        pair(out, at + 7, secs % 60);
        int end = at + 9;
        if (ms != 0) {
            out[end] = '.';
            out[end + 1] = (byte) ('0' + ms / 100);
            pair(out, end + 2, ms % 100);
            end += 4;
        }
        out[end] = 'Z';
        return end + 1;
    }

    /** Two digits of {@code value} (0-99). */
    private static void pair(byte[] out, int at, int value) {
        out[at] = DIGIT_PAIRS[2 * value];
        out[at + 1] = DIGIT_PAIRS[2 * value + 1];
    }

    private static byte[] digitPairs() {
        byte[] pairs = new byte[200];
        for (int i = 0; i < 100; i++) {
            pairs[2 * i] = (byte) ('0' + i / 10);
            pairs[2 * i + 1] = (byte) ('0' + i % 10);
        }
        return pairs;
    }

    /** Whether {@link #isoTime(long, byte[], int)} covers {@code epochMs}. */
    static boolean isoTimeByHand(long epochMs) {
        return epochMs >= 0 && epochMs < YEAR_10000_MS;
    }

    private void number(long v) {
        if (v == Long.MIN_VALUE) {
            put(LONG_MIN);
            return;
        }
        ensure(20);
        byte[] b = bytes;
        int at = length;
        if (v < 0) {
            b[at++] = '-';
            v = -v;
        }
        // Two digits per division (a bulk answer writes ~40 numbers a slot): half the divisions of one at a time,
        // and the length from comparisons rather than a division loop of its own.
        int end = at + digitCount(v);
        int i = end;
        while (v >= 100) {
            long q = v / 100;
            int r = (int) (v - q * 100);
            b[--i] = DIGIT_PAIRS[2 * r + 1];
            b[--i] = DIGIT_PAIRS[2 * r];
            v = q;
        }
        if (v >= 10) {
            b[--i] = DIGIT_PAIRS[2 * (int) v + 1];
            b[--i] = DIGIT_PAIRS[2 * (int) v];
        } else {
            b[--i] = (byte) ('0' + v);
        }
        length = end;
    }

    /** Decimal digits of {@code v} (not negative). */
    static int digitCount(long v) {
        long limit = 10;
        for (int digits = 1; digits < 19; digits++) {
            if (v < limit) {
                return digits;
            }
            limit *= 10;
        }
        return 19;
    }

    private void string(String s) {
        int n = s.length();
        ensure(2 + n * 6); // worst case: every char a six-byte escape
        byte[] b = bytes;
        int at = length;
        b[at++] = '"';
        for (int i = 0; i < n; i++) {
            at = encode(s.charAt(i), b, at);
        }
        b[at++] = '"';
        length = at;
    }

    /** As {@link #string(String)} for {@code n} chars of {@code s} from {@code start}. */
    private void string(char[] s, int start, int n) {
        ensure(2 + n * 6);
        byte[] b = bytes;
        int at = length;
        b[at++] = '"';
        for (int i = start, end = start + n; i < end; i++) {
            at = encode(s[i], b, at);
        }
        b[at++] = '"';
        length = at;
    }

    /** One char of a string value, UTF-8 or escaped; returns the next position. */
    private static int encode(char c, byte[] b, int at) {
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\') {
                b[at++] = (byte) c;
            } else {
                at = escape(c, b, at);
            }
        } else if (c < 0x800) {
            b[at++] = (byte) (0xC0 | (c >> 6));
            b[at++] = (byte) (0x80 | (c & 0x3F));
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            at = unicodeEscape(c, b, at); // as Jackson: surrogates, paired or not, as escapes
        } else {
            b[at++] = (byte) (0xE0 | (c >> 12));
            b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            b[at++] = (byte) (0x80 | (c & 0x3F));
        }
        return at;
    }

    private static int escape(char c, byte[] b, int at) {
        char shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
        };
        if (shortForm == 0) {
            return unicodeEscape(c, b, at);
        }
        b[at] = '\\';
        b[at + 1] = (byte) shortForm;
        return at + 2;
    }

    private static int unicodeEscape(char c, byte[] b, int at) {
        b[at] = '\\';
        b[at + 1] = 'u';
        b[at + 2] = HEX[(c >> 12) & 0xF];
        b[at + 3] = HEX[(c >> 8) & 0xF];
        b[at + 4] = HEX[(c >> 4) & 0xF];
        b[at + 5] = HEX[c & 0xF];
        return at + 6;
    }

    private void separate() {
        if (needComma) {
            put((byte) ',');
        }
    }

    private void put(byte b) {
        ensure(1);
        bytes[length++] = b;
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, length, b.length);
        length += b.length;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            byte[] bigger = new byte[Math.max(bytes.length * 2, length + more)];
            System.arraycopy(bytes, 0, bigger, 0, length);
            bytes = bigger;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
