package dev.loyalty.bench;

import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.rules.ApplyContext;
import dev.loyalty.engine.rules.Customer;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.Rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Data and helpers shared by the benchmarks: the shipped configuration, typical customers and events. */
public final class Fixtures {

    public static final long DAY_MS = 86_400_000L;
    /** 2026-01-01T00:00:00Z: the clock the rules benchmarks start at. */
    public static final long T0 = 1_767_225_600_000L;

    /** Three checkout lines (2 x 19.99, 45.50 less 5.00, 3 x 2.49): eligible value 92.45. */
    public static final List<Event.Item> ITEMS = List.of(new Event.Item("sku-1", 1999, 2, 0),
            new Event.Item("sku-2", 4550, 1, 500), new Event.Item("sku-3", 249, 3, 0));

    private Fixtures() {
    }

    /** The shipped configuration (config/engine.yaml from the API's jar) with these dotted-key overrides. */
    public static EngineConfig engineConfig(Map<String, String> overrides) {
        return ConfigLoader.load(ConfigLoader.shippedDefaults(null), null, Map.of(), new HashMap<>(overrides));
    }

    /** The shipped rules. */
    public static RulesConfig rules() {
        return engineConfig(Map.of()).rules();
    }

    /** An event with only the attributes of its action set, in the configured default account. */
    public static Event event(String customer, String action, long points, String transactionId,
                              List<Event.Item> items, String attributesJson) {
        return new Event(customer, action, null, "points", Event.ABSENT, points, transactionId, Event.ABSENT, items,
                Event.ABSENT, Event.ABSENT, null, attributesJson);
    }

    public static Event checkout(String customer, String transactionId) {
        return event(customer, "checkout", Event.ABSENT, transactionId, ITEMS, null);
    }

    public static Event pointAdd(String customer, long points) {
        return event(customer, "point_add", points, null, null, null);
    }

    public static Event optIn(String customer) {
        return event(customer, "opt_in", Event.ABSENT, null, null, "{\"country\":\"DE\"}");
    }

    /**
     * A customer with a few weeks of history, as of {@code ctx}'s clock: opted in 60 days before, 5000
     * points added, one checkout a week (the older ones accepted by now, the last two pending). Moves
     * {@code ctx} forward to {@link #T0}.
     */
    public static Customer typicalCustomer(Rules rules, String id, BenchContext ctx) {
        Customer c = new Customer(id, rules.config().accounts().size());
        List<LedgerEntry> ledger = new ArrayList<>();
        long start = T0 - 60 * DAY_MS;
        ctx.at(start);
        rules.apply(c, optIn(id), ctx, ledger);
        ctx.at(start + 1000);
        rules.apply(c, pointAdd(id, 5000), ctx, ledger);
        for (int week = 0; week < 8; week++) {
            ctx.at(start + (week + 1) * 7 * DAY_MS);
            rules.apply(c, checkout(id, "W" + week), ctx, ledger);
        }
        ctx.at(T0);
        rules.runDue(c, ctx, ledger);
        return c;
    }

    /** Deletes a folder tree, quietly skipping what is already gone. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The journal facts the rules see, as a processor gives them: each record gets the next seq and the
     * clock is its ingest time. Time-driven entries carry the current seq (the processor names the first
     * record whose clock reached the due time; the cost is the same).
     */
    public static final class BenchContext implements ApplyContext {
        private long seq;
        private long clockMs;

        /** Next record, at that ingest time (the clock never goes back). */
        public BenchContext at(long ingestMs) {
            seq++;
            clockMs = Math.max(clockMs, ingestMs);
            return this;
        }

        /** Next record, {@code stepMs} after the previous one. */
        public BenchContext step(long stepMs) {
            return at(clockMs + stepMs);
        }

        @Override
        public long seq() {
            return seq;
        }

        @Override
        public long ingestTimeMs() {
            return clockMs;
        }

        @Override
        public long clockMs() {
            return clockMs;
        }

        @Override
        public long seqWhenDue(long dueMs) {
            return seq;
        }
    }
}
