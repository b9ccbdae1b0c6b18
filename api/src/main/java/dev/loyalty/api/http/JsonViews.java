package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.CustomerDetail;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.processor.OutcomeFacts;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.RuleError;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * The one place that renders the JSON bodies of api.md. Writes with this thread's {@link JsonWriter}
 * (field names pre-encoded, no JSON tree, no per-answer lambdas or strings) into a buffer of the answer's
 * exact size: an answer allocates about its own length. Stateless and thread-safe.
 */
public final class JsonViews {

    private static final byte[] SEQ = JsonWriter.name("seq");
    private static final byte[] OUTCOME = JsonWriter.name("outcome");
    private static final byte[] DUPLICATE = JsonWriter.name("duplicate");
    private static final byte[] EFFECTS = JsonWriter.name("effects");
    private static final byte[] CUSTOMER = JsonWriter.name("customer");
    private static final byte[] ERROR = JsonWriter.name("error");
    private static final byte[] STATUS = JsonWriter.name("status");
    private static final byte[] CODE = JsonWriter.name("code");
    private static final byte[] MESSAGE = JsonWriter.name("message");
    private static final byte[] ID = JsonWriter.name("id");
    private static final byte[] AT = JsonWriter.name("at");
    private static final byte[] ACTION = JsonWriter.name("action");
    private static final byte[] ACCOUNT = JsonWriter.name("account");
    private static final byte[] KIND = JsonWriter.name("kind");
    private static final byte[] POINTS = JsonWriter.name("points");
    private static final byte[] TRANSACTION_ID = JsonWriter.name("transaction_id");
    private static final byte[] REASON = JsonWriter.name("reason");
    private static final byte[] OPTED_IN_AT = JsonWriter.name("opted_in_at");
    private static final byte[] LAST_ACTIVITY_AT = JsonWriter.name("last_activity_at");
    private static final byte[] TIER = JsonWriter.name("tier");
    private static final byte[] TIER_VALID_UNTIL = JsonWriter.name("tier_valid_until");
    private static final byte[] QUALIFYING_POINTS = JsonWriter.name("qualifying_points");
    private static final byte[] ACCOUNTS = JsonWriter.name("accounts");
    private static final byte[] BALANCE = JsonWriter.name("balance");
    private static final byte[] SPENDABLE = JsonWriter.name("spendable");
    private static final byte[] RESERVED = JsonWriter.name("reserved");
    private static final byte[] PENDING = JsonWriter.name("pending");
    private static final byte[] EARNED = JsonWriter.name("earned");
    private static final byte[] SPENT = JsonWriter.name("spent");
    private static final byte[] EXPIRED = JsonWriter.name("expired");
    private static final byte[] DEDUCTED = JsonWriter.name("deducted");
    private static final byte[] EXPIRING = JsonWriter.name("expiring");
    private static final byte[] ENTRIES = JsonWriter.name("entries");
    private static final byte[] NEXT_BEFORE = JsonWriter.name("next_before");
    private static final byte[] AS_OF = JsonWriter.name("as_of");
    private static final byte[] EVENTS_APPLIED = JsonWriter.name("events_applied");
    private static final byte[] MEMBERS = JsonWriter.name("members");
    private static final byte[] TOTAL = JsonWriter.name("total");
    private static final byte[] ACTIVE = JsonWriter.name("active");
    private static final byte[] OPTED_OUT = JsonWriter.name("opted_out");
    private static final byte[] ACTIVE_MEMBERS = JsonWriter.name("active_members");
    private static final byte[] TIERS = JsonWriter.name("tiers");
    private static final byte[] LIABILITY = JsonWriter.name("liability");
    private static final byte[] CLOCK = JsonWriter.name("clock");
    private static final byte[] ERRORS = JsonWriter.name("errors");
    private static final byte[] RESULTS = JsonWriter.name("results");

