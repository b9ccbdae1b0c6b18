package dev.loyalty.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** The start's native warm-up: runs for {@code serve} only, and really loads what it names. */
@Timeout(120)
class NativeWarmUpTest {

    @Test
    void shouldWarmUpForServeOnly() {
        assertThat(NativeWarmUp.wanted(new String[] {"serve", "--data", "x"})).isTrue();
        assertThat(NativeWarmUp.wanted(new String[] {"--version"})).isFalse();
        assertThat(NativeWarmUp.wanted(new String[] {"replay", "--data", "x"})).isFalse();
        assertThat(NativeWarmUp.wanted(new String[0])).isFalse();
    }

    /** A renamed Chronicle class or a library that cannot load would silently cost the start its head start. */
    @Test
    void shouldLoadRocksDbAndStartChronicleRuntime() throws Exception {
        Thread t = NativeWarmUp.start();
        t.join(100_000);
        assertThat(t.isAlive()).as("warm-up finished").isFalse();
        assertThat(NativeWarmUp.failure()).as("warm-up failure").isNull();
    }
}
