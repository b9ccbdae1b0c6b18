package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.api.HttpCalls.Answer;
import dev.loyalty.api.http.ApiServer;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.processor.OutcomeWaiter;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP answers to engine states the real engine cannot be driven into on demand — overload, a
 * journal that cannot be written, outcomes slower than {@code api.sync-timeout}, an engine bug — with a
 * stand-in engine behind the real API server. The contract itself is tested against the real engine in
 * {@link HttpContractIT}.
 */
@Timeout(120)
class ApiFailureModesTest {

    private static final String KEY = "dev-key";
    private static final String EVENT = "{\"customer\":\"c-1\",\"action\":\"point_add\",\"data\":{\"points\":1}}";

    private static Vertx vertx;
    static StandInEngine engine;
    private static HttpCalls http;

    @BeforeAll
    @Timeout(120)
    static void start() throws Exception {
        int port = TestFolders.freePort();
        EngineConfig config = ProgramConfig.load(null, Map.of(), Map.of(
                "api.port", Integer.toString(port), "api.sync-timeout", "300ms"));
        engine = new StandInEngine(config);
        vertx = Vertx.vertx();
        new ApiServer(engine, new SimpleMeterRegistry()).deploy(vertx, 1, 100)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http = new HttpCalls(port);
    }

    @AfterAll
    @Timeout(120)
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void reset() {
        engine.submit = events -> {
            throw new AssertionError("no submit expected");
        };
        engine.durable = CompletableFuture.completedFuture(null);
        engine.onDurable = () -> { };
        engine.lean = false;
    }

    @Test
    void shouldAnswerOverloadWithRetryAfter() {
        engine.submit = events -> {
            throw new LoyaltyEngine.IngestRefusedException(429, "overloaded", "journal too far ahead", 3);
        };
        Answer a = http.post("/events", KEY, EVENT);
        assertThat(a.status()).isEqualTo(429);
        assertThat(a.errorCode()).isEqualTo("overloaded");
        assertThat(a.headers().firstValue("Retry-After")).hasValue("3");
        Answer bulk = http.post("/events/bulk", KEY, "{\"events\":[" + EVENT + "]}");
        assertThat(bulk.status()).isEqualTo(429);
        assertThat(bulk.headers().firstValue("Retry-After")).hasValue("3");
    }

