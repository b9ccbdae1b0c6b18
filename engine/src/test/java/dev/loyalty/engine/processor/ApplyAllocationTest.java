package dev.loyalty.engine.processor;

import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.JournalEvent;
import dev.loyalty.engine.rules.RuleError;
import dev.loyalty.engine.state.PartitionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A partition's apply path (journaled bytes → {@link JournalEvent} → lookup by the id's bytes → core rules →
 * statistics → outcome and ledger entry into the derived logs, real RocksDB store and log files) makes no garbage
 * per event: a {@code point_sub} with a reason to a held customer (no state growth) allocates nothing. The object
 * path (an {@code Event}, its strings, an {@code EventOutcome} with entry objects, their bytes) allocated about 500
 * bytes per event. (A {@code point_add} allocates ~130 bytes here: not garbage but its new lot and qualifying entry,
 * in arrays that double now and then.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApplyAllocationTest {
    private static final int CUSTOMERS = 2_000;
    private static final int EVENTS = 50_000;

    @TempDir
    Path dir;

    /** A partition state on {@code store} with the shipped default rules. */
    private static PartitionState defaultState(PartitionStore store) {
        RulesConfig rules = ConfigLoader.load(ConfigLoader.shippedDefaults(Path.of("..")), null, Map.of(),
                new HashMap<>()).rules();
        return new PartitionState(store, RulesJson::read, RulesJson.write(rules), 8192, TimeUnit.DAYS.toMillis(7),
                ReplayHooks.NONE);
    }

    @Test
    void shouldMakeNoGarbagePerEventOfHeldCustomers() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PartitionStore store = PartitionStore.open(dir, null, false)) {
            PartitionState state = defaultState(store);
            try {
                Driver d = new Driver(state);
                for (int i = 0; i < CUSTOMERS; i++) {
                    d.apply(event("c-" + i, "opt_in", Event.ABSENT, null));
                    d.apply(event("c-" + i, "point_add", 1_000_000, null));
                }
                long perEvent = 0;
                for (int round = 0; round < 3; round++) { // the first rounds warm up: arrays sized, code compiled
                    d.encode("point_sub", 1);
                    long before = threads.getCurrentThreadAllocatedBytes();
                    d.applyEncoded();
                    perEvent = (threads.getCurrentThreadAllocatedBytes() - before) / EVENTS;
                }
                assertThat(d.rejected).as("events rejected").isZero();
                d.metrics.flush(0);
                assertThat(d.registry.get("loyalty_events_processed").tags("action", "point_sub", "outcome", "applied")
                        .counter().count()).as("point_subs counted per batch").isEqualTo(3.0 * EVENTS);
                assertThat(perEvent).as("bytes allocated per point_sub").isLessThanOrEqualTo(8);
            } finally {
                state.close();
            }
        }
    }

    /**
     * A {@code profile} event allocates only its customer's new attribute string (one pass over the journaled
     * bytes, no JSON tree: the tree merge allocated ~2 KB per event), and nothing when they come out unchanged.
     */
    @Test
    void shouldMergeProfilesWithoutATree() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PartitionStore store = PartitionStore.open(dir, null, false)) {
            PartitionState state = defaultState(store);
            try {
                Driver d = new Driver(state);
                for (int i = 0; i < CUSTOMERS; i++) {
                    d.apply(event("c-" + i, "opt_in", Event.ABSENT, null));
                }
                long changed = 0;
                long unchanged = 0;
                for (int round = 0; round < 3; round++) { // the first rounds warm up: arrays sized, code compiled
                    d.encodeProfiles(true);
                    long before = threads.getCurrentThreadAllocatedBytes();
                    d.applyEncoded();
                    changed = (threads.getCurrentThreadAllocatedBytes() - before) / EVENTS;
                }
                d.encodeProfiles(false);
                d.applyEncoded(); // every customer now has {"country":"FR"}
                for (int round = 0; round < 2; round++) {
                    d.encodeProfiles(false);
                    long before = threads.getCurrentThreadAllocatedBytes();
                    d.applyEncoded();
                    unchanged = (threads.getCurrentThreadAllocatedBytes() - before) / EVENTS;
                }
                assertThat(d.rejected).as("events rejected").isZero();
                // the customer's new string ({"country":"FR"} or "DE"): 24 B of String and 32 B of bytes
                assertThat(changed).as("bytes allocated per profile event changing the attributes")
                        .isBetween(40L, 64L);
                assertThat(unchanged).as("bytes allocated per profile event leaving them").isLessThanOrEqualTo(8);
            } finally {
                state.close();
            }
        }
    }

    private static Event event(String customer, String action, long points, String reason) {
        return new Event(customer, action, null, "points", Event.ABSENT, points, null, Event.ABSENT, null,
                Event.ABSENT, Event.ABSENT, reason, action.equals("opt_in") ? "{\"country\":\"DE\"}" : null);
    }

    /** Encodes events as the journal does and applies them as the processor's record loop does. */
    private static final class Driver {
        private final PartitionState state;
        /** The processor's meters, counted per event and published per batch as the processor does. */
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        private final ProcessorMetrics metrics = new ProcessorMetrics(registry, 1);
        private final JournalEvent view = new JournalEvent();
        private final Bytes<?> bytes = Bytes.allocateElasticOnHeap(1 << 22);
        private final long[] ends = new long[EVENTS];
        private int count;
        private long seq;
        private long ingestMs = 1_767_225_600_000L;
        private int rejected;

        Driver(PartitionState state) {
            this.state = state;
        }

        /** Encodes {@link #EVENTS} events of that action over the customers, with a reason (a ledger entry each). */
        void encode(String action, long points) {
            bytes.clear();
            for (int i = 0; i < EVENTS; i++) {
                EventCodec.write(bytes, event("c-" + (i * 7919 % CUSTOMERS), action, points, "goodwill"), 0);
                ends[i] = bytes.writePosition();
            }
            count = EVENTS;
        }

        /**
         * Encodes {@link #EVENTS} {@code profile} events over the customers: each changing its customer's country
         * (a customer's successive events alternate), or all setting {"country":"FR"}.
         */
        void encodeProfiles(boolean alternate) {
            bytes.clear();
            for (int i = 0; i < EVENTS; i++) {
                String country = alternate && (i / CUSTOMERS) % 2 == 0 ? "DE" : "FR";
                EventCodec.write(bytes, new Event("c-" + (i * 7919 % CUSTOMERS), "profile", null, "points",
                        Event.ABSENT, Event.ABSENT, null, Event.ABSENT, null, Event.ABSENT, Event.ABSENT, null,
                        "{\"country\":\"" + country + "\"}"), 0);
                ends[i] = bytes.writePosition();
            }
            count = EVENTS;
        }

        void apply(Event e) {
            bytes.clear();
            EventCodec.write(bytes, e, 0);
            ends[0] = bytes.writePosition();
            count = 1;
            applyEncoded();
        }

        /** Applies the encoded events one after the other (what is measured). */
        void applyEncoded() {
            for (int i = 0; i < count; i++) {
                applyOne();
                if (bytes.readPosition() != ends[i]) { // no assertion object per event: it would be measured
                    throw new AssertionError("event read up to " + bytes.readPosition() + ", not " + ends[i]);
                }
            }
        }

        private void applyOne() {
            if (seq % 1000 == 0) {
                state.clock.newBatch(); // as the processor's drain does per batch
                metrics.flush(0);
            }
            seq++;
            ingestMs += 1000;
            state.clock.advance(ingestMs, seq);
            view.read(bytes);
            int slot = state.load(view);
            RuleError error = state.apply(slot, view, seq, ingestMs);
            metrics.applied(0, view.action(), error);
            if (error != null) {
                rejected++;
            }
            state.runDueWork();
            state.recordRead(seq, seq);
        }
    }
}
