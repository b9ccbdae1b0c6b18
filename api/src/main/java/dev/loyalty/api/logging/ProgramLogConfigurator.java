package dev.loyalty.api.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.loyalty.engine.config.EngineConfig;

/**
 * Logback's first configuration (found through {@code META-INF/services}): text at info to stderr, until a
 * command applies its own settings. It ends Logback's search, so no {@code logback.xml} (on the classpath or
 * named by {@code -Dlogback.configurationFile}) is ever read: {@code log.*} is the one place to configure.
 */
public final class ProgramLogConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ProgramLogging.install(context, EngineConfig.LogFormat.TEXT, Level.INFO, null);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
