package dev.loyalty.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.loyalty.engine.LoyaltyEngine.CustomerDetail;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.RuleError;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * The renderer as it was before {@link JsonViews} wrote by hand (Jackson generator): kept as the reference the
 * new renderer's bytes are compared with ({@link JsonViewsEquivalenceTest}). Test scope only.
 */
final class ReferenceJsonViews {

    private static final JsonFactory FACTORY = new JsonFactory();

    private ReferenceJsonViews() {
    }

    /** Writes one JSON value with a generator. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** Renders a body into a fresh buffer. */
    static Buffer render(Body body) {
        Buffer buffer = Buffer.buffer(256);
        try (JsonGenerator g = FACTORY.createGenerator(new BufferOutput(buffer))) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: cannot happen
        }
        return buffer;
    }

    // ---- whole bodies ----

    /** {@code {"error": {"status", "code", "message"}}}. */
    public static Buffer error(int status, String code, String message) {
        return render(g -> {
            g.writeStartObject();
            writeErrorField(g, status, code, message);
            g.writeEndObject();
        });
    }

    /** {@code {"seq", "outcome": "accepted"}}: journaled, not (yet) processed. */
    public static Buffer accepted(long seq) {
        return render(g -> writeAccepted(g, seq));
    }

    /** The answer of a processed event: applied with effects and customer, or rejected with its error. */
    public static Buffer eventResult(long seq, boolean duplicate, EventResult result) {
        return render(g -> writeEventResult(g, seq, duplicate, result));
    }

    /** {@code GET /events/{seq}} of a known event: applied with its effects, rejected with its error, or pending. */
    public static Buffer eventStatus(long seq, EventStatus status) {
        return render(g -> {
            g.writeStartObject();
            g.writeNumberField("seq", seq);
            if (status.kind() == EventStatus.Kind.PENDING) {
                g.writeStringField("outcome", "pending");
            } else {
                EventOutcome outcome = status.outcome();
                if (outcome.applied()) {
                    g.writeStringField("outcome", "applied");
                    writeEffects(g, outcome.effects());
                } else {
                    g.writeStringField("outcome", "rejected");
                    writeRuleError(g, outcome.error());
                }
            }
            g.writeEndObject();
        });
    }

    /** {@code GET /customers/{id}}. */
    public static Buffer customer(CustomerView view) {
        return render(g -> writeCustomer(g, view, null));
    }

    /** {@code GET /customers/{id}} with each account's {@code expiring} list (api.md, "Expiring points"). */
    public static Buffer customer(CustomerDetail detail) {
        return render(g -> writeCustomer(g, detail.view(), detail.expiring()));
    }

    /** {@code GET /customers/{id}/ledger}: entries newest first and the cursor of the next page. */
    public static Buffer ledger(LedgerPage page) {
        return render(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("entries");
            for (LedgerEntry entry : page.entries()) {
                writeLedgerEntry(g, entry);
            }
            g.writeEndArray();
            g.writeFieldName("next_before");
            if (page.nextBefore() < 0) {
                g.writeNull();
            } else {
                g.writeNumber(page.nextBefore());
            }
            g.writeEndObject();
        });
    }

    /** {@code GET /stats}. */
    public static Buffer stats(ProgramStats s) {
        return render(g -> {
            g.writeStartObject();
            writeTime(g, "as_of", s.asOfMs());
            g.writeNumberField("events_applied", s.eventsApplied());
            g.writeObjectFieldStart("members");
            g.writeNumberField("total", s.membersTotal());
            g.writeNumberField("active", s.membersActive());
            g.writeNumberField("opted_out", s.membersOptedOut());
            g.writeEndObject();
            g.writeObjectFieldStart("active_members");
            for (Map.Entry<Integer, Long> e : s.activeMembers().entrySet()) {
                g.writeNumberField(e.getKey() + "d", e.getValue());
            }
            g.writeEndObject();
            writeCounts(g, "tiers", s.tiers());
            writeCounts(g, "liability", s.liability());
            g.writeObjectFieldStart("expiring");
            for (Map.Entry<Integer, Map<String, Long>> e : s.expiring().entrySet()) {
                writeCounts(g, e.getKey() + "d", e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** {@code POST /admin/clock}: the new ingest time. */
    public static Buffer clock(long clockMs) {
        return render(g -> {
            g.writeStartObject();
            writeTime(g, "clock", clockMs);
            g.writeEndObject();
        });
    }

    /** {@code POST /events/bulk}: the slots in request order; {@code errors} counts slots holding an error. */
    public static Buffer bulk(List<BulkSlot> slots) {
        int errors = 0;
        for (BulkSlot slot : slots) {
            if (slot.isError()) {
                errors++;
            }
        }
        int errorCount = errors;
        return render(g -> {
            g.writeStartObject();
            g.writeNumberField("total", slots.size());
            g.writeNumberField("errors", errorCount);
            g.writeArrayFieldStart("results");
            for (BulkSlot slot : slots) {
                writeSlot(g, slot);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** Management health answers: {@code {"status": "..."}}. */
    public static Buffer status(String status) {
        return render(g -> {
            g.writeStartObject();
            g.writeStringField("status", status);
            g.writeEndObject();
        });
    }

    // ---- parts ----

    private static void writeSlot(JsonGenerator g, BulkSlot slot) throws IOException {
        if (slot instanceof BulkSlot.Invalid invalid) {
            g.writeStartObject();
            writeErrorField(g, 400, invalid.error().code(), invalid.error().message());
            g.writeEndObject();
        } else if (slot instanceof BulkSlot.Refused refused) {
            g.writeStartObject();
            writeErrorField(g, refused.refusal().status(), refused.refusal().code(), refused.refusal().message());
            g.writeEndObject();
        } else if (slot instanceof BulkSlot.Accepted accepted) {
            writeAccepted(g, accepted.seq());
        } else if (slot instanceof BulkSlot.Done done) {
            writeEventResult(g, done.seq(), done.duplicate(), done.result());
        } else {
            throw new IllegalArgumentException("unknown bulk slot " + slot);
        }
    }

    private static void writeAccepted(JsonGenerator g, long seq) throws IOException {
        g.writeStartObject();
        g.writeNumberField("seq", seq);
        g.writeStringField("outcome", "accepted");
        g.writeEndObject();
    }

    private static void writeEventResult(JsonGenerator g, long seq, boolean duplicate, EventResult result)
            throws IOException {
        EventOutcome outcome = result.outcome();
        g.writeStartObject();
        g.writeNumberField("seq", seq);
        if (outcome.applied()) {
            g.writeStringField("outcome", "applied");
            g.writeBooleanField("duplicate", duplicate);
            writeEffects(g, outcome.effects());
            g.writeFieldName("customer");
            if (result.customer() == null) {
                g.writeNull();
            } else {
                writeCustomer(g, result.customer(), null);
            }
        } else {
            g.writeStringField("outcome", "rejected");
            g.writeBooleanField("duplicate", duplicate);
            writeRuleError(g, outcome.error());
        }
        g.writeEndObject();
    }

    private static void writeEffects(JsonGenerator g, List<LedgerEntry> effects) throws IOException {
        g.writeArrayFieldStart("effects");
        for (LedgerEntry entry : effects) {
            writeLedgerEntry(g, entry);
        }
        g.writeEndArray();
    }

    private static void writeRuleError(JsonGenerator g, RuleError error) throws IOException {
        writeErrorField(g, error.status(), error.code(), error.message());
    }

    private static void writeErrorField(JsonGenerator g, int status, String code, String message) throws IOException {
        g.writeObjectFieldStart("error");
        g.writeNumberField("status", status);
        g.writeStringField("code", code);
        g.writeStringField("message", message);
        g.writeEndObject();
    }

    private static void writeLedgerEntry(JsonGenerator g, LedgerEntry e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", e.id());
        g.writeNumberField("seq", e.seq());
        writeTime(g, "at", e.atMs());
        g.writeStringField("action", e.action());
        g.writeStringField("account", e.account());
        g.writeStringField("kind", e.kind().wireName());
        g.writeNumberField("points", e.points());
        g.writeStringField("transaction_id", e.transactionId());
        g.writeStringField("reason", e.reason());
        g.writeEndObject();
    }

    /** The customer object; {@code expiring} null leaves the accounts' {@code expiring} field out. */
    private static void writeCustomer(JsonGenerator g, CustomerView c, Map<String, List<ExpiringPoints>> expiring)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("status", c.active() ? "active" : "opted_out");
        writeTime(g, "opted_in_at", c.optedInAtMs());
        writeTime(g, "last_activity_at", c.lastActivityAtMs());
        g.writeStringField("tier", c.tier());
        writeTime(g, "tier_valid_until", c.tierValidUntilMs());
        g.writeNumberField("qualifying_points", c.qualifyingPoints());
        g.writeObjectFieldStart("accounts");
        for (Map.Entry<String, AccountView> e : c.accounts().entrySet()) {
            AccountView a = e.getValue();
            g.writeObjectFieldStart(e.getKey());
            g.writeNumberField("balance", a.balance());
            g.writeNumberField("spendable", a.spendable());
            g.writeNumberField("reserved", a.reserved());
            g.writeNumberField("pending", a.pending());
            g.writeNumberField("earned", a.earned());
            g.writeNumberField("spent", a.spent());
            g.writeNumberField("expired", a.expired());
            g.writeNumberField("deducted", a.deducted());
            if (expiring != null) {
                writeExpiring(g, expiring.getOrDefault(e.getKey(), List.of()));
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeExpiring(JsonGenerator g, List<ExpiringPoints> expiring) throws IOException {
        g.writeArrayFieldStart("expiring");
        for (ExpiringPoints p : expiring) {
            g.writeStartObject();
            writeTime(g, "at", p.atMs());
            g.writeNumberField("points", p.points());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeCounts(JsonGenerator g, String field, Map<String, Long> counts) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** A time field: ISO-8601 UTC, milliseconds only when not zero; null for {@link CustomerView#NONE}. */
    private static void writeTime(JsonGenerator g, String field, long epochMs) throws IOException {
        g.writeFieldName(field);
        if (epochMs == CustomerView.NONE) {
            g.writeNull();
        } else {
            g.writeString(isoTime(epochMs));
        }
    }

    /** ISO-8601 UTC with a 'Z', e.g. {@code 2026-11-26T13:40:00Z}; fractional seconds only when not zero. */
    public static String isoTime(long epochMs) {
        if (epochMs < 0 || epochMs >= YEAR_10000_MS) {
            return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMs));
        }
        // Years 1970-9999 by hand (this runs several times per response): the civil date of a day number
        // (H. Hinnant's days-to-civil), then the time of day; the same text as ISO_INSTANT.
        long days = epochMs / DAY_MS;
        int msOfDay = (int) (epochMs % DAY_MS);
        long z = days + 719_468;
        long era = z / 146_097;
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        int ms = msOfDay % 1000;
        int secs = msOfDay / 1000;
        char[] c = new char[ms == 0 ? 20 : 24];
        digits(c, 0, year, 4);
        c[4] = '-';
        digits(c, 5, month, 2);
        c[7] = '-';
        digits(c, 8, day, 2);
        c[10] = 'T';
        digits(c, 11, secs / 3600, 2);
        c[13] = ':';
        digits(c, 14, secs / 60 % 60, 2);
        c[16] = ':';
        digits(c, 17, secs % 60, 2);
        if (ms != 0) {
            c[19] = '.';
            digits(c, 20, ms, 3);
        }
        c[c.length - 1] = 'Z';
        return new String(c);
    }

    private static final long DAY_MS = 86_400_000L;
    /** 10000-01-01T00:00:00Z: from there on ISO_INSTANT writes a sign and more digits. */
    private static final long YEAR_10000_MS = 253_402_300_800_000L;

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Lets the generator flush its own (recycled) buffer straight into the Vert.x buffer. */
    private static final class BufferOutput extends OutputStream {
        private final Buffer buffer;

        BufferOutput(Buffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public void write(int b) {
            buffer.appendByte((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buffer.appendBytes(b, off, len);
        }
    }
}