    private static final byte[] ACCEPTED_VALUE = quoted("accepted");
    private static final byte[] APPLIED_VALUE = quoted("applied");
    private static final byte[] REJECTED_VALUE = quoted("rejected");
    private static final byte[] PENDING_VALUE = quoted("pending");
    private static final byte[] ACTIVE_VALUE = quoted("active");
    private static final byte[] OPTED_OUT_VALUE = quoted("opted_out");
    // A slot's fixed structure told from facts (writeEventFacts), names with their commas and brackets.
    private static final byte[] F_APPLIED_EFFECTS = ascii(",\"outcome\":\"applied\",\"duplicate\":false,\"effects\":[");
    private static final byte[] F_OBJECT_ID = ascii("{\"id\":");
    private static final byte[] F_NEXT_OBJECT_ID = ascii(",{\"id\":");
    private static final byte[] F_SEQ = ascii(",\"seq\":");
    private static final byte[] F_AT = ascii(",\"at\":");
    private static final byte[] F_ACTION = ascii(",\"action\":");
    private static final byte[] F_ACCOUNT = ascii(",\"account\":");
    private static final byte[] F_KIND = ascii(",\"kind\":");
    private static final byte[] F_POINTS = ascii(",\"points\":");
    private static final byte[] F_TRANSACTION_ID = ascii(",\"transaction_id\":");
    private static final byte[] F_REASON = ascii(",\"reason\":");
    private static final byte[] F_EFFECTS_END_CUSTOMER = ascii("],\"customer\":");
    private static final byte[] NULL_VALUE = ascii("null");
    private static final byte[] F_STATUS_ACTIVE = ascii(",\"status\":\"active\"");
    private static final byte[] F_STATUS_OPTED_OUT = ascii(",\"status\":\"opted_out\"");
    private static final byte[] F_OPTED_IN_AT = ascii(",\"opted_in_at\":");
    private static final byte[] F_LAST_ACTIVITY_AT = ascii(",\"last_activity_at\":");
    private static final byte[] F_TIER = ascii(",\"tier\":");
    private static final byte[] F_TIER_VALID_UNTIL = ascii(",\"tier_valid_until\":");
    private static final byte[] F_QUALIFYING_POINTS = ascii(",\"qualifying_points\":");
    private static final byte[] F_ACCOUNTS = ascii(",\"accounts\":{");
    /** Before each of an account's figures (OutcomeFacts#figure order), after its quoted name. */
    private static final byte[][] F_FIGURES = {ascii(":{\"balance\":"), ascii(",\"spendable\":"),
            ascii(",\"reserved\":"), ascii(",\"pending\":"), ascii(",\"earned\":"), ascii(",\"spent\":"),
            ascii(",\"expired\":"), ascii(",\"deducted\":")};

    /** Each ledger kind's wire name, quoted, by ordinal ({@link LedgerKind#wireName()} builds a new string). */
    private static final byte[][] KIND_VALUES = kindValues();

    private JsonViews() {
    }

    // ---- whole bodies ----

    /** {@code {"error": {"status", "code", "message"}}}. */
    public static Buffer error(int status, String code, String message) {
        JsonWriter w = JsonWriter.acquire();
        w.beginObject();
        writeErrorField(w, status, code, message);
        w.endObject();
        return w.toBuffer();
    }

    /** {@code {"seq", "outcome": "accepted"}}: journaled, not (yet) processed. */
    public static Buffer accepted(long seq) {
        JsonWriter w = JsonWriter.acquire();
        writeAccepted(w, seq);
        return w.toBuffer();
    }

    /** The answer of a processed event: applied with effects and customer, or rejected with its error. */
    public static Buffer eventResult(long seq, boolean duplicate, EventResult result) {
        JsonWriter w = JsonWriter.acquire();
        writeEventResult(w, seq, duplicate, result);
        return w.toBuffer();
    }

    /** {@link #accepted} into a pooled direct buffer the caller releases ({@link Responses#pooled}). */
    static ByteBuf acceptedPooled(long seq) {
        JsonWriter w = JsonWriter.acquire();
        writeAccepted(w, seq);
        return w.toPooled();
    }

    /** {@link #eventResult} into a pooled direct buffer the caller releases ({@link Responses#pooled}). */
    static ByteBuf eventResultPooled(long seq, boolean duplicate, EventResult result) {
        JsonWriter w = JsonWriter.acquire();
        writeEventResult(w, seq, duplicate, result);
        return w.toPooled();
    }

