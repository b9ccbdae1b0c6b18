/**
 * Configuration: the validated {@link dev.loyalty.engine.config.EngineConfig} and the
 * {@link dev.loyalty.engine.config.ConfigLoader} that builds it once at start from the shipped defaults
 * ({@code config/engine.yaml}), the {@code --config} file, {@code ENGINE_*} environment variables and
 * command-line options, failing with a {@link dev.loyalty.engine.config.ConfigException} that names the key.
 *
 * <p>Everything here is immutable once built; any thread may read it. {@link dev.loyalty.engine.config.RulesConfig}
 * is also journaled, so its shape is part of the journal format.
 */
package dev.loyalty.engine.config;
