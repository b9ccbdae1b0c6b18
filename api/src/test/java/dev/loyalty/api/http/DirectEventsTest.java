package dev.loyalty.api.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which requests {@link DirectEvents} takes itself: exactly the plain ones; every other goes to the router. */
class DirectEventsTest {

    private static final long MAX = 1000;

    @Test
    void shouldTakeOnlyPostEventsWithoutQueryOrWithExactlyASyncOrAsyncMode() {
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events", null)).isZero();
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events", "mode=sync")).isZero();
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events", "mode=async")).isEqualTo(1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events", "")).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events", "mode=Async")).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events", "mode=async&x=1")).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events", "mode=%73ync")).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.PUT, "/events", null)).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.GET, "/events", null)).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events/", null)).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "/events/bulk", null)).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "//events", null)).isEqualTo(-1);
        assertThat(DirectEvents.mode(HttpMethod.POST, "/Events", null)).isEqualTo(-1);
    }

    @Test
    void shouldReadTheBodyOnlyWhenTheHeadPassesEveryBodyCheck() {
        assertThat(DirectEvents.bodyLength(headers("application/json", "120"), MAX)).isEqualTo(120);
        assertThat(DirectEvents.bodyLength(headers("application/json; charset=UTF-8", "1000"), MAX)).isEqualTo(1000);
        assertThat(DirectEvents.bodyLength(headers("application/json", "1001"), MAX)).as("over the limit: 413").isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("application/json", "0"), MAX)).as("empty: 400").isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("application/json", null), MAX)).isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("application/json", "99999999999999999999"), MAX)).isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("application/json", "+12"), MAX)).isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("text/plain", "12"), MAX)).as("415").isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers(null, "12"), MAX)).as("415").isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("application/json", "12").add("Transfer-Encoding", "chunked"), MAX))
                .isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("application/json", "12").add("Expect", "100-continue"), MAX))
                .isEqualTo(-1);
        assertThat(DirectEvents.bodyLength(headers("application/json", "12").add(RequestSignatures.HEADER, "k=v"), MAX))
                .as("a signature is verified over the body by the router's chain").isEqualTo(-1);
    }

    private static MultiMap headers(String contentType, String contentLength) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        if (contentType != null) {
            h.add("Content-Type", contentType);
        }
        if (contentLength != null) {
            h.add("Content-Length", contentLength);
        }
        return h;
    }
}
