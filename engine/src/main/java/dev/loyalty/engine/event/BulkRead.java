package dev.loyalty.engine.event;

import java.util.List;

/**
 * A bulk body read by {@link EventReader#readBulk}: either an error of the whole request (the envelope is
 * not {@code {"events":[...]}} or holds too many events) or one {@link ReadEvent} per slot, in order.
 */
public record BulkRead(ValidationError error, List<ReadEvent> slots) {
}
