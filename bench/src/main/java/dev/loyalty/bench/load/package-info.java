/**
 * The load harness ({@link dev.loyalty.bench.load.LoadHarness}): drives the real HTTP server, or the bare
 * baseline, with the realistic mix of {@link dev.loyalty.bench.load.EventMix}; open loop at a constant
 * offered rate with latency from each request's intended send time (no coordinated omission), or closed
 * loop; HdrHistogram percentiles; reads the engine's lag and processed events from its management port.
 * Client threads only; nothing here runs inside the engine.
 */
package dev.loyalty.bench.load;