    /**
     * {@link #eventResultPooled} of a first submission (not a duplicate) from the processor's flat facts: the same
     * bytes as from the {@link EventResult} the facts stand for ({@link OutcomeFacts#toResult}).
     */
    static ByteBuf eventFactsPooled(long seq, OutcomeFacts f) {
        JsonWriter w = JsonWriter.acquire();
        writeEventFacts(w, seq, f);
        return w.toPooled();
    }

    /** {@code GET /events/{seq}} of a known event: applied with its effects, rejected with its error, or pending. */
    public static Buffer eventStatus(long seq, EventStatus status) {
        JsonWriter w = JsonWriter.acquire();
        w.beginObject().field(SEQ).value(seq);
        if (status.kind() == EventStatus.Kind.PENDING) {
            w.field(OUTCOME).raw(PENDING_VALUE);
        } else {
            EventOutcome outcome = status.outcome();
            if (outcome.applied()) {
                w.field(OUTCOME).raw(APPLIED_VALUE);
                writeEffects(w, outcome.effects());
            } else {
                w.field(OUTCOME).raw(REJECTED_VALUE);
                writeRuleError(w, outcome.error());
            }
        }
        w.endObject();
        return w.toBuffer();
    }

    /** {@code GET /customers/{id}}. */
    public static Buffer customer(CustomerView view) {
        JsonWriter w = JsonWriter.acquire();
        writeCustomer(w, view, null);
        return w.toBuffer();
    }

    /** {@code GET /customers/{id}} with each account's {@code expiring} list (api.md, "Expiring points"). */
    public static Buffer customer(CustomerDetail detail) {
        JsonWriter w = JsonWriter.acquire();
        writeCustomer(w, detail.view(), detail.expiring());
        return w.toBuffer();
    }

    /** {@code GET /customers/{id}/ledger}: entries newest first and the cursor of the next page. */
    public static Buffer ledger(LedgerPage page) {
        JsonWriter w = JsonWriter.acquire();
        w.beginObject().field(ENTRIES).beginArray();
        List<LedgerEntry> entries = page.entries();
        for (int i = 0, n = entries.size(); i < n; i++) {
            writeLedgerEntry(w, entries.get(i));
        }
        w.endArray().field(NEXT_BEFORE);
        if (page.nextBefore() < 0) {
            w.nullValue();
        } else {
            w.value(page.nextBefore());
        }
        w.endObject();
        return w.toBuffer();
    }

    /** {@code GET /stats}. */
    public static Buffer stats(ProgramStats s) {
        JsonWriter w = JsonWriter.acquire();
        w.beginObject();
        w.field(AS_OF).time(s.asOfMs(), CustomerView.NONE);
        w.field(EVENTS_APPLIED).value(s.eventsApplied());
        w.field(MEMBERS).beginObject()
                .field(TOTAL).value(s.membersTotal())
                .field(ACTIVE).value(s.membersActive())
                .field(OPTED_OUT).value(s.membersOptedOut())
                .endObject();
        w.field(ACTIVE_MEMBERS).beginObject();
        for (Map.Entry<Integer, Long> e : s.activeMembers().entrySet()) {
            w.field(e.getKey(), 'd').value(e.getValue());
        }
        w.endObject();
        writeCounts(w, TIERS, s.tiers());
        writeCounts(w, LIABILITY, s.liability());
        w.field(EXPIRING).beginObject();
        for (Map.Entry<Integer, Map<String, Long>> e : s.expiring().entrySet()) {
            w.field(e.getKey(), 'd');
            writeCountsObject(w, e.getValue());
        }
        w.endObject();
        w.endObject();
        return w.toBuffer();
    }

    /** {@code POST /admin/clock}: the new ingest time. */
    public static Buffer clock(long clockMs) {
        JsonWriter w = JsonWriter.acquire();
        w.beginObject().field(CLOCK).time(clockMs, CustomerView.NONE).endObject();
        return w.toBuffer();
    }

    /** {@code POST /events/bulk}: the slots in request order; {@code errors} counts slots holding an error. */
    public static Buffer bulk(List<BulkSlot> slots) {
        return writeBulk(slots).toBuffer();
    }

    /** {@link #bulk} into a pooled direct buffer the caller releases ({@link Responses#pooled}). */
    static ByteBuf bulkPooled(List<BulkSlot> slots) {
        return writeBulk(slots).toPooled();
    }

