package dev.loyalty.engine.idempotency;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The id filter never forgets an id it was given, and says "maybe" of few new ids at the index's sizing. */
class IdFilterTest {

    @Test
    void shouldAnswerMaybeForEveryIdAdded() {
        IdFilter filter = new IdFilter(20);
        for (int i = 0; i < 60_000; i++) {
            filter.add("order-" + i + "-retry");
        }
        for (int i = 0; i < 60_000; i++) {
            assertThat(filter.mightContain("order-" + i + "-retry")).as("id %d", i).isTrue();
        }
    }

    @Test
    void shouldSayMaybeForFewNewIdsAtSixteenBitsPerId() {
        int log2Bits = 22; // 4M bits: 262,144 ids at 16 bits each, as the index sizes its filter
        IdFilter filter = new IdFilter(log2Bits);
        int ids = (1 << log2Bits) / 16;
        for (int i = 0; i < ids; i++) {
            filter.add("evt:" + i);
        }
        int maybe = 0;
        int probes = 200_000;
        for (int i = 0; i < probes; i++) {
            if (filter.mightContain("new:" + i)) {
                maybe++;
            }
        }
        // 3 hashes at 16 bits per id: ~0.5% (measured 0.49%); one bit per id instead of three (the positions
        // equal) would be ~6%, a filter of half the bits ~3%.
        assertThat((double) maybe / probes).isLessThan(0.01);
    }

    @Test
    void shouldWorkAtTheSmallestSize() {
        IdFilter filter = new IdFilter(6); // one word
        filter.add("a");
        assertThat(filter.mightContain("a")).isTrue();
    }
}
