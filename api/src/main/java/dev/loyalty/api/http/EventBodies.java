package dev.loyalty.api.http;

import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.EventReader;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.journal.EventRecord;

import java.io.IOException;

/**
 * Reads {@code POST /events} and {@code POST /events/bulk} bodies in one streaming pass each (no JSON
 * tree), with one reusable {@link EventReader} per thread; a body that is no JSON answers 400 exactly as
 * {@link JsonBodies} words it. Thread-safe (event loops).
 */
final class EventBodies {

    private final ThreadLocal<EventReader> readers;
    /** The journal record of the single-event path, reused per thread as its reader is. */
    private final ThreadLocal<EventRecord> records = ThreadLocal.withInitial(EventRecord::new);
    /** The journal record of the bulk path, reused per thread likewise. */
    private final ThreadLocal<BulkRecord> bulkRecords = ThreadLocal.withInitial(BulkRecord::new);

    EventBodies(RulesConfig rules) {
        this.readers = ThreadLocal.withInitial(() -> new EventReader(rules));
        // Loads Chronicle's buffer classes now: their first use costs a first request up to hundreds of ms.
        new EventRecord().encode(new EventReader(rules).checked());
    }

    /**
     * The valid event of a single-event body straight in its journal encoding (no {@code Event} built); this
     * thread's record, valid until its next call.
     *
     * @throws ApiException 400 when the body is empty, not JSON, or the event is not valid
     */
    EventRecord record(byte[] body, long nowMs) {
        return record(body, body.length, nowMs);
    }

    /** {@link #record(byte[], long)} of the first {@code length} bytes of {@code body} (a reused buffer). */
    EventRecord record(byte[] body, int length, long nowMs) {
        EventReader reader = readers.get();
        ValidationError error;
        try {
            error = reader.readChecked(body, length, nowMs);
        } catch (EventReader.EmptyBodyException e) {
            throw JsonBodies.empty();
        } catch (IOException | NumberFormatException | ArithmeticException e) {
            throw JsonBodies.unreadable(e);
        }
        if (error != null) {
            throw ApiException.of(error);
        }
        EventRecord record = records.get();
        record.encode(reader.checked());
        return record;
    }

    /**
     * The validated event of a single-event body and its idempotency hash.
     *
     * @throws ApiException 400 when the body is empty or not JSON (a validation failure is in the result)
     */
    ReadEvent event(byte[] body, long nowMs) {
        return event(body, body.length, nowMs);
    }

    /** {@link #event(byte[], long)} of the first {@code length} bytes of {@code body} (a reused buffer). */
    ReadEvent event(byte[] body, int length, long nowMs) {
        try {
            return readers.get().readEvent(body, length, nowMs);
        } catch (EventReader.EmptyBodyException e) {
            throw JsonBodies.empty();
        } catch (IOException | NumberFormatException | ArithmeticException e) {
            throw JsonBodies.unreadable(e);
        }
    }

    /** This thread's bulk record, for {@link #bulk(byte[], long, int, BulkRecord)}: valid until its next use. */
    BulkRecord bulkRecord() {
        return bulkRecords.get();
    }

    /**
     * Reads a bulk body into {@code into} (each valid slot straight into its journal encoding): the envelope's
     * error, or null when every slot is in {@code into}.
     *
     * @throws ApiException 400 when the body is empty or not JSON
     */
    ValidationError bulk(byte[] body, long nowMs, int bulkMax, BulkRecord into) {
        try {
            return readers.get().readBulk(body, nowMs, bulkMax, into);
        } catch (EventReader.EmptyBodyException e) {
            throw JsonBodies.empty();
        } catch (IOException | NumberFormatException | ArithmeticException e) {
            throw JsonBodies.unreadable(e);
        }
    }

    /**
     * Every slot of a bulk body, or the envelope's error.
     *
     * @throws ApiException 400 when the body is empty or not JSON
     */
    BulkRead bulk(byte[] body, long nowMs, int bulkMax) {
        try {
            return readers.get().readBulk(body, nowMs, bulkMax);
        } catch (EventReader.EmptyBodyException e) {
            throw JsonBodies.empty();
        } catch (IOException | NumberFormatException | ArithmeticException e) {
            throw JsonBodies.unreadable(e);
        }
    }
}
