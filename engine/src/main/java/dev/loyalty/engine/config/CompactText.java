package dev.loyalty.engine.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.engine.config.ConfigSchema.Field;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The text form of a list of maps in the environment or on the command line: {@code a:b:c+d,e:f:g}, items
 * separated by commas, fields by colons in the order of the item's record, list fields joined by {@code +}.
 * Values are never echoed (API keys are secrets).
 */
final class CompactText {

    private CompactText() {
    }

    /** The list of maps written in {@code text}, without the items that are malformed (each one reported). */
    static ArrayNode parse(String key, String text, Problems problems) {
        List<Field> fields = ConfigSchema.OBJECT_FIELDS.get(key);
        int required = ConfigSchema.REQUIRED_COMPACT_FIELDS.get(key);
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        List<String> entries = ConfigBinding.split(text, ",");
        for (int i = 0; i < entries.size(); i++) {
            String[] parts = entries.get(i).split(":", -1);
            if (parts.length < required || parts.length > fields.size()) {
                problems.add(key, "item " + (i + 1) + " must have the form " + form(fields)
                        + " (items separated by commas; fields after the first " + required
                        + " may be left off or empty), got " + parts.length + " field(s)");
                continue;
            }
            ObjectNode item = items.addObject();
            for (int f = 0; f < parts.length; f++) {
                Field field = fields.get(f);
                if (parts[f].isBlank()) {
                    continue;
                }
                if (field.kind() == ConfigSchema.Kind.LIST) {
                    ArrayNode values = item.putArray(field.name());
                    ConfigBinding.split(parts[f], "+").forEach(values::add);
                } else {
                    item.put(field.name(), parts[f].trim());
                }
            }
        }
        return items;
    }

    private static String form(List<Field> fields) {
        return fields.stream().map(f -> f.kind() == ConfigSchema.Kind.LIST ? f.name() + "+..." : f.name())
                .collect(Collectors.joining(":"));
    }
}
