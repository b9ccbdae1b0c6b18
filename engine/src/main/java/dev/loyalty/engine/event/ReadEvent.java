package dev.loyalty.engine.event;

/**
 * One event read from request JSON by {@link EventReader}: its validation result and, for a valid event
 * that carries an {@code id}, the 64-bit hash of its canonical JSON (0 otherwise).
 */
public record ReadEvent(Validated validated, long bodyHash) {
}
