/**
 * Events as journaled: {@link dev.loyalty.engine.event.Event} and its validation from request JSON (400
 * errors before the journal), either streamed from body bytes by {@link dev.loyalty.engine.event.EventReader}
 * (the API's hot path: one pass, no tree, with the idempotency hash; one reader per thread) or from a Jackson
 * tree by {@link dev.loyalty.engine.event.EventValidator} (the importer; the reference the reader is tested
 * against). No I/O; called by the API front end. {@code Event}, {@code Validated} and {@code ValidationError}
 * are shared contract; the validators and their helpers are owned by the rules owner.
 */
package dev.loyalty.engine.event;
