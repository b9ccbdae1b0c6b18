package dev.loyalty.engine.event;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Writes a Jackson tree as JSON text in one of its many spellings: keys shuffled, whitespace anywhere,
 * numbers as other literals of the same value ({@code 10}, {@code 10.0}, {@code 1e1}, {@code 100E-1}),
 * characters of strings as {@code \\u} escapes. Every spelling parses back to the same values.
 */
public final class JsonSpelling {

    private JsonSpelling() {
    }

    public static String write(JsonNode node, Random random) {
        StringBuilder out = new StringBuilder();
        value(node, random, out);
        space(random, out);
        return out.toString();
    }

    private static void value(JsonNode node, Random random, StringBuilder out) {
        space(random, out);
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                Collections.shuffle(names, random);
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    space(random, out);
                    string(names.get(i), random, out);
                    space(random, out);
                    out.append(':');
                    value(node.get(names.get(i)), random, out);
                    space(random, out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(node.get(i), random, out);
                    space(random, out);
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), random, out);
            case NUMBER -> number(node, random, out);
            case BOOLEAN -> out.append(node.booleanValue());
            default -> out.append("null");
        }
    }

    private static void number(JsonNode node, Random random, StringBuilder out) {
        if (node.isDouble() && !Double.isFinite(node.doubleValue())) {
            out.append('"').append(node.doubleValue()).append('"'); // as Jackson writes NaN and infinities
            return;
        }
        BigDecimal v = node.isIntegralNumber() ? new BigDecimal(node.bigIntegerValue())
                : new BigDecimal(node.isDouble() ? Double.toString(node.doubleValue()) : node.decimalValue().toString());
        boolean small = v.precision() - (long) v.scale() < 40 && v.scale() < 40;
        switch (random.nextInt(5)) {
            case 0 -> out.append(node.isIntegralNumber() ? node.bigIntegerValue().toString() : v.toString());
            case 1 -> {
                if (small) {
                    String plain = v.toPlainString();
                    out.append(plain).append(plain.contains(".") ? "0" : ".0");
                } else {
                    out.append(v);
                }
            }
            case 2 -> out.append(v.unscaledValue()).append('e').append(-(long) v.scale());
            case 3 -> {
                if (v.signum() == 0) {
                    out.append("0E0");
                } else {
                    out.append(v.unscaledValue()).append("0E").append(-(long) v.scale() - 1);
                }
            }
            default -> out.append(small ? v.toPlainString() : v.toString());
        }
    }

    private static void string(String s, Random random, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80 && Character.isLetter(c) && random.nextInt(8) == 0) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                JsonStringEncoder.getInstance().quoteAsString(String.valueOf(c), out);
            }
        }
        out.append('"');
    }

    private static void space(Random random, StringBuilder out) {
        if (random.nextInt(6) == 0) {
            out.append(" \n\t\r".charAt(random.nextInt(4)));
        }
    }
}
