package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /stats} of nodes owning different partitions add up as partitions do. */
class StatsSumTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void shouldAddCountsAndKeepTheEarliestAsOf() throws Exception {
        ObjectNode a = json("""
                {"as_of":"2026-12-06T10:00:05Z","events_applied":10,"members":{"total":3,"active":2,"opted_out":1},
                 "active_members":{"30d":2},"tiers":{"bronze":3,"gold":0},"liability":{"points":100,"bonus":0},
                 "expiring":{"30d":{"points":5,"bonus":0}}}""");
        ObjectNode b = json("""
                {"as_of":"2026-12-06T10:00:01Z","events_applied":7,"members":{"total":2,"active":2,"opted_out":0},
                 "active_members":{"30d":1},"tiers":{"bronze":1,"gold":1},"liability":{"points":50,"bonus":4},
                 "expiring":{"30d":{"points":1,"bonus":2}}}""");

        ObjectNode sum = StatsSum.add(StatsSum.add(null, a), b);

        // As written on the wire (sums are long nodes, parsed small numbers int nodes: same JSON).
        assertThat(sum.toString()).isEqualTo(json("""
                {"as_of":"2026-12-06T10:00:01Z","events_applied":17,"members":{"total":5,"active":4,"opted_out":1},
                 "active_members":{"30d":3},"tiers":{"bronze":4,"gold":1},"liability":{"points":150,"bonus":4},
                 "expiring":{"30d":{"points":6,"bonus":2}}}""").toString());
    }
}
