/**
 * The journal: the append-only source of truth (Chronicle Queue), its record format and the ingest clock. Appended by the ingest path and the heartbeat; read by processors and replay.
 */
package dev.loyalty.engine.journal;
