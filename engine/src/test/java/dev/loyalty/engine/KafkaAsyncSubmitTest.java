package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LoyaltyEngine#submitAsync} on the Kafka journal as an event loop uses it: one thread hands many
 * requests to Kafka without waiting for any acknowledgement (a submit that blocked until its ack would return
 * each future already complete), each request continues on that thread once acknowledged, and two requests
 * with the same id in flight at once journal it once (the second waits for the first's reservation without
 * a thread waiting, then answers the duplicate).
 */
@Timeout(120)
class KafkaAsyncSubmitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = 60;

    @TempDir
    Path dir;

    private static Submitted event(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        return new Submitted(v.event(), node.has("id") ? node.hashCode() | 1 : 0);
    }

    @Test
    void handsEveryRequestToKafkaWithoutWaitingAndContinuesOnTheCallersThread() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>(KafkaTestCluster.journalOn(KafkaTestCluster.topic("async")));
        overrides.putAll(Map.of("data-dir", dir.resolve("data").toString(), "partitions", "2"));
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), overrides);
        ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "fake-event-loop"));
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config, new SimpleMeterRegistry()))) {
            for (int c = 0; c < 4; c++) {
                engine.submit(List.of(event(engine, "{\"customer\":\"a-" + c + "\",\"action\":\"opt_in\"}")), true)
                        .get(0).result().get(10, TimeUnit.SECONDS);
            }
            List<Submitted> requests = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                // Every tenth request repeats the one before it: same id and body, in flight at the same time.
                int n = i % 10 == 9 ? i - 1 : i;
                requests.add(event(engine, "{\"id\":\"as-" + n + "\",\"customer\":\"a-" + n % 4
                        + "\",\"action\":\"point_add\",\"data\":{\"points\":" + (n + 1) + "}}"));
            }
            Set<String> continuedOn = ConcurrentHashMap.newKeySet();
            // All requests handed over in one task of the single "event loop" thread: their continuations can
            // only run after it, so a future complete by then was acknowledged while this thread waited.
            List<CompletableFuture<List<Submission>>> submitted = new ArrayList<>();
            List<Integer> doneWhenHandedOver = loop.submit(() -> {
                for (Submitted r : requests) {
                    CompletableFuture<List<Submission>> f = engine.submitAsync(List.of(r), true, loop);
                    f.whenComplete((s, e) -> continuedOn.add(Thread.currentThread().getName()));
                    submitted.add(f);
                }
                List<Integer> done = new ArrayList<>();
                for (int i = 0; i < submitted.size(); i++) {
                    if (submitted.get(i).isDone()) {
                        done.add(i);
                    }
                }
                return done;
            }).get(30, TimeUnit.SECONDS);
            assertThat(doneWhenHandedOver).as("requests that waited for their acknowledgement on the submitting thread")
                    .isEmpty();

            long[] expected = new long[4];
            Map<String, Long> seqOfId = new LinkedHashMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                Submission s = submitted.get(i).get(30, TimeUnit.SECONDS).get(0);
                assertThat(s.refusal()).as("request " + i).isNull();
                assertThat(s.result().get(10, TimeUnit.SECONDS).outcome().applied()).as("request " + i).isTrue();
                String id = requests.get(i).event().id();
                Long first = seqOfId.putIfAbsent(id, s.seq());
                if (first == null) {
                    assertThat(s.duplicate()).as("request " + i).isFalse();
                    int n = i;
                    expected[n % 4] += n + 1;
                } else {
                    assertThat(s.duplicate()).as("request " + i + " repeats " + id).isTrue();
                    assertThat(s.seq()).as("the original's seq").isEqualTo(first);
                }
            }
            assertThat(continuedOn).as("every request continued on the submitting thread")
                    .containsExactly("fake-event-loop");
            for (int c = 0; c < 4; c++) {
                String customer = "a-" + c;
                long want = expected[c];
                Eventually.until(customer + " holds its points once", java.time.Duration.ofSeconds(30),
                        () -> engine.customer(customer).get(10, TimeUnit.SECONDS).accounts().get("points").balance(),
                        b -> b == want);
            }
        } finally {
            loop.shutdownNow();
        }
    }
}
