package dev.loyalty.api.http;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestSignaturesTest {

    private static final long START_S = 1_800_000_000L;
    private static final ApiKey SIGNER = new ApiKey("signer", "00", Set.of(Scope.INGEST), "s3cret", 0, 0);
    private static final ApiKeys KEYS = new ApiKeys(List.of(SIGNER));

    /** The server's clock: seconds for the window check, the same instant in nanos for the memory. */
    private final AtomicLong nowS = new AtomicLong(START_S);
    private final Ticker ticker = () -> TimeUnit.SECONDS.toNanos(nowS.get());

    private static String header(long ts, String body) {
        byte[] sig = RequestSignatures.sign("s3cret", ts, "POST", "/events", body.getBytes(StandardCharsets.UTF_8));
        return "keyId=signer,ts=" + ts + ",sig=" + Base64.getEncoder().encodeToString(sig);
    }

    private void send(RequestSignatures signatures, String header, String body) {
        RequestSignatures.Signed signed = signatures.parse(header, KEYS, nowS.get());
        signatures.verify(signed, "POST", "/events", body.getBytes(StandardCharsets.UTF_8), nowS.get());
    }

    @Test
    void shouldAcceptAClientClockMinutesAheadOrBehindAndStillRefuseItsReplay() {
        RequestSignatures signatures = new RequestSignatures(1000, ticker);
        String ahead = header(START_S + 240, "{\"n\":1}");
        String behind = header(START_S - 240, "{\"n\":2}");

        send(signatures, ahead, "{\"n\":1}");
        send(signatures, behind, "{\"n\":2}");

        nowS.addAndGet(200); // ahead's ts is still within the window: its replay must be remembered
        assertThatThrownBy(() -> send(signatures, ahead, "{\"n\":1}"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("replay"));
        assertThatThrownBy(() -> send(signatures, behind, "{\"n\":2}"))
                .as("outside the window by now").isInstanceOf(ApiException.class);
    }

    @Test
    void shouldNotLetAClientClockAheadHoldOtherSignaturesInMemory() {
        RequestSignatures signatures = new RequestSignatures(3, ticker);
        send(signatures, header(START_S + 240, "{\"n\":0}"), "{\"n\":0}");
        send(signatures, header(START_S, "{\"n\":1}"), "{\"n\":1}");
        send(signatures, header(START_S, "{\"n\":2}"), "{\"n\":2}");

        nowS.addAndGet(RequestSignatures.WINDOW_SECONDS + 2); // the two on time have left the window
        send(signatures, header(nowS.get(), "{\"n\":3}"), "{\"n\":3}");
        send(signatures, header(nowS.get(), "{\"n\":4}"), "{\"n\":4}");

        assertThatThrownBy(() -> send(signatures, header(nowS.get(), "{\"n\":5}"), "{\"n\":5}"))
                .as("the bound still holds").isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.status()).isEqualTo(429));
    }

    @Test
    void shouldRefuseAReplayWrittenWithoutBase64Padding() {
        RequestSignatures signatures = new RequestSignatures(1000, ticker);
        String header = header(START_S, "{}");
        send(signatures, header, "{}");

        assertThat(header).endsWith("=");
        assertThatThrownBy(() -> send(signatures, header.substring(0, header.length() - 1), "{}"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("replay"));
    }
}
