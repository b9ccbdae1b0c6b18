package dev.loyalty.engine.event;

/**
 * Told the slots of a bulk body in order as {@link EventReader#readBulk(byte[], long, int, BulkSlots)} reads
 * them: a valid slot's event while the reader still holds it, or an invalid slot's error.
 */
public interface BulkSlots {

    /** A new body is about to be read: forget the last one's slots. */
    void clear();

    /** The next slot is valid; {@code event} is the reader's holder, valid until this returns. */
    void valid(CheckedEvent event);

    /** The next slot failed validation: not to be journaled. */
    void invalid(ValidationError error);
}
