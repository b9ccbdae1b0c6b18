/**
 * Idempotency keys checked before the journal; derived from the journal and rebuilt from it at start.
 */
package dev.loyalty.engine.idempotency;
