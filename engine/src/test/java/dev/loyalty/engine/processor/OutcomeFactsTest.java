package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.RulesJson;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.journal.EventCodec;
import dev.loyalty.engine.journal.JournalEvent;
import dev.loyalty.engine.rules.RuleError;
import dev.loyalty.engine.state.PartitionStore;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flat facts a sync waiter gets ({@link PartitionState#outcomeInto}) say exactly what the processor's objects
 * say ({@link PartitionState#outcome} and {@link PartitionState#view}, the {@link EventResult} other waiters get):
 * random events applied to a real partition state (applied with several entries, rejected, unknown customers,
 * transaction ids and reasons in any text), one facts record reused throughout, as a pooled reply reuses it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutcomeFactsTest {

    private static final int EVENTS = 4_000;
    private static final String[] ACTIONS = {"opt_in", "point_add", "point_sub", "checkout", "opt_out"};

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(20261207L);

    @Test
    void shouldHoldWhatTheOutcomeAndViewObjectsHold() {
        RulesConfig rules = ConfigLoader.load(ConfigLoader.shippedDefaults(Path.of("..")), null, Map.of(),
                new HashMap<>()).rules();
        try (PartitionStore store = PartitionStore.open(dir, null, false)) {
            PartitionState state = new PartitionState(store, RulesJson::read, RulesJson.write(rules), 8192,
                    TimeUnit.DAYS.toMillis(7), ReplayHooks.NONE);
            try {
                OutcomeFacts facts = new OutcomeFacts();
                JournalEvent view = new JournalEvent();
                Bytes<?> bytes = Bytes.allocateElasticOnHeap(4096);
                long ingestMs = 1_767_225_600_000L;
                int applied = 0;
                int rejected = 0;
                int withEntries = 0;
                int withTransaction = 0;
                int unknown = 0;
                for (long seq = 1; seq <= EVENTS; seq++) {
                    ingestMs += random.nextInt(1, 5_000_000);
                    state.clock.newBatch();
                    state.clock.advance(ingestMs, seq);
                    bytes.clear();
                    EventCodec.write(bytes, event(), 0);
                    view.read(bytes);
                    int slot = state.load(view);
                    RuleError error = state.apply(slot, view, seq, ingestMs);
                    state.outcomeInto(seq, view.customer(), error, slot, facts);
                    EventResult expected = new EventResult(state.outcome(seq, view.customer(), error), state.view(slot));
                    assertThat(facts.toResult()).as("event %d", seq).isEqualTo(expected);
                    assertThat(facts.httpStatus()).isEqualTo(expected.outcome().httpStatus());
                    applied += error == null ? 1 : 0;
                    rejected += error == null ? 0 : 1;
                    withEntries += facts.effects() > 0 ? 1 : 0;
                    withTransaction += facts.effects() > 0 && facts.transactionIdStart(0) >= 0 ? 1 : 0;
                    unknown += facts.hasCustomer() ? 0 : 1;
                    state.runDueWork();
                    state.recordRead(seq, seq);
                }
                // The mix covered what the answer renders.
                assertThat(applied).isGreaterThan(EVENTS / 4);
                assertThat(rejected).isGreaterThan(EVENTS / 10);
                assertThat(withEntries).isGreaterThan(EVENTS / 10);
                assertThat(withTransaction).isGreaterThan(10);
                assertThat(unknown).isGreaterThan(10);
            } finally {
                state.close();
            }
        }
    }

    private Event event() {
        String customer = random.nextInt(20) == 0 ? "nobody-" + random.nextInt(1000) : "c-" + random.nextInt(6);
        String action = ACTIONS[random.nextInt(ACTIONS.length)];
        long points = random.nextInt(1, 2_000);
        return switch (action) {
            case "opt_in", "opt_out" -> new Event(customer, action, null, "points", Event.ABSENT, Event.ABSENT, null,
                    Event.ABSENT, null, Event.ABSENT, Event.ABSENT, null, action.equals("opt_in") ? "{}" : null);
            case "checkout" -> new Event(customer, action, null, "points", Event.ABSENT, Event.ABSENT, text(),
                    random.nextLong(1, 100_000), null, Event.ABSENT, Event.ABSENT, null, null);
            default -> new Event(customer, action, null, "points", Event.ABSENT, points, null, Event.ABSENT, null,
                    Event.ABSENT, Event.ABSENT, random.nextBoolean() ? text() : null, null);
        };
    }

    /** Text of ASCII, quotes, backslashes, control characters, two- and three-byte chars and surrogates. */
    private String text() {
        StringBuilder b = new StringBuilder();
        for (int i = random.nextInt(1, 24); i > 0; i--) {
            b.append(switch (random.nextInt(6)) {
                case 0 -> '"';
                case 1 -> '\\';
                case 2 -> (char) random.nextInt(0, 0x20);
                case 3 -> (char) random.nextInt(0x80, 0x800);
                case 4 -> (char) random.nextInt(0x800, 0xFFFF);
                default -> (char) random.nextInt(0x20, 0x7F);
            });
        }
        return b.toString();
    }
}
