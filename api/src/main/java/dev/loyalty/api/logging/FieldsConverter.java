package dev.loyalty.api.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.event.KeyValuePair;

import java.util.List;

/** {@code %fields} of the text lines: the event's key-value pairs as {@code " key=value"}, nothing when none. */
final class FieldsConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        List<KeyValuePair> fields = event.getKeyValuePairs();
        if (fields == null || fields.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(32);
        for (KeyValuePair kv : fields) {
            sb.append(' ').append(kv.key).append('=').append(kv.value);
        }
        return sb.toString();
    }
}
