package dev.loyalty.engine.processor;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link OutcomeWaits}: waiters by seq in a preallocated array, colliding seqs in the overflow map. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutcomeWaitsTest {

    @Test
    void shouldFindEachWaiterBySeqAndForgetItOnceRemoved() {
        OutcomeWaits waits = new OutcomeWaits(16);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        waits.put(5, a);
        waits.put(6, b);
        assertThat(waits.get(5)).isSameAs(a);
        assertThat(waits.get(6)).isSameAs(b);
        assertThat(waits.get(7)).isNull();
        assertThat(waits.get(5 + 16)).as("another seq of the same slot").isNull();
        assertThat(waits.remove(a)).isTrue();
        assertThat(waits.remove(a)).as("removed once only").isFalse();
        assertThat(waits.get(5)).isNull();
        assertThat(waits.remove(6)).isSameAs(b);
        assertThat(waits.get(6)).isNull();
    }

    @Test
    void shouldKeepSeqsOfTheSameSlotApart() {
        OutcomeWaits waits = new OutcomeWaits(16);
        List<Recorder> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // all in slot 3: one in the array, four in the overflow map
            Recorder r = new Recorder();
            waits.put(3 + 16L * i, r);
            all.add(r);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(waits.get(3 + 16L * i)).isSameAs(all.get(i));
        }
        assertThat(waits.remove(all.get(0))).isTrue();
        assertThat(waits.get(3)).isNull();
        assertThat(waits.get(3 + 16L * 4)).as("an overflowed one, its slot now free").isSameAs(all.get(4));
        assertThat(waits.remove(all.get(4))).isTrue();
        assertThat(waits.get(3 + 16L * 4)).isNull();
        Recorder late = new Recorder();
        waits.put(3 + 16L * 9, late); // the freed slot takes it
        assertThat(waits.get(3 + 16L * 9)).isSameAs(late);
        assertThat(waits.get(3 + 16L * 2)).isSameAs(all.get(2));
    }

    @Test
    void shouldHandEveryWaiterToDrainOnce() {
        OutcomeWaits waits = new OutcomeWaits(16);
        List<OutcomeWaiter> put = new ArrayList<>();
        for (long seq = 0; seq < 40; seq += 3) { // past 16 slots: some overflow
            Recorder r = new Recorder();
            waits.put(seq, r);
            put.add(r);
        }
        List<OutcomeWaiter> drained = new ArrayList<>();
        waits.drain(drained::add);
        assertThat(drained).containsExactlyInAnyOrderElementsOf(put);
        for (long seq = 0; seq < 40; seq += 3) {
            assertThat(waits.get(seq)).isNull();
        }
        List<OutcomeWaiter> again = new ArrayList<>();
        waits.drain(again::add);
        assertThat(again).isEmpty();
    }

    @Test
    void shouldTellChainedWaitersTheSameOutcome() {
        Recorder first = new Recorder();
        Recorder retry = new Recorder();
        first.also = retry;
        EventResult result = new EventResult(null, null);
        first.complete(result);
        assertThat(first.results).containsExactly(result);
        assertThat(retry.results).containsExactly(result);
        Recorder failing = new Recorder();
        failing.also = new Recorder();
        IllegalStateException cause = new IllegalStateException("stopped");
        failing.fail(cause);
        assertThat(failing.failures).containsExactly(cause);
        assertThat(((Recorder) failing.also).failures).containsExactly(cause);
    }

    /** A waiter's registration, look-up and removal allocate nothing (a map keyed by boxed seqs did ~80 bytes). */
    @Test
    void shouldAllocateNothingPerRegistration() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        OutcomeWaits waits = new OutcomeWaits(1024);
        Recorder[] waiters = new Recorder[64];
        for (int i = 0; i < waiters.length; i++) {
            waiters[i] = new Recorder();
        }
        int rounds = 200_000;
        long perRound = 0;
        for (int warm = 0; warm < 3; warm++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                Recorder w = waiters[i & 63];
                long seq = 1_000_000L * warm + i;
                waits.put(seq, w);
                if (waits.get(seq) != w || !waits.remove(w)) {
                    throw new AssertionError("lost the waiter of seq " + seq);
                }
            }
            perRound = (threads.getCurrentThreadAllocatedBytes() - before) / rounds;
        }
        assertThat(perRound).as("bytes per put, get and remove").isZero();
    }

    private static final class Recorder extends OutcomeWaiter {
        final List<EventResult> results = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();

        @Override
        protected void completed(EventResult result) {
            results.add(result);
        }

        @Override
        protected void failed(Throwable failure) {
            failures.add(failure);
        }
    }
}
