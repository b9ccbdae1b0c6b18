package dev.loyalty.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ids resent at random offsets around {@code idempotency.retention}, with random clock advances and restarts
 * (some with the index deleted, so that it is rebuilt from the journal), against a small model of the id
 * rules (api.md, "Retrying with the same id"): an id first journaled no more than the retention before the
 * ingest clock is a duplicate (same body) or a mismatch (other body); older, it is unknown and a new event.
 */
class IdempotencyRetentionPropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A fixed wall clock: ingest time moves only with clock advances, so the model knows it exactly. */
    private static final long WALL_MS = 1_780_000_000_000L;
    private static final long RETENTION_S = 7 * 86_400L;
    private static final int IDS = 3;

    /** One step of a programme. */
    sealed interface Step {
    }

    /** Posts {@code point_add} with id {@code id-<id>} for customer {@code c-<id>}; the body varies with {@code body}. */
    record Send(int id, int body) implements Step {
    }

    /** Moves the ingest clock by that many seconds. */
    record Advance(long seconds) implements Step {
    }

    /** Stops and starts the engine; with {@code dropIndex} the id index is deleted and rebuilt from the journal. */
    record Restart(boolean dropIndex) implements Step {
    }

    /** What the model remembers of an id. */
    private record Known(long ingestMs, int body, long seq) {
    }

    @Provide
    Arbitrary<List<Step>> programmes() {
        Arbitrary<Step> send = Combinators.combine(Arbitraries.integers().between(0, IDS - 1),
                Arbitraries.integers().between(0, 1)).as(Send::new);
        Arbitrary<Long> aroundRetention = Arbitraries.longs().between(-2, 2).map(d -> RETENTION_S + d);
        Arbitrary<Long> short_ = Arbitraries.longs().between(0, 3_600);
        Arbitrary<Long> any = Arbitraries.longs().between(1, 2 * RETENTION_S);
        Arbitrary<Step> advance = Arbitraries.oneOf(aroundRetention, short_, any).map(Advance::new);
        Arbitrary<Step> restart = Arbitraries.of(true, false).map(Restart::new);
        return Arbitraries.frequencyOf(Tuple.of(6, send), Tuple.of(3, advance), Tuple.of(1, restart))
                .list().ofMinSize(6).ofMaxSize(24);
    }

    @Property(tries = 12)
    void shouldForgetIdsExactlyWhenTheirRetentionPassesOnTheIngestClock(@ForAll("programmes") List<Step> programme)
            throws Exception {
        Path data = Files.createTempDirectory("id-retention");
        Map<Integer, Known> model = new HashMap<>();
        long[] balances = new long[IDS];
        long offsetS = 0;
        long lastSeq = 0;
        LoyaltyEngine engine = start(data);
        try {
            for (int c = 0; c < IDS; c++) {
                submit(engine, "{\"customer\":\"c-" + c + "\",\"action\":\"opt_in\"}", 0);
            }
            for (Step step : programme) {
                if (step instanceof Advance a) {
                    engine.advanceClock(a.seconds()).get(10, TimeUnit.SECONDS);
                    offsetS += a.seconds();
                } else if (step instanceof Restart r) {
                    engine.close();
                    if (r.dropIndex()) {
                        delete(data.resolve("ingest"));
                    }
                    engine = start(data);
                } else {
                    Send s = (Send) step;
                    long nowMs = WALL_MS + offsetS * 1000;
                    int points = 10 + s.body();
                    Submission got = submit(engine, "{\"customer\":\"c-" + s.id() + "\",\"action\":\"point_add\",\"id\":\"id-"
                            + s.id() + "\",\"data\":{\"points\":" + points + "}}", s.body() + 1);
                    Known known = model.get(s.id());
                    boolean remembered = known != null && nowMs - known.ingestMs() <= RETENTION_S * 1000;
                    String at = step + " at +" + offsetS + "s, known " + known;
                    if (remembered && known.body() != s.body()) {
                        assertThat(got.refusal()).as(at).isNotNull();
                        assertThat(got.refusal().code()).as(at).isEqualTo("idempotency_mismatch");
                        continue;
                    }
                    assertThat(got.refusal()).as(at).isNull();
                    EventResult result = got.result().get(10, TimeUnit.SECONDS);
                    if (remembered) {
                        assertThat(got.duplicate()).as(at).isTrue();
                        assertThat(got.seq()).as(at).isEqualTo(known.seq());
                    } else {
                        assertThat(got.duplicate()).as(at).isFalse();
                        assertThat(got.seq()).as(at).isGreaterThan(lastSeq);
                        lastSeq = got.seq();
                        model.put(s.id(), new Known(nowMs, s.body(), got.seq()));
                        balances[s.id()] += points;
                    }
                    assertThat(result.outcome().applied()).as(at).isTrue();
                    assertThat(result.customer().accounts().get("points").balance()).as(at)
                            .isEqualTo(balances[s.id()]);
                }
            }
        } finally {
            engine.close();
            delete(data);
        }
    }

    private static Submission submit(LoyaltyEngine engine, String json, long bodyHash) throws IOException {
        Validated v = engine.validator().validate(JSON.readTree(json), engine.nowMs());
        assertThat(v.isOk()).as(json).isTrue();
        return engine.submit(List.of(new Submitted(v.event(), bodyHash)), true).get(0);
    }

    private static LoyaltyEngine start(Path data) throws InterruptedException {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir",
                data.toString(), "partitions", "2", "clock.adjustable", "true"));
        LoyaltyEngine engine = Engine.start(config, new SimpleMeterRegistry(), () -> WALL_MS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!engine.ready()) {
            assertThat(System.nanoTime() - deadline).as("engine ready within 20 s").isNegative();
            Thread.sleep(5);
        }
        return engine;
    }

    private static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
