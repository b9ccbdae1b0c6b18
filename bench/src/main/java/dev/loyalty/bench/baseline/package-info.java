/**
 * Baselines measured in the same run as the engine: {@link dev.loyalty.bench.baseline.BareServer}, the
 * HTTP ceiling (a Vert.x endpoint that reads the body and answers without doing anything).
 */
package dev.loyalty.bench.baseline;
