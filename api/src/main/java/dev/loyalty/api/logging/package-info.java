/**
 * The program's logging: Logback, configured in code from {@code log.format} and {@code log.level} (never
 * from a {@code logback.xml}), writing one event per line to stderr through an async appender, as text for
 * people or as JSON for log collectors. The engine library only logs through SLF4J.
 */
package dev.loyalty.api.logging;