    @Test
    void shouldAnswerAnUnwritableJournalUnavailable() {
        engine.submit = events -> {
            throw new LoyaltyEngine.IngestRefusedException(503, "unavailable", "disk full", 0);
        };
        Answer a = http.post("/events", KEY, EVENT);
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.errorCode()).isEqualTo("unavailable");
        assertThat(a.headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void shouldAnswerAcceptedWhenTheOutcomeIsLate() {
        engine.submit = events -> submissions(events.size(), i -> new CompletableFuture<>());
        Answer a = http.post("/events", KEY, EVENT);
        assertThat(a.status()).isEqualTo(202);
        assertThat(a.json().get("outcome").asText()).isEqualTo("accepted");
        assertThat(a.json().has("seq")).isTrue();
    }

    @Test
    void shouldAnswerAcceptedWhenTheOutcomeFails() {
        engine.submit = events -> submissions(events.size(),
                i -> CompletableFuture.failedFuture(new IllegalStateException("engine closing")));
        Answer a = http.post("/events", KEY, EVENT);
        assertThat(a.status()).isEqualTo(202);
        assertThat(a.json().get("outcome").asText()).isEqualTo("accepted");
    }

    @Test
    void shouldAnswerLateBulkSlotsAccepted() {
        engine.submit = events -> submissions(events.size(), i -> i == 0
                ? CompletableFuture.completedFuture(applied(i))
                : new CompletableFuture<>());
        Answer a = http.post("/events/bulk", KEY, "{\"events\":[" + EVENT + "," + EVENT + "]}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("errors").asInt()).isZero();
        JsonNode results = a.json().get("results");
        assertThat(results.get(0).get("outcome").asText()).isEqualTo("applied");
        assertThat(results.get(1).toString()).matches("\\{\"seq\":\\d+,\"outcome\":\"accepted\"}");
    }

    @Test
    void shouldAnswerAFailedBulkSlotAccepted() {
        engine.submit = events -> submissions(events.size(), i -> i == 0
                ? CompletableFuture.completedFuture(applied(i))
                : CompletableFuture.failedFuture(new IllegalStateException("partition stopped")));
        Answer a = http.post("/events/bulk", KEY, "{\"events\":[" + EVENT + ",{\"customer\":\"c-1\"}," + EVENT + "]}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("total").asInt()).isEqualTo(3);
        assertThat(a.json().get("errors").asInt()).isEqualTo(1);
        JsonNode results = a.json().get("results");
        assertThat(results.get(0).get("outcome").asText()).isEqualTo("applied");
        assertThat(results.get(1).get("error").get("code").asText()).isEqualTo("missing_field");
        assertThat(results.get(2).toString()).matches("\\{\"seq\":\\d+,\"outcome\":\"accepted\"}");
        assertThat(results.get(2).get("seq").asLong()).isEqualTo(results.get(0).get("seq").asLong() + 1);
    }

    @Test
    @Timeout(30)
    void shouldAnswerABulkWithinOneSyncTimeoutWhenNeitherTheJournalNorTheOutcomesAnswer() {
        engine.submit = events -> submissions(events.size(), i -> new CompletableFuture<>());
        engine.durable = new CompletableFuture<>();
        long tookMs = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 2; attempt++) {
            long startNs = System.nanoTime();
            Answer a = http.post("/events/bulk", KEY, "{\"events\":[" + EVENT + "," + EVENT + "]}");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(a.status()).isEqualTo(503);
            assertThat(a.errorCode()).isEqualTo("unavailable");
            assertThat(ms).as("not before api.sync-timeout (300 ms)").isGreaterThanOrEqualTo(300);
            tookMs = Math.min(tookMs, ms);
        }
        // Two waits one after the other take at least 600 ms: any less is one timeout. The faster of two tries,
        // so that a stall of a loaded machine (or the client's first request) is not taken for a second wait.
        assertThat(tookMs).as("one api.sync-timeout (300 ms) for the whole bulk").isLessThan(600);
        Answer async = http.post("/events/bulk?mode=async", KEY, "{\"events\":[" + EVENT + "]}");
        assertThat(async.status()).as("async: not acknowledged before durable").isEqualTo(503);
    }

    @Test
    void shouldNotAcknowledgeBeforeTheJournalIsDurable() throws Exception {
        engine.submit = events -> submissions(events.size(), i -> CompletableFuture.completedFuture(applied(i)));
        // A journal that never becomes durable: the answer must not be an acknowledgement. Deterministic, no
        // guessed delay: the server either acknowledges (wrong) or gives up after api.sync-timeout (503).
        engine.durable = new CompletableFuture<>();
        Answer never = http.post("/events?mode=async", KEY, EVENT);
        assertThat(never.status()).as(never.toString()).isEqualTo(503);
        assertThat(never.errorCode()).isEqualTo("unavailable");

        // A journal that becomes durable later: the acknowledgement follows, never precedes, the sync.
        CompletableFuture<Void> sync = new CompletableFuture<>();
        engine.durable = sync;
        CountDownLatch durabilityAsked = new CountDownLatch(1);
        engine.onDurable = durabilityAsked::countDown;
        CompletableFuture<Boolean> durableAtAnswer = CompletableFuture.supplyAsync(() -> {
            Answer a = http.post("/events?mode=async", KEY, EVENT);
            assertThat(a.status()).as(a.toString()).isEqualTo(202);
            return sync.isDone();
        });
        assertThat(durabilityAsked.await(5, TimeUnit.SECONDS)).as("the server asked for durability").isTrue();
        assertThat(durableAtAnswer).isNotDone();
        sync.complete(null);
        assertThat(durableAtAnswer.get(5, TimeUnit.SECONDS)).as("answered only once durable").isTrue();
    }

    @Test
    void shouldAnswerAJournalThatCannotSyncUnavailable() {
        engine.submit = events -> submissions(events.size(), i -> CompletableFuture.completedFuture(applied(i)));
        engine.durable = CompletableFuture.failedFuture(
                new LoyaltyEngine.IngestRefusedException(503, "unavailable", "the journal cannot be synced", 0));
        assertThat(http.post("/events", KEY, EVENT).errorCode()).isEqualTo("unavailable");
        assertThat(http.post("/events?mode=async", KEY, EVENT).status()).isEqualTo(503);
        assertThat(http.post("/events/bulk", KEY, "{\"events\":[" + EVENT + "]}").status()).isEqualTo(503);
        engine.durable = new CompletableFuture<>();
        Answer late = http.post("/events", KEY, EVENT);
        assertThat(late.status()).isEqualTo(503);
        assertThat(late.errorCode()).isEqualTo("unavailable");
    }

    @Test
    @Timeout(30)
    void shouldAnswerWithinOneSyncTimeoutWhenNeitherTheJournalNorTheOutcomeAnswers() {
        engine.submit = events -> submissions(events.size(), i -> new CompletableFuture<>());
        engine.durable = new CompletableFuture<>();
        long tookMs = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 2; attempt++) {
            long startNs = System.nanoTime();
            Answer a = http.post("/events", KEY, EVENT);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(a.status()).isEqualTo(503);
            assertThat(ms).as("not before api.sync-timeout (300 ms)").isGreaterThanOrEqualTo(300);
            tookMs = Math.min(tookMs, ms);
        }
        // Two waits one after the other take at least 600 ms: any less is one timeout (the faster of two tries).
        assertThat(tookMs).as("one api.sync-timeout (300 ms) for the whole wait, not one per wait").isLessThan(600);
    }

    @Test
    void shouldHideEngineBugsBehindAGeneric500() {
        Answer a = http.get("/customers/c-1", KEY);
        assertThat(a.status()).isEqualTo(500);
        assertThat(a.errorCode()).isEqualTo("internal");
        assertThat(a.body()).doesNotContain("boom").doesNotContain("Exception");
        Answer stats = http.get("/stats", KEY);
        assertThat(stats.status()).isEqualTo(500);
        assertThat(stats.errorCode()).isEqualTo("internal");
    }

    @Test
    void shouldAnswerSlowReadsUnavailable() {
        Answer a = http.get("/events/5", KEY);
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.errorCode()).isEqualTo("unavailable");
    }

