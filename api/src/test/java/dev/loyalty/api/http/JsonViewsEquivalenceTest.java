package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.CustomerDetail;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.LedgerPage;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Refusal;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.ExpiringPoints;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;
import dev.loyalty.engine.rules.RuleError;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-written {@link JsonViews} against the Jackson renderer it replaced ({@link ReferenceJsonViews}):
 * byte for byte, for random outcomes, customer views, pages, stats and errors, with text drawn from ASCII,
 * control characters, quotes and backslashes, two- and three-byte UTF-8, and paired and lone surrogates.
 */
class JsonViewsEquivalenceTest {

    private static final int CASES = 3000;
    /** Seeds are fixed so a failure repeats; the case number is in the message. */
    private final SplittableRandom random = new SplittableRandom(20261206L);

    @Test
    void shouldRenderEventResultsAsTheReferenceDoes() {
        for (int i = 0; i < CASES; i++) {
            long seq = someLong();
            boolean duplicate = random.nextBoolean();
            EventResult result = eventResult();
            same(i, () -> JsonViews.eventResult(seq, duplicate, result),
                    () -> ReferenceJsonViews.eventResult(seq, duplicate, result));
        }
    }

    @Test
    void shouldRenderBulkAnswersAsTheReferenceDoes() {
        for (int i = 0; i < CASES / 10; i++) {
            List<BulkSlot> slots = new ArrayList<>();
            for (int j = random.nextInt(0, 40); j > 0; j--) {
                slots.add(switch (random.nextInt(4)) {
                    case 0 -> new BulkSlot.Invalid(new ValidationError(text(), text()));
                    case 1 -> new BulkSlot.Refused(new Refusal(random.nextInt(400, 600), text(), text()));
                    case 2 -> new BulkSlot.Accepted(someLong());
                    default -> new BulkSlot.Done(someLong(), random.nextBoolean(), eventResult());
                });
            }
            same(i, () -> JsonViews.bulk(slots), () -> ReferenceJsonViews.bulk(slots));
        }
    }

    @Test
    void shouldRenderStatusesCustomersAndPagesAsTheReferenceDoes() {
        for (int i = 0; i < CASES; i++) {
            long seq = someLong();
            EventStatus status = switch (random.nextInt(3)) {
                case 0 -> new EventStatus(EventStatus.Kind.PENDING, null);
                default -> new EventStatus(EventStatus.Kind.DONE, outcome(seq));
            };
            same(i, () -> JsonViews.eventStatus(seq, status), () -> ReferenceJsonViews.eventStatus(seq, status));
            CustomerView view = customer();
            same(i, () -> JsonViews.customer(view), () -> ReferenceJsonViews.customer(view));
            Map<String, List<ExpiringPoints>> expiring = new LinkedHashMap<>();
            for (String account : view.accounts().keySet()) {
                if (random.nextInt(4) > 0) {
                    List<ExpiringPoints> lots = new ArrayList<>();
                    for (int j = random.nextInt(0, 4); j > 0; j--) {
                        lots.add(new ExpiringPoints(time(), someLong()));
                    }
                    expiring.put(account, lots);
                }
            }
            CustomerDetail detail = new CustomerDetail(view, expiring);
            same(i, () -> JsonViews.customer(detail), () -> ReferenceJsonViews.customer(detail));
            LedgerPage page = new LedgerPage(entries(), random.nextBoolean() ? -1 : random.nextLong(0, 1L << 53));
            same(i, () -> JsonViews.ledger(page), () -> ReferenceJsonViews.ledger(page));
        }
    }

    @Test
    void shouldRenderStatsErrorsAndSmallAnswersAsTheReferenceDoes() {
        for (int i = 0; i < CASES; i++) {
            ProgramStats stats = new ProgramStats(time(), someLong(), someLong(), someLong(), someLong(),
                    windows(() -> someLong()), counts(), counts(), windows(this::counts));
            same(i, () -> JsonViews.stats(stats), () -> ReferenceJsonViews.stats(stats));
            int status = random.nextInt(100, 600);
            String code = text();
            String message = text();
            same(i, () -> JsonViews.error(status, code, message),
                    () -> ReferenceJsonViews.error(status, code, message));
            long seq = someLong();
            same(i, () -> JsonViews.accepted(seq), () -> ReferenceJsonViews.accepted(seq));
            long clock = time();
            same(i, () -> JsonViews.clock(clock), () -> ReferenceJsonViews.clock(clock));
            String health = text();
            same(i, () -> JsonViews.status(health), () -> ReferenceJsonViews.status(health));
        }
    }

