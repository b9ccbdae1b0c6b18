package dev.loyalty.api;

import dev.loyalty.api.logging.ProgramLogging;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;

import org.slf4j.event.Level;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads the configuration the way every command does: shipped defaults, {@code --config}, {@code ENGINE_*}
 * environment, then the command's options. The shipped defaults come from the classpath, else from
 * {@code config/engine.yaml} under the {@code engine.home} system property (the repository root).
 */
final class ProgramConfig {

    private ProgramConfig() {
    }

    /**
     * @param overrides dotted key → value text, for the options given (absent options are left out)
     * @throws dev.loyalty.engine.config.ConfigException naming the key at fault
     */
    static EngineConfig load(Path configFile, Map<String, String> env, Map<String, String> overrides) {
        String home = System.getProperty("engine.home");
        return ConfigLoader.loadShipped(home == null ? null : Path.of(home), configFile, env, overrides);
    }

    /**
     * Loads the configuration of an offline tool ({@code import}, {@code export}, {@code backup},
     * {@code replay}) for that data folder and applies its logging settings, holding the engine's own info
     * lines back (the tool reports on stdout/stderr itself) unless a more verbose level is configured.
     */
    static EngineConfig loadForTool(Path configFile, Path dataDir) {
        EngineConfig config = load(configFile, System.getenv(), new Overrides().put("data-dir", dataDir).toMap());
        ProgramLogging.configure(config.log());
        if (config.log().level().equals("info")) {
            ProgramLogging.threshold(Level.WARN);
        }
        return config;
    }

    /** Collects command-line overrides, skipping options that were not given. */
    static final class Overrides {
        private final Map<String, String> values = new LinkedHashMap<>();

        Overrides put(String key, Object value) {
            if (value != null) {
                values.put(key, value.toString());
            }
            return this;
        }

        Map<String, String> toMap() {
            return values;
        }
    }
}