    /**
     * {@link #bulkPooled(List)} of a bulk journaled in one record from {@code firstSeq}, rendered from its parts
     * with no slot objects: {@code invalid[i]} the error of slot {@code i} (null, or no array: valid), the
     * {@code j}-th valid slot seq {@code firstSeq + j} with outcome {@code results[j]} ({@code accepted} when
     * null or no array).
     */
    static ByteBuf bulkPooled(int total, ValidationError[] invalid, long firstSeq, EventResult[] results) {
        return bulkPooled(total, invalid, firstSeq, results, null);
    }

    /**
     * {@link #bulkPooled(int, ValidationError[], long, EventResult[])} where the {@code j}-th valid slot's outcome
     * may be flat facts instead ({@code facts[j]} not null, {@link BulkReply}'s slots): the same bytes as from the
     * {@link EventResult} the facts stand for ({@link OutcomeFacts#toResult}). {@code facts} may be null.
     */
    static ByteBuf bulkPooled(int total, ValidationError[] invalid, long firstSeq, EventResult[] results,
            OutcomeFacts[] facts) {
        int errors = 0;
        if (invalid != null) {
            for (int i = 0; i < total; i++) {
                if (invalid[i] != null) {
                    errors++;
                }
            }
        }
        int events = total - errors; // valid slots: the ones journaled
        for (int j = 0; j < events; j++) {
            OutcomeFacts f = facts == null ? null : facts[j];
            EventResult r = results == null ? null : results[j];
            if (f != null ? f.error() != null : r != null && !r.outcome().applied()) {
                errors++;
            }
        }
        JsonWriter w = JsonWriter.acquire();
        w.beginObject().field(TOTAL).value(total).field(ERRORS).value(errors).field(RESULTS).beginArray();
        for (int i = 0, j = 0; i < total; i++) {
            ValidationError error = invalid == null ? null : invalid[i];
            if (error != null) {
                w.beginObject();
                writeErrorField(w, 400, error.code(), error.message());
                w.endObject();
                continue;
            }
            OutcomeFacts f = facts == null ? null : facts[j];
            EventResult r = results == null ? null : results[j];
            long seq = firstSeq + j++;
            if (f != null) {
                writeEventFacts(w, seq, f);
            } else if (r == null) {
                writeAccepted(w, seq);
            } else {
                writeEventResult(w, seq, false, r);
            }
        }
        w.endArray().endObject();
        return w.toPooled();
    }

    private static JsonWriter writeBulk(List<BulkSlot> slots) {
        int n = slots.size();
        int errors = 0;
        for (int i = 0; i < n; i++) {
            if (slots.get(i).isError()) {
                errors++;
            }
        }
        JsonWriter w = JsonWriter.acquire();
        w.beginObject().field(TOTAL).value(n).field(ERRORS).value(errors).field(RESULTS).beginArray();
        for (int i = 0; i < n; i++) {
            writeSlot(w, slots.get(i));
        }
        w.endArray().endObject();
        return w;
    }

    /** Management health answers: {@code {"status": "..."}}. */
    public static Buffer status(String status) {
        JsonWriter w = JsonWriter.acquire();
        w.beginObject().field(STATUS).value(status).endObject();
        return w.toBuffer();
    }

    // ---- parts ----

    private static void writeSlot(JsonWriter w, BulkSlot slot) {
        if (slot instanceof BulkSlot.Invalid invalid) {
            w.beginObject();
            writeErrorField(w, 400, invalid.error().code(), invalid.error().message());
            w.endObject();
        } else if (slot instanceof BulkSlot.Refused refused) {
            w.beginObject();
            writeErrorField(w, refused.refusal().status(), refused.refusal().code(), refused.refusal().message());
            w.endObject();
        } else if (slot instanceof BulkSlot.Accepted accepted) {
            writeAccepted(w, accepted.seq());
        } else if (slot instanceof BulkSlot.Done done) {
            writeEventResult(w, done.seq(), done.duplicate(), done.result());
        } else {
            throw new IllegalArgumentException("unknown bulk slot " + slot);
        }
    }

    private static void writeAccepted(JsonWriter w, long seq) {
        w.beginObject().field(SEQ).value(seq).field(OUTCOME).raw(ACCEPTED_VALUE).endObject();
    }

