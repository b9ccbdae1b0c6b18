/**
 * The program's logging: a small SLF4J provider that writes one line per event to stderr, as text for
 * people or as JSON for log collectors ({@code log.format}). The engine library only logs through SLF4J.
 */
package dev.loyalty.api.logging;