    private static List<LoyaltyEngine.Submission> submissions(
            int count, Function<Integer, CompletableFuture<LoyaltyEngine.EventResult>> result) {
        List<LoyaltyEngine.Submission> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new LoyaltyEngine.Submission(engine.seq.incrementAndGet(), false, result.apply(i), null));
        }
        return out;
    }

    private static LoyaltyEngine.EventResult applied(long seq) {
        // An applied event always answers the customer view (api.md; the checked client holds answers to it).
        return new LoyaltyEngine.EventResult(new EventOutcome(seq, "c-1", null, List.of()), new CustomerView("c-1",
                true, 0, 0, "bronze", CustomerView.NONE, 0, Map.of("points", AccountView.ZERO)));
    }

    /** Answers as configured per test; reads fail (customer, stats) or never answer (event). */
    static final class StandInEngine implements LoyaltyEngine {
        private final EngineConfig config;
        private final EventValidator validator;
        final AtomicLong seq = new AtomicLong(100);
        volatile Function<List<Submitted>, List<Submission>> submit;
        volatile CompletableFuture<Void> durable = CompletableFuture.completedFuture(null);
        volatile Runnable onDurable = () -> { };
        volatile boolean lean;

        StandInEngine(EngineConfig config) {
            this.config = config;
            this.validator = new EventValidator(config.rules());
        }

        @Override
        public EngineConfig config() {
            return config;
        }

        @Override
        public EventValidator validator() {
            return validator;
        }

        @Override
        public long nowMs() {
            return System.currentTimeMillis();
        }

        @Override
        public List<Submission> submit(List<Submitted> events, boolean awaitOutcome) {
            List<Submission> submissions = submit.apply(events);
            return awaitOutcome ? submissions : submissions.stream()
                    .map(s -> new Submission(s.seq(), s.duplicate(), null, s.refusal())).toList();
        }

        /**
         * With {@link #lean}, a single awaited event takes the lean path: its future's completion is told to
         * the waiter, as the engine's processor would; otherwise the interface's adapter (the future) serves.
         */
        @Override
        public Submission submit(Submitted event, OutcomeWaiter waiter) {
            Submission s = submit(List.of(event), true).get(0);
            if (!lean || s.refusal() != null || s.result() == null) {
                return s;
            }
            s.result().whenComplete((r, e) -> {
                if (e != null) {
                    waiter.fail(e);
                } else {
                    waiter.complete(r);
                }
            });
            return new Submission(s.seq(), s.duplicate(), null, null);
        }

        /**
         * With {@link #lean}, a bulk takes the lean path: each future's completion is told to its event's waiter,
         * as the engine's processors would; otherwise the interface's adapter (the futures) serves.
         */
        @Override
        public List<Submission> submit(BulkRecord events, OutcomeWaiter[] waiters) {
            List<Submission> subs = submit(events.toSubmitted(), waiters != null);
            if (!lean) {
                return subs;
            }
            for (int j = 0; j < subs.size(); j++) {
                Submission s = subs.get(j);
                if (s.refusal() != null || s.duplicate() || s.seq() != subs.get(0).seq() + j) {
                    return subs; // not a bulk the lean path journals
                }
            }
            events.firstSeq(subs.get(0).seq());
            for (int j = 0; waiters != null && j < subs.size(); j++) {
                OutcomeWaiter waiter = waiters[j];
                subs.get(j).result().whenComplete((r, e) -> {
                    if (e != null) {
                        waiter.fail(e);
                    } else {
                        waiter.complete(r);
                    }
                });
            }
            return null;
        }

        @Override
        public boolean lookupsInMemory(List<Submitted> events) {
            return true;
        }

        @Override
        public boolean lookupsInMemory(String id) {
            return true;
        }

        @Override
        public CompletableFuture<Void> durable(long seq) {
            onDurable.run();
            return durable;
        }

        @Override
        public CompletableFuture<CustomerView> customer(String id) {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }

        @Override
        public CompletableFuture<CustomerDetail> customerDetail(String id, int expiringMax) {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }

        @Override
        public CompletableFuture<LedgerPage> ledger(String id, int limit, long beforeId) {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }

        @Override
        public CompletableFuture<EventStatus> event(long seq) {
            return new CompletableFuture<>();
        }

        @Override
        public ProgramStats stats() {
            throw new IllegalStateException("boom");
        }

        @Override
        public CompletableFuture<Long> advanceClock(long seconds) {
            return new CompletableFuture<>();
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
