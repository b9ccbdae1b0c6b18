package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * Adds up {@code GET /stats} answers of nodes that own different partitions, as {@code ProgramStats.sum} adds up
 * partitions: counts add, {@code as_of} (an ISO-8601 UTC time, so ordered as text) is the earliest.
 */
final class StatsSum {

    private StatsSum() {
    }

    /** {@code into} plus {@code part} ({@code into} null: {@code part}); the result may be either, changed. */
    static ObjectNode add(ObjectNode into, ObjectNode part) {
        if (into == null) {
            return part;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = part.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode mine = into.get(e.getKey());
            JsonNode theirs = e.getValue();
            if (mine == null || mine.isNull()) {
                into.set(e.getKey(), theirs);
            } else if (theirs.isIntegralNumber() && mine.isIntegralNumber()) {
                into.put(e.getKey(), mine.longValue() + theirs.longValue());
            } else if (theirs.isObject() && mine.isObject()) {
                add((ObjectNode) mine, (ObjectNode) theirs);
            } else if (theirs.isTextual() && mine.isTextual() && theirs.asText().compareTo(mine.asText()) < 0) {
                into.set(e.getKey(), theirs);
            }
        }
        return into;
    }
}
