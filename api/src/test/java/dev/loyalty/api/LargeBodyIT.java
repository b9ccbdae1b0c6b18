package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies larger than the body reader's first buffer (64 KiB) arrive in many socket reads: a full 1,000-event
 * bulk, sent with its {@code Content-Length} (the reader grows once, to the declared length) and chunked
 * without one (the reader doubles), is read whole and every slot answered for its own event.
 */
@Timeout(180)
class LargeBodyIT {

    private static final String KEY = "large-key";
    private static final int EVENTS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static Path home;
    private static Program program;
    private static int port;

    @BeforeAll
    @Timeout(180)
    static void start() throws Exception {
        home = Files.createTempDirectory("large-body-it");
        port = TestFolders.freePort();
        program = TestPrograms.startReady(home, """
                api:
                  host: 127.0.0.1
                  keys:
                    - name: all
                      key: large-key
                      scopes: [ingest, read, admin]
                partitions: 2
                """, port);
    }

    @AfterAll
    @Timeout(120)
    static void stop() {
        if (program != null) {
            program.close();
        }
        TestFolders.deleteRecursively(home);
    }

    @Test
    void shouldReadAWholeBulkSentWithItsLength() throws Exception {
        byte[] body = bulk("len");
        assertThat(body.length).as("bigger than the reader's first buffer").isGreaterThan(64 * 1024);
        assertEverySlotAnswered("len", send(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    @Test
    void shouldReadAWholeChunkedBulk() throws Exception {
        byte[] body = bulk("chunked");
        // An input stream of unknown length goes out as Transfer-Encoding: chunked, with no Content-Length.
        assertEverySlotAnswered("chunked", send(HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(body))));
    }

    private static HttpResponse<String> send(HttpRequest.BodyPublisher publisher) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events/bulk"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(publisher)
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void assertEverySlotAnswered(String tag, HttpResponse<String> answer) throws Exception {
        assertThat(answer.statusCode()).as(head(answer.body())).isEqualTo(200);
        JsonNode tree = JSON.readTree(answer.body());
        assertThat(tree.path("total").asInt()).isEqualTo(EVENTS);
        assertThat(tree.path("errors").asInt()).as(head(answer.body())).isZero();
        JsonNode results = tree.path("results");
        assertThat(results.size()).isEqualTo(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            JsonNode slot = results.get(i);
            assertThat(slot.path("outcome").asText()).as("slot %d: %s", i, slot).isEqualTo("applied");
            assertThat(slot.path("customer").path("id").asText()).as("slot %d", i).isEqualTo(customer(tag, i));
        }
    }

    /** A bulk of opt_ins with enough profile data per event to take the body well past 64 KiB. */
    private static byte[] bulk(String tag) {
        StringBuilder out = new StringBuilder("{\"events\":[");
        String padding = "x".repeat(60);
        for (int i = 0; i < EVENTS; i++) {
            out.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"").append(tag).append("-opt-").append(i)
                    .append("\",\"customer\":\"").append(customer(tag, i))
                    .append("\",\"action\":\"opt_in\",\"data\":{\"note\":\"").append(padding).append("\"}}");
        }
        return out.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String head(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    private static String customer(String tag, int i) {
        return "c-" + tag + "-" + i;
    }
}
