/**
 * Events as journaled: {@link dev.loyalty.engine.event.Event} and its validation from request JSON by
 * {@link dev.loyalty.engine.event.EventValidator} (400 errors before the journal). Thread-safe, no I/O;
 * called by the API front end. {@code Event}, {@code Validated} and {@code ValidationError} are shared
 * contract; the validator and its helpers are owned by the rules owner.
 */
package dev.loyalty.engine.event;