    private static void writeEventResult(JsonWriter w, long seq, boolean duplicate, EventResult result) {
        EventOutcome outcome = result.outcome();
        w.beginObject().field(SEQ).value(seq);
        if (outcome.applied()) {
            w.field(OUTCOME).raw(APPLIED_VALUE).field(DUPLICATE).value(duplicate);
            writeEffects(w, outcome.effects());
            w.field(CUSTOMER);
            if (result.customer() == null) {
                w.nullValue();
            } else {
                writeCustomer(w, result.customer(), null);
            }
        } else {
            w.field(OUTCOME).raw(REJECTED_VALUE).field(DUPLICATE).value(duplicate);
            writeRuleError(w, outcome.error());
        }
        w.endObject();
    }

    /**
     * {@link #writeEventResult} with {@code duplicate} false, field for field, from flat facts. A bulk answer writes
     * one per slot: the applied slot's names, commas and brackets go out as the few fragments below ({@code F_*},
     * {@link JsonWriter#append(byte[])}), with no comma bookkeeping per member.
     */
    private static void writeEventFacts(JsonWriter w, long seq, OutcomeFacts f) {
        w.beginObject().field(SEQ).value(seq);
        if (f.error() == null) {
            w.append(F_APPLIED_EFFECTS);
            for (int i = 0, n = f.effects(); i < n; i++) {
                w.append(i == 0 ? F_OBJECT_ID : F_NEXT_OBJECT_ID).appendNumber(f.effectId(i))
                        .append(F_SEQ).appendNumber(f.effectSeq(i))
                        .append(F_AT).appendTime(f.effectAtMs(i), CustomerView.NONE)
                        .append(F_ACTION).appendString(f.effectAction(i))
                        .append(F_ACCOUNT).appendString(f.effectAccount(i))
                        .append(F_KIND).append(KIND_VALUES[f.effectKind(i).ordinal()])
                        .append(F_POINTS).appendNumber(f.effectPoints(i))
                        .append(F_TRANSACTION_ID).appendString(f.transactionIdChars(), f.transactionIdStart(i),
                                f.transactionIdLength(i))
                        .append(F_REASON).appendString(f.effectReason(i))
                        .append('}');
            }
            w.append(F_EFFECTS_END_CUSTOMER);
            if (f.hasCustomer()) {
                writeCustomerFacts(w, f);
            } else {
                w.append(NULL_VALUE);
            }
        } else {
            w.field(OUTCOME).raw(REJECTED_VALUE).field(DUPLICATE).value(false);
            writeRuleError(w, f.error());
        }
        w.endObject();
    }

    /** {@link #writeCustomer} without {@code expiring}, from flat facts; spelled out as {@link #writeEventFacts}. */
    private static void writeCustomerFacts(JsonWriter w, OutcomeFacts f) {
        w.append(F_OBJECT_ID).appendString(f.customerId())
                .append(f.active() ? F_STATUS_ACTIVE : F_STATUS_OPTED_OUT)
                .append(F_OPTED_IN_AT).appendTime(f.optedInAtMs(), CustomerView.NONE)
                .append(F_LAST_ACTIVITY_AT).appendTime(f.lastActivityAtMs(), CustomerView.NONE)
                .append(F_TIER).appendString(f.tier())
                .append(F_TIER_VALID_UNTIL).appendTime(f.tierValidUntilMs(), CustomerView.NONE)
                .append(F_QUALIFYING_POINTS).appendNumber(f.qualifyingPoints())
                .append(F_ACCOUNTS);
        for (int a = 0, n = f.accounts(); a < n; a++) {
            if (a > 0) {
                w.append(',');
            }
            w.appendString(f.accountName(a));
            for (int k = 0; k < F_FIGURES.length; k++) {
                w.append(F_FIGURES[k]).appendNumber(f.figure(a, k));
            }
            w.append('}');
        }
        w.append('}').append('}');
    }

    private static void writeEffects(JsonWriter w, List<LedgerEntry> effects) {
        w.field(EFFECTS).beginArray();
        for (int i = 0, n = effects.size(); i < n; i++) {
            writeLedgerEntry(w, effects.get(i));
        }
        w.endArray();
    }

