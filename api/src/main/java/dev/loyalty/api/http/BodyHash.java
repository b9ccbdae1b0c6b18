package dev.loyalty.api.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The 64-bit idempotency hash of an event: equal for the same parsed JSON, whatever the key order or
 * number spelling. Hashes the event's canonical JSON (object keys sorted recursively, numbers by value:
 * {@code 1}, {@code 1.0} and {@code 1.00} are one number, as in RFC 8785) with SHA-256, keeping its
 * first 8 bytes; never 0, which {@link dev.loyalty.engine.LoyaltyEngine.Submitted} reserves for "no id".
 * Thread-safe.
 */
public final class BodyHash {

    private BodyHash() {
    }

    /** The hash of an event that carries an {@code id}; never 0. */
    public static long of(JsonNode event) {
        StringBuilder canonical = new StringBuilder(256);
        canonical(event, canonical);
        byte[] d = Sha256.of(canonical.toString().getBytes(StandardCharsets.UTF_8));
        long hash = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            hash = (hash << 8) | (d[i] & 0xFF);
        }
        return hash == 0 ? 1 : hash;
    }

    /** Appends the canonical JSON of {@code node}: no whitespace, sorted keys, numbers by value. */
    static void canonical(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(node.size());
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(null);
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    string(names.get(i), out);
                    out.append(':');
                    canonical(node.get(names.get(i)), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    canonical(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), out);
            case NUMBER -> number(node, out);
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            // Parsed request JSON holds nothing else; binary/POJO/missing nodes hash by their text.
            default -> string(node.getNodeType() + ":" + node.asText(), out);
        }
    }

    private static void number(JsonNode node, StringBuilder out) {
        if (node.canConvertToExactIntegral() && node.canConvertToLong()) {
            long v = node.longValue();
            if (v % 10 != 0) {
                // no trailing zero to strip: the plain digits, as BigDecimal would write them
                out.append(v);
                return;
            }
        }
        out.append(number(node.decimalValue()));
    }

    private static String number(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toString();
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        out.append('"');
    }
}
