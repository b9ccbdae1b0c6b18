package dev.loyalty.bench.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BareServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldAnswerSyncRequestsWithABodyOfTheEngineSyncAnswerSizeAndShape() throws Exception {
        String body = BareServer.SYNC_ANSWER.toString();
        assertThat(body.length()).isBetween(650, 750);
        JsonNode answer = JSON.readTree(body);
        assertThat(List.of("seq", "outcome", "duplicate", "effects", "customer"))
                .allMatch(answer::has);
        assertThat(answer.get("customer").get("accounts").size()).isEqualTo(2);
    }

    @Test
    void shouldAnswerAsyncRequestsWithTheAcceptedBody() throws Exception {
        JsonNode answer = JSON.readTree(BareServer.ASYNC_ANSWER.toString());
        assertThat(answer.get("outcome").asText()).isEqualTo("accepted");
    }
}
