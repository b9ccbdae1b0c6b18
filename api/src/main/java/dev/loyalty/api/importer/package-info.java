/**
 * {@code bin/engine import}: reads customers with their profile and opening balances from CSV or NDJSON
 * ({@link dev.loyalty.api.importer.CustomerFile}) and journals them through an embedded engine
 * ({@link dev.loyalty.api.importer.Importer}), so that the result is replayable like any other event.
 * Used by the import command only, on its own thread.
 */
package dev.loyalty.api.importer;
