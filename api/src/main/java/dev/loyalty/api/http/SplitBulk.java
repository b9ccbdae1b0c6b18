package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Puts the answers of a split bulk's parts back together: part {@code k} held the request's slots
 * {@code partSlots.get(k)} (in request order), its answer's {@code results} are those slots' answers in the same
 * order, and the bulk's answer lists every slot at its place in the request, however the parts were
 * split or in whichever order they completed.
 */
final class SplitBulk {

    private SplitBulk() {
    }

    /**
     * The bulk's answer ({@code total}, {@code errors}, {@code results} in request order).
     *
     * @throws IllegalStateException when a part's answer has no {@code results} matching its slots (not an answer
     *                               this engine gives: the caller answers 503 rather than a wrong bulk)
     */
    static ObjectNode merge(int total, List<List<Integer>> partSlots, List<JsonNode> partAnswers) {
        JsonNode[] results = new JsonNode[total];
        for (int k = 0; k < partSlots.size(); k++) {
            JsonNode r = partAnswers.get(k).get("results");
            List<Integer> s = partSlots.get(k);
            if (r == null || !r.isArray() || r.size() != s.size()) {
                throw new IllegalStateException("part " + k + "'s answer has no results for its " + s.size() + " slots");
            }
            for (int j = 0; j < s.size(); j++) {
                results[s.get(j)] = r.get(j);
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("total", total);
        int errors = 0;
        ArrayNode list = JsonNodeFactory.instance.arrayNode(total);
        for (int i = 0; i < total; i++) {
            if (results[i] == null) {
                throw new IllegalStateException("slot " + i + " is in no part");
            }
            if (results[i].has("error")) {
                errors++;
            }
            list.add(results[i]);
        }
        out.put("errors", errors);
        out.set("results", list);
        return out;
    }
}
