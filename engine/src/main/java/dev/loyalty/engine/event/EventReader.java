package dev.loyalty.engine.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.loyalty.engine.config.RulesConfig;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads request events straight from body bytes in one streaming pass (no JSON tree): validates them
 * exactly as {@link EventValidator} does (same checks, order, codes and messages) and hashes each event's
 * canonical JSON as {@code BodyHash} does, both while the bytes are read. The JSON rules are the API's
 * tree parser's: repeated keys ({@link FieldNames}), trailing content and nesting deeper than {@value #MAX_DEPTH} are malformed,
 * every number is read as an exact decimal (so one no decimal can hold fails the whole body, wherever it
 * is). The one second look at the bytes: the {@code data} object of {@code opt_in}/{@code profile}, which is
 * copied into the stored attributes only once the action is known. One instance per thread (it reuses its
 * buffers); not thread-safe.
 */
public final class EventReader {

    /** Deepest accepted nesting of objects and arrays in a request body. */
    public static final int MAX_DEPTH = 64;

    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH).build();
    /** Repeated keys are found by {@link FieldNames}, which allocates far less than Jackson's detector. */
    private static final JsonFactory PARSERS = JsonFactory.builder().streamReadConstraints(LIMITS).build();
    /** Reads a body again once a repeated key is found, only to fail exactly as the tree parser did. */
    private static final JsonFactory STRICT = JsonFactory.builder().streamReadConstraints(LIMITS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final JsonFactory WRITERS = JsonFactory.builder().build();
    /** Databind's wording for trailing content, which the API's messages have always carried. */
    private static final String TRAILING = "Trailing token (of type %s) found after value (bound as `"
            + JsonNode.class.getName() + "`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`";

    private final EventChecks checks;
    private final EventFields fields = new EventFields();
    private final CheckedEvent checked = new CheckedEvent(fields);
    private final CanonicalJson canonical = new CanonicalJson();
    private final FieldNames names = new FieldNames();
    private final EventChecks.ProfileAttributes attributes = this::profileAttributes;
    /** The body being read, for the second look at profile attributes. */
    private byte[] body;
    /** How many bytes of {@link #body} are the body (the array may be a reused, larger one). */
    private int bodyLength;

    /** Every action name the rules know, so a known action is read as its constant (no String per event). */
    private final String[] actions;

    public EventReader(RulesConfig rules) {
        this.checks = new EventChecks(rules);
        List<String> known = new ArrayList<>(EventValidator.BUILT_IN_ACTIONS);
        for (RulesConfig.CustomAction custom : rules.customActions()) {
            known.add(custom.name());
        }
        this.actions = known.toArray(String[]::new);
    }

    /** The body is empty or only whitespace. */
    public static final class EmptyBodyException extends IOException {
        private static final long serialVersionUID = 1L;

        EmptyBodyException() {
            super("request body is empty", null);
        }
    }

    /**
     * Reads a {@code POST /events} body: one event.
     *
     * @param nowMs the ingest clock now, for the effective-timestamp bounds
     * @throws EmptyBodyException        when the body holds no JSON value
     * @throws java.io.IOException       when the body is not valid JSON (Jackson's exception, with its location)
     * @throws NumberFormatException     when a number is valid JSON but no decimal can hold it ({@code 1e4000000000})
     */
    public ReadEvent readEvent(byte[] body, long nowMs) throws IOException {
        return readEvent(body, body.length, nowMs);
    }

    /** {@link #readEvent(byte[], long)} of the first {@code length} bytes of {@code body}. */
    public ReadEvent readEvent(byte[] body, int length, long nowMs) throws IOException {
        ValidationError error = readChecked(body, length, nowMs);
        return error == null ? new ReadEvent(Validated.ok(checked.toEvent()), checked.bodyHash)
                : new ReadEvent(Validated.fail(error), 0);
    }

    /**
     * {@link #readEvent} without building an {@link Event}: the first validation error, or null when the event
     * is valid and {@link #checked()} holds it (until the next read). Throws as {@code readEvent}.
     */
    public ValidationError readChecked(byte[] body, long nowMs) throws IOException {
        return readChecked(body, body.length, nowMs);
    }

    /**
     * {@link #readChecked(byte[], long)} of the first {@code length} bytes of {@code body} (a reused buffer: the
     * bytes after them are not read; errors and their locations are those of an array of exactly that length).
     */
    public ValidationError readChecked(byte[] body, int length, long nowMs) throws IOException {
        try (JsonParser p = PARSERS.createParser(body, 0, length)) {
            JsonToken first = first(p, body, length);
            ValidationError error = event(p, first, nowMs);
            endOfBody(p);
            return error;
        } finally {
            this.body = null;
        }
    }

    /** The event of the last {@link #readChecked} that returned no error. */
    public CheckedEvent checked() {
        return checked;
    }

    /**
     * Reads a {@code POST /events/bulk} body {@code {"events":[...]}}: every slot is read and validated on its
     * own, with one clock; past {@code bulkMax} slots are only counted. Throws as {@link #readEvent}.
     */
    public BulkRead readBulk(byte[] body, long nowMs, int bulkMax) throws IOException {
        SlotList slots = new SlotList(Math.min(bulkMax, 128));
        ValidationError error = readBulk(body, nowMs, bulkMax, slots);
        return error != null ? new BulkRead(error, List.of()) : new BulkRead(null, slots.list);
    }

    /** {@link BulkSlots} that keeps every slot as a {@link ReadEvent} (with an {@link Event} for a valid one). */
    private static final class SlotList implements BulkSlots {
        final List<ReadEvent> list;

        SlotList(int capacity) {
            list = new ArrayList<>(capacity);
        }

        @Override
        public void clear() {
            list.clear();
        }

        @Override
        public void valid(CheckedEvent event) {
            list.add(new ReadEvent(Validated.ok(event.toEvent()), event.bodyHash));
        }

        @Override
        public void invalid(ValidationError error) {
            list.add(new ReadEvent(Validated.fail(error), 0));
        }
    }

    /**
     * {@link #readBulk(byte[], long, int)} telling each slot to {@code into} as it is read (no {@link Event} per
     * slot): returns the error of the whole request, or null when every slot up to {@code bulkMax} was told.
     * On an error {@code into} may hold some slots already; they are not to be used. Throws as {@link #readEvent}.
     */
    public ValidationError readBulk(byte[] body, long nowMs, int bulkMax, BulkSlots into) throws IOException {
        into.clear();
        try (JsonParser p = PARSERS.createParser(body)) {
            JsonToken t = first(p, body, body.length);
            if (t != JsonToken.START_OBJECT) {
                skip(p, t);
                endOfBody(p);
                return new ValidationError("invalid_field", "request body must be a JSON object holding 'events'");
            }
            boolean eventsGiven = false;
            boolean eventsIsArray = false;
            int total = 0;
            names.open();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean events = "events".equals(name(p));
                t = p.nextToken();
                if (events && t == JsonToken.START_ARRAY) {
                    eventsGiven = true;
                    eventsIsArray = true;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (++total <= bulkMax) {
                            ValidationError error = event(p, t, nowMs);
                            if (error == null) {
                                into.valid(checked);
                            } else {
                                into.invalid(error);
                            }
                        } else {
                            skip(p, t);
                        }
                    }
                } else {
                    eventsGiven |= events;
                    skip(p, t);
                }
            }
            names.close();
            endOfBody(p);
            if (!eventsGiven) {
                return ValidationError.missing("events");
            }
            if (!eventsIsArray) {
                return ValidationError.invalid("events", "must be a list of events");
            }
            if (total > bulkMax) {
                return ValidationError.invalid("events", "holds " + total + " events; at most "
                        + bulkMax + " are allowed (api.bulk-max)");
            }
            return null;
        } finally {
            this.body = null;
        }
    }

    private JsonToken first(JsonParser p, byte[] bytes, int length) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new EmptyBodyException();
        }
        this.body = bytes;
        this.bodyLength = length;
        names.reset();
        return t;
    }

    /** The name of the member just read; a name the object already has fails the body. */
    private String name(JsonParser p) throws IOException {
        String name = p.currentName();
        if (!names.add(name)) {
            throw duplicate();
        }
        return name;
    }

    /**
     * Jackson's own exception for the repeated key (its message and location are part of the 400 the API
     * has always answered): everything before the key was read without error, so the strict reader stops
     * on that very key.
     */
    private IOException duplicate() {
        try (JsonParser strict = STRICT.createParser(body, 0, bodyLength)) {
            while (strict.nextToken() != null) {
                // the repeated key throws
            }
        } catch (IOException e) {
            return e;
        }
        return new IOException("repeated key");
    }

    /** After the root value only whitespace may follow, as with databind's {@code FAIL_ON_TRAILING_TOKENS}. */
    private static void endOfBody(JsonParser p) throws IOException {
        JsonToken trailing = p.nextToken();
        if (trailing != null) {
            throw MismatchedInputException.from(p, JsonNode.class, String.format(TRAILING, trailing));
        }
    }

    /** Reads one event value starting at {@code t}, then checks it into {@link #checked}; its error or null. */
    private ValidationError event(JsonParser p, JsonToken t, long nowMs) throws IOException {
        fields.clear();
        canonical.reset();
        if (t == JsonToken.START_OBJECT) {
            fields.isObject = true;
            envelope(p);
        } else {
            skip(p, t);
        }
        ValidationError error = checks.check(fields, nowMs, attributes, checked);
        if (error == null && checked.id != null) {
            checked.bodyHash = canonical.hash();
        }
        return error;
    }

    private void envelope(JsonParser p) throws IOException {
        canonical.startObject();
        names.open();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = name(p);
            canonical.field(name);
            JsonToken t = p.nextToken();
            switch (name) {
                case "customer" -> value(p, t, fields.customer);
                case "action" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        fields.action.kind = JsonValue.Kind.STRING;
                        fields.action.text = action(p);
                        canonical.string(fields.action.text);
                    } else {
                        value(p, t, fields.action);
                    }
                }
                case "id" -> value(p, t, fields.id);
                case "account" -> value(p, t, fields.account);
                case "data" -> {
                    if (t == JsonToken.START_OBJECT) {
                        data(p);
                    } else {
                        value(p, t, fields.data);
                    }
                }
                default -> copy(p, t);
            }
        }
        names.close();
        canonical.endObject();
    }

    private void data(JsonParser p) throws IOException {
        fields.dataIsObject = true;
        // The '{' token's byte offset without a JsonLocation per event (~6% of a bulk's allocation on the loop):
        // for a token that is not a name, Jackson's byte parser makes that location's offset from this count
        // less one (EventReaderTest's opt_in/profile attributes, read from this offset, hold it to that).
        fields.dataStart = p instanceof UTF8StreamJsonParser bytesParser ? bytesParser.getTokenCharacterOffset() - 1
                : p.currentTokenLocation().getByteOffset();
        canonical.startObject();
        names.open();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = name(p);
            canonical.field(name);
            JsonToken t = p.nextToken();
            switch (name) {
                case "effective_timestamp" -> value(p, t, fields.effectiveTimestamp);
                case "points" -> value(p, t, fields.points);
                case "reason" -> value(p, t, fields.reason);
                case "transaction_id" -> value(p, t, fields.transactionId);
                case "total" -> value(p, t, fields.total);
                case "points_burned" -> value(p, t, fields.pointsBurned);
                case "amount" -> value(p, t, fields.amount);
                case "tier" -> {
                    fields.tierGiven = true;
                    copy(p, t);
                }
                case "items" -> {
                    if (t == JsonToken.START_ARRAY) {
                        items(p);
                    } else {
                        value(p, t, fields.items);
                    }
                }
                default -> copy(p, t);
            }
        }
        names.close();
        canonical.endObject();
    }

    private void items(JsonParser p) throws IOException {
        fields.itemsIsArray = true;
        canonical.startArray();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            EventFields.Item item = fields.nextItem();
            if (t != JsonToken.START_OBJECT) {
                copy(p, t);
                continue;
            }
            item.isObject = true;
            canonical.startObject();
            names.open();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = name(p);
                canonical.field(name);
                t = p.nextToken();
                switch (name) {
                    case "product_id" -> value(p, t, item.productId);
                    case "price" -> value(p, t, item.price);
                    case "quantity" -> value(p, t, item.quantity);
                    case "discount" -> value(p, t, item.discount);
                    default -> copy(p, t);
                }
            }
            names.close();
            canonical.endObject();
        }
        canonical.endArray();
    }

    /** The action string just read: a known action's constant, or a new String for any other text. */
    private String action(JsonParser p) throws IOException {
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        for (String known : actions) {
            if (known.length() == length && sameChars(known, chars, offset)) {
                return known;
            }
        }
        return p.getText();
    }

    private static boolean sameChars(String s, char[] chars, int offset) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads a field the checks use into {@code into}, and into the canonical form. */
    private void value(JsonParser p, JsonToken t, JsonValue into) throws IOException {
        switch (t) {
            case VALUE_STRING -> {
                into.kind = JsonValue.Kind.STRING;
                into.text = p.getText();
                canonical.string(into.text);
            }
            case VALUE_NUMBER_INT -> {
                JsonParser.NumberType type = p.getNumberType();
                if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                    into.kind = JsonValue.Kind.LONG;
                    into.longValue = p.getLongValue();
                    canonical.number(into.longValue);
                } else {
                    into.kind = JsonValue.Kind.DECIMAL;
                    into.compact = false;
                    into.decimal = new BigDecimal(p.getBigIntegerValue());
                    canonical.number(into.decimal);
                }
            }
            case VALUE_NUMBER_FLOAT -> {
                // Prices: read from the token's characters, no BigDecimal (nor its strip, scale and toString).
                if (PlainDecimal.read(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), into)) {
                    canonical.number(into.unscaled, into.scale);
                } else {
                    into.kind = JsonValue.Kind.DECIMAL;
                    into.compact = false;
                    into.decimal = p.getDecimalValue();
                    canonical.number(into.decimal);
                }
            }
            case VALUE_NULL -> {
                into.kind = JsonValue.Kind.NULL;
                canonical.nul();
            }
            default -> {
                into.kind = JsonValue.Kind.OTHER;
                copy(p, t);
            }
        }
    }

    /** Copies a value the checks do not use into the canonical form. */
    private void copy(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                canonical.startObject();
                names.open();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    canonical.field(name(p));
                    copy(p, p.nextToken());
                }
                names.close();
                canonical.endObject();
            }
            case START_ARRAY -> {
                canonical.startArray();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    copy(p, next);
                }
                canonical.endArray();
            }
            case VALUE_STRING -> canonical.string(p.getText());
            case VALUE_NUMBER_INT -> {
                JsonParser.NumberType type = p.getNumberType();
                if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
                    canonical.number(p.getLongValue());
                } else {
                    canonical.number(new BigDecimal(p.getBigIntegerValue()));
                }
            }
            case VALUE_NUMBER_FLOAT -> canonical.number(p.getDecimalValue());
            case VALUE_TRUE -> canonical.bool(true);
            case VALUE_FALSE -> canonical.bool(false);
            case VALUE_NULL -> canonical.nul();
            default -> throw new IllegalStateException("unexpected token " + t);
        }
    }

    /**
     * Steps over a value nobody reads, still reading every number and string as the tree parser did: a
     * number no decimal can hold fails the body wherever it stands.
     */
    private void skip(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                names.open();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    name(p);
                    skip(p, p.nextToken());
                }
                names.close();
            }
            case START_ARRAY -> {
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    skip(p, next);
                }
            }
            case VALUE_STRING -> p.getTextLength();
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    p.getBigIntegerValue();
                }
            }
            case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
            default -> {
                // true, false, null: nothing to read
            }
        }
    }

    /** Compact JSON of {@code data} minus {@code effective_timestamp}, as the tree validator stores it. */
    private String profileAttributes(EventFields f) {
        int start = (int) f.dataStart;
        StringWriter out = new StringWriter(128);
        try (JsonParser p = PARSERS.createParser(body, start, bodyLength - start);
             JsonGenerator g = WRITERS.createGenerator(out)) {
            p.nextToken();
            g.writeStartObject();
            int written = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("effective_timestamp".equals(name)) {
                    p.skipChildren();
                    continue;
                }
                g.writeFieldName(name);
                attribute(p, t, g);
                written++;
            }
            g.writeEndObject();
            g.flush();
            return written == 0 ? null : out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one value as a Jackson tree would: integers as read, decimals without trailing zeros. */
    private static void attribute(JsonParser p, JsonToken t, JsonGenerator g) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                g.writeStartObject();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    g.writeFieldName(p.currentName());
                    attribute(p, p.nextToken(), g);
                }
                g.writeEndObject();
            }
            case START_ARRAY -> {
                g.writeStartArray();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    attribute(p, next, g);
                }
                g.writeEndArray();
            }
            case VALUE_STRING -> g.writeString(p.getText());
            case VALUE_NUMBER_INT -> {
                switch (p.getNumberType()) {
                    case INT -> g.writeNumber(p.getIntValue());
                    case LONG -> g.writeNumber(p.getLongValue());
                    default -> g.writeNumber(p.getBigIntegerValue());
                }
            }
            case VALUE_NUMBER_FLOAT -> {
                BigDecimal d = p.getDecimalValue();
                g.writeNumber(d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros());
            }
            case VALUE_TRUE -> g.writeBoolean(true);
            case VALUE_FALSE -> g.writeBoolean(false);
            case VALUE_NULL -> g.writeNull();
            default -> throw new IllegalStateException("unexpected token " + t);
        }
    }
}