    private static void writeRuleError(JsonWriter w, RuleError error) {
        writeErrorField(w, error.status(), error.code(), error.message());
    }

    private static void writeErrorField(JsonWriter w, int status, String code, String message) {
        w.field(ERROR).beginObject()
                .field(STATUS).value(status)
                .field(CODE).value(code)
                .field(MESSAGE).value(message)
                .endObject();
    }

    private static void writeLedgerEntry(JsonWriter w, LedgerEntry e) {
        w.beginObject()
                .field(ID).value(e.id())
                .field(SEQ).value(e.seq())
                .field(AT).time(e.atMs(), CustomerView.NONE)
                .field(ACTION).value(e.action())
                .field(ACCOUNT).value(e.account())
                .field(KIND).raw(KIND_VALUES[e.kind().ordinal()])
                .field(POINTS).value(e.points())
                .field(TRANSACTION_ID).value(e.transactionId())
                .field(REASON).value(e.reason())
                .endObject();
    }

    /** The customer object; {@code expiring} null leaves the accounts' {@code expiring} field out. */
    private static void writeCustomer(JsonWriter w, CustomerView c, Map<String, List<ExpiringPoints>> expiring) {
        w.beginObject()
                .field(ID).value(c.id())
                .field(STATUS).raw(c.active() ? ACTIVE_VALUE : OPTED_OUT_VALUE)
                .field(OPTED_IN_AT).time(c.optedInAtMs(), CustomerView.NONE)
                .field(LAST_ACTIVITY_AT).time(c.lastActivityAtMs(), CustomerView.NONE)
                .field(TIER).value(c.tier())
                .field(TIER_VALID_UNTIL).time(c.tierValidUntilMs(), CustomerView.NONE)
                .field(QUALIFYING_POINTS).value(c.qualifyingPoints())
                .field(ACCOUNTS).beginObject();
        for (Map.Entry<String, AccountView> e : c.accounts().entrySet()) {
            AccountView a = e.getValue();
            w.field(e.getKey()).beginObject()
                    .field(BALANCE).value(a.balance())
                    .field(SPENDABLE).value(a.spendable())
                    .field(RESERVED).value(a.reserved())
                    .field(PENDING).value(a.pending())
                    .field(EARNED).value(a.earned())
                    .field(SPENT).value(a.spent())
                    .field(EXPIRED).value(a.expired())
                    .field(DEDUCTED).value(a.deducted());
            if (expiring != null) {
                writeExpiring(w, expiring.getOrDefault(e.getKey(), List.of()));
            }
            w.endObject();
        }
        w.endObject().endObject();
    }

    private static void writeExpiring(JsonWriter w, List<ExpiringPoints> expiring) {
        w.field(EXPIRING).beginArray();
        for (int i = 0, n = expiring.size(); i < n; i++) {
            ExpiringPoints p = expiring.get(i);
            w.beginObject().field(AT).time(p.atMs(), CustomerView.NONE).field(POINTS).value(p.points()).endObject();
        }
        w.endArray();
    }

    private static void writeCounts(JsonWriter w, byte[] field, Map<String, Long> counts) {
        w.field(field);
        writeCountsObject(w, counts);
    }

    private static void writeCountsObject(JsonWriter w, Map<String, Long> counts) {
        w.beginObject();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            w.field(e.getKey()).value(e.getValue());
        }
        w.endObject();
    }

    /** ISO-8601 UTC with a 'Z', e.g. {@code 2026-11-26T13:40:00Z}; fractional seconds only when not zero. */
    public static String isoTime(long epochMs) {
        if (!JsonWriter.isoTimeByHand(epochMs)) {
            return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMs));
        }
        byte[] text = new byte[24];
        int end = JsonWriter.isoTime(epochMs, text, 0);
        return new String(text, 0, end, StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] quoted(String ascii) {
        return ('"' + ascii + '"').getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] kindValues() {
        LedgerKind[] kinds = LedgerKind.values();
        byte[][] values = new byte[kinds.length][];
        for (LedgerKind kind : kinds) {
            values[kind.ordinal()] = ('"' + kind.wireName() + '"').getBytes(StandardCharsets.UTF_8);
        }
        return values;
    }
}
