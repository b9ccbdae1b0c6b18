package dev.loyalty.api.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.event.KeyValuePair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One JSON object per line in the shape the README documents ({@code ts level logger thread msg}, the
 * event's key-value pairs as fields, {@code error} holding the stack trace). Logback's own
 * {@code JsonEncoder} writes another shape (nested {@code kvpList}, {@code throwable} objects); collectors
 * set up for this one keep working. A field named like a reserved key gets a {@code kv_} prefix.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

    private static final Set<String> RESERVED = Set.of("ts", "level", "logger", "thread", "msg", "error");
    private static final byte[] NEWLINE = System.lineSeparator().getBytes(StandardCharsets.UTF_8);
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("msg", event.getFormattedMessage());
            List<KeyValuePair> fields = event.getKeyValuePairs();
            if (fields != null) {
                for (KeyValuePair kv : fields) {
                    writeField(g, RESERVED.contains(kv.key) ? "kv_" + kv.key : kv.key, kv.value);
                }
            }
            IThrowableProxy error = event.getThrowableProxy();
            if (error != null) {
                g.writeStringField("error", ThrowableProxyUtil.asString(error));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        out.writeBytes(NEWLINE);
        return out.toByteArray();
    }

    private static void writeField(JsonGenerator g, String key, Object value) throws IOException {
        if (value instanceof Long || value instanceof Integer) {
            g.writeNumberField(key, ((Number) value).longValue());
        } else if (value instanceof Boolean b) {
            g.writeBooleanField(key, b);
        } else {
            g.writeStringField(key, String.valueOf(value));
        }
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