    @Test
    void shouldStartCleanAfterARenderThatFailedHalfWay() {
        CustomerView broken = new CustomerView("c-1", true, 0, 0, "bronze", 0, 0, null); // accounts null: NPE
        try {
            JsonViews.customer(broken);
        } catch (NullPointerException expected) {
            // the writer now holds half an answer
        }
        assertThat(JsonViews.accepted(7).toString()).isEqualTo("{\"seq\":7,\"outcome\":\"accepted\"}");
    }

    private void same(int i, Supplier<Buffer> rendered, Supplier<Buffer> reference) {
        Buffer expected = reference.get();
        Buffer actual = rendered.get();
        assertThat(actual.getBytes()).as("case %d: %s", i, expected).isEqualTo(expected.getBytes());
    }

    private EventResult eventResult() {
        EventOutcome outcome = outcome(someLong());
        return new EventResult(outcome, random.nextInt(5) == 0 ? null : customer());
    }

    private EventOutcome outcome(long seq) {
        if (random.nextInt(3) == 0) {
            return new EventOutcome(seq, text(), new RuleError(random.nextInt(400, 500), text(), text()), List.of());
        }
        return new EventOutcome(seq, text(), null, entries());
    }

    private List<LedgerEntry> entries() {
        List<LedgerEntry> entries = new ArrayList<>();
        LedgerKind[] kinds = LedgerKind.values();
        for (int j = random.nextInt(0, 5); j > 0; j--) {
            entries.add(new LedgerEntry(someLong(), someLong(), time(), text(), text(),
                    kinds[random.nextInt(kinds.length)], someLong(), nullable(), nullable()));
        }
        return entries;
    }

    private CustomerView customer() {
        Map<String, AccountView> accounts = new LinkedHashMap<>();
        for (int j = random.nextInt(0, 4); j > 0; j--) {
            accounts.put(text(), new AccountView(someLong(), someLong(), someLong(), someLong(), someLong(),
                    someLong(), someLong(), someLong()));
        }
        return new CustomerView(text(), random.nextBoolean(), time(), time(), nullable(), time(), someLong(),
                accounts);
    }

    private <V> Map<Integer, V> windows(Supplier<V> value) {
        Map<Integer, V> windows = new LinkedHashMap<>();
        for (int j = random.nextInt(0, 4); j > 0; j--) {
            windows.put(random.nextInt(-5, 400), value.get());
        }
        return windows;
    }

    private Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int j = random.nextInt(0, 4); j > 0; j--) {
            counts.put(text(), someLong());
        }
        return counts;
    }

    /** Mostly everyday values, sometimes the extremes. */
    private long someLong() {
        return switch (random.nextInt(8)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> random.nextLong();
            case 3 -> -random.nextLong(0, 1000);
            default -> random.nextLong(0, 100_000);
        };
    }

    /** A time: null ({@link CustomerView#NONE}), before 1970, after 9999, or (mostly) an ordinary instant. */
    private long time() {
        return switch (random.nextInt(10)) {
            case 0 -> CustomerView.NONE;
            case 1 -> -random.nextLong(1, 1L << 45);
            case 2 -> random.nextLong(253_402_300_800_000L - 5, 1L << 50);
            case 3 -> random.nextLong(0, 253_402_300_800_000L) / 1000 * 1000;
            default -> random.nextLong(0, 253_402_300_800_000L);
        };
    }

    private String nullable() {
        return random.nextInt(4) == 0 ? null : text();
    }

    private String text() {
        StringBuilder s = new StringBuilder();
        for (int j = random.nextInt(0, 12); j > 0; j--) {
            switch (random.nextInt(9)) {
                case 0 -> s.append((char) random.nextInt(0, 0x20)); // control characters
                case 1 -> s.append("\"\\/\u007f".charAt(random.nextInt(4)));
                case 2 -> s.append((char) random.nextInt(0x80, 0x800)); // two-byte UTF-8
                case 3 -> s.append((char) random.nextInt(0x800, 0xD800)); // three-byte UTF-8
                case 4 -> s.append((char) random.nextInt(0xE000, 0x10000));
                case 5 -> s.appendCodePoint(random.nextInt(0x10000, 0x110000)); // a surrogate pair
                case 6 -> s.append((char) random.nextInt(0xD800, 0xE000)); // a lone surrogate
                default -> s.append((char) random.nextInt(0x20, 0x7f));
            }
        }
        return s.toString();
    }
}
