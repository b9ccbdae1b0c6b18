/**
 * JMH benchmarks of the engine's parts ({@code *Benchmark}: decode and validation, journal append, rules,
 * state commit, in-process end to end, raw Chronicle/RocksDB baselines) and their shared fixtures.
 * Throughput benchmarks report events per second (JMH's {@code ops/s}, or the {@code events} secondary
 * counter where one call handles a batch). Run through {@link dev.loyalty.bench.BenchMain}
 * ({@code java -jar bench/target/benchmarks.jar}), which gives every fork Chronicle's JVM flags.
 * Nothing in the engine or the API depends on this module.
 */
package dev.loyalty.bench;
