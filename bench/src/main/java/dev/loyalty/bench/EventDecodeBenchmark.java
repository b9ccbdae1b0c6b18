package dev.loyalty.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.api.http.BodyHash;
import dev.loyalty.api.http.JsonBodies;
import dev.loyalty.bench.load.EventMix;
import dev.loyalty.engine.event.EventReader;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.Validated;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * What the API does to a request body before the journal, per event. The tree path (before issue 12): JSON
 * bytes → Jackson tree (the API's parser: BigDecimal numbers, duplicate-key and trailing-token checks) →
 * {@link EventValidator} → Event, then {@link BodyHash} of the tree for the idempotency id. The streaming
 * path ({@code streamed*}, what the routes run now): {@link EventReader}, one pass from bytes to the Event
 * and its hash. Bodies come from {@link EventMix} (64 different ones, cycled), with idempotency ids.
 * {@code bulk100*} read 100-event bulks of the realistic mix; their score is per event. Run with
 * {@code -prof gc} for bytes per operation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class EventDecodeBenchmark {

    private static final int BODIES = 64;

    /** The validator and the clock it checks timestamps against. */
    @State(Scope.Thread)
    public static class Validation {
        EventValidator validator;
        EventReader reader;
        long nowMs;

        @Setup
        public void setUp() {
            validator = new EventValidator(Fixtures.rules());
            reader = new EventReader(Fixtures.rules());
            nowMs = System.currentTimeMillis();
        }
    }

    /** Single-event bodies of one kind. */
    @State(Scope.Thread)
    public static class Singles {
        /** Event kind ({@code mix}: the realistic mix). */
        @Param({"checkout", "point_spend", "opt_in", "mix"})
        public String kind;

        byte[][] bodies;
        int next;

        @Setup
        public void setUp(Validation v) {
            EventMix mix = new EventMix(1_000_000, "bench", true, 42);
            bodies = new byte[BODIES][];
            for (int i = 0; i < BODIES; i++) {
                bodies[i] = "mix".equals(kind) ? mix.single() : mix.single(kindOf(kind));
                Validated check = v.validator.validate(JsonBodies.parse(bodies[i]), v.nowMs);
                if (!check.isOk()) {
                    throw new IllegalStateException("fixture body is invalid: " + check.error());
                }
            }
        }

        byte[] next() {
            return bodies[next++ & (BODIES - 1)];
        }
    }

    /** 100-event bulk bodies of the realistic mix. */
    @State(Scope.Thread)
    public static class Bulks {
        byte[][] bodies;
        int next;

        @Setup
        public void setUp() {
            EventMix mix = new EventMix(1_000_000, "bench", true, 43);
            bodies = new byte[4][];
            for (int i = 0; i < bodies.length; i++) {
                bodies[i] = mix.bulk(100);
            }
        }

        byte[] next() {
            return bodies[next++ & (bodies.length - 1)];
        }
    }

    static EventMix.Kind kindOf(String action) {
        for (EventMix.Kind k : EventMix.Kind.values()) {
            if (k.action().equals(action)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind " + action);
    }

    /** Bytes → Jackson tree only. */
    @Benchmark
    public JsonNode parse(Singles s) {
        return JsonBodies.parse(s.next());
    }

    /** Bytes → tree → validated event (what {@code POST /events} does before submitting). */
    @Benchmark
    public Validated parseAndValidate(Singles s, Validation v) {
        return v.validator.validate(JsonBodies.parse(s.next()), v.nowMs);
    }

    /** One 100-event bulk body → tree → 100 validated events; the score is per event. */
    @Benchmark
    @OperationsPerInvocation(100)
    public void bulk100(Bulks b, Validation v, Blackhole bh) {
        JsonNode events = JsonBodies.parse(b.next()).get("events");
        for (int i = 0; i < events.size(); i++) {
            bh.consume(v.validator.validate(events.get(i), v.nowMs));
        }
    }

    /** The tree path as {@code POST /events} ran it: tree → validated event → hash of the tree. */
    @Benchmark
    public long treeWithHash(Singles s, Validation v) {
        JsonNode body = JsonBodies.parse(s.next());
        Validated validated = v.validator.validate(body, v.nowMs);
        return validated.event().id() == null ? 0 : BodyHash.of(body);
    }

    /** Bytes → validated event and its hash in one streaming pass (what {@code POST /events} runs now). */
    @Benchmark
    public ReadEvent streamed(Singles s, Validation v) throws Exception {
        return v.reader.readEvent(s.next(), v.nowMs);
    }

    /** One 100-event bulk body → tree → 100 validated and hashed events, as the bulk route ran it. */
    @Benchmark
    @OperationsPerInvocation(100)
    public void bulk100TreeWithHash(Bulks b, Validation v, Blackhole bh) {
        JsonNode events = JsonBodies.parse(b.next()).get("events");
        for (int i = 0; i < events.size(); i++) {
            JsonNode node = events.get(i);
            Validated validated = v.validator.validate(node, v.nowMs);
            bh.consume(validated.isOk() && validated.event().id() != null ? BodyHash.of(node) : 0);
        }
    }

    /** One 100-event bulk body → 100 validated and hashed events in one streaming pass. */
    @Benchmark
    @OperationsPerInvocation(100)
    public void bulk100Streamed(Bulks b, Validation v, Blackhole bh) throws Exception {
        bh.consume(v.reader.readBulk(b.next(), v.nowMs, 100));
    }
}
