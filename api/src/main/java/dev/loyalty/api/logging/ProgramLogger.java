package dev.loyalty.api.logging;

import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

import java.util.List;

/** One named logger: checks the level, formats the message, hands the event to {@link ProgramLogging}. */
final class ProgramLogger extends AbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;

    ProgramLogger(String name) {
        this.name = name;
    }

    private boolean enabled(Level level) {
        return ProgramLogging.enabled(name, level);
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
                                               Object[] arguments, Throwable throwable) {
        ProgramLogging.write(System.currentTimeMillis(), level, name, Thread.currentThread().getName(),
                MessageFormatter.basicArrayFormat(messagePattern, arguments), List.of(), throwable);
    }

    /** The fluent API ({@code LOG.atInfo().addKeyValue(...)}): key-value pairs become fields. */
    @Override
    public void log(LoggingEvent event) {
        if (!enabled(event.getLevel())) {
            return;
        }
        List<KeyValuePair> fields = event.getKeyValuePairs() == null ? List.of() : event.getKeyValuePairs();
        long time = event.getTimeStamp() > 0 ? event.getTimeStamp() : System.currentTimeMillis();
        String thread = event.getThreadName() != null ? event.getThreadName() : Thread.currentThread().getName();
        ProgramLogging.write(time, event.getLevel(), name, thread,
                MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray()), fields,
                event.getThrowable());
    }
}
