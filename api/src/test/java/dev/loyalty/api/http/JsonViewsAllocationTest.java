package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.rules.AccountView;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.rules.EventOutcome;
import dev.loyalty.engine.rules.LedgerEntry;
import dev.loyalty.engine.rules.LedgerKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rendering a typical sync answer allocates about the answer itself (issue 12): measured with the JVM's
 * per-thread allocation counter, after warm-up. The Jackson renderer it replaced allocated several times that.
 */
class JsonViewsAllocationTest {

    /** The answer's byte array plus Vert.x's buffer wrappers (a few dozen bytes each), with room to spare. */
    private static final long OVERHEAD_BYTES = 256;
    private static final long T0 = 1_764_164_400_000L;

    private static final EventResult SYNC_ANSWER = syncAnswer();

    @Test
    void shouldAllocateLittleMoreThanTheAnswerItself() {
        int length = JsonViews.eventResult(1_048_576, false, SYNC_ANSWER).length();
        long perAnswer = bytesPerCall(() -> JsonViews.eventResult(1_048_576, false, SYNC_ANSWER));
        long reference = bytesPerCall(() -> ReferenceJsonViews.eventResult(1_048_576, false, SYNC_ANSWER));
        System.out.printf("sync answer of %d bytes: %d bytes allocated per rendering (Jackson renderer: %d)%n",
                length, perAnswer, reference);
        assertThat(perAnswer).isLessThanOrEqualTo(length + OVERHEAD_BYTES);
    }

    /** Bytes this thread allocates per call, the lowest of several rounds (JIT and TLAB noise only add). */
    private static long bytesPerCall(Supplier<Buffer> render) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int calls = 10_000;
        long best = Long.MAX_VALUE;
        int sink = 0;
        for (int round = 0; round < 8; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < calls; i++) {
                sink += render.get().length();
            }
            long after = threads.getThreadAllocatedBytes(thread);
            best = Math.min(best, (after - before) / calls);
        }
        assertThat(sink).isPositive();
        return best;
    }

    /** About the engine's sync answer to a checkout: one pending entry, a customer with two accounts. */
    private static EventResult syncAnswer() {
        Map<String, AccountView> accounts = new LinkedHashMap<>();
        accounts.put("points", new AccountView(5120, 5000, 0, 120, 5120, 0, 0, 0));
        accounts.put("bonus", AccountView.ZERO);
        CustomerView customer = new CustomerView("c-12345", true, T0, T0 + 61_234, "bronze", CustomerView.NONE,
                5120, accounts);
        LedgerEntry pending = new LedgerEntry(77, 1_048_576, T0 + 61_234, "checkout", "points", LedgerKind.PENDING,
                120, "T-100042", null);
        return new EventResult(new EventOutcome(1_048_576, "c-12345", null, List.of(pending)), customer);
    }
}
