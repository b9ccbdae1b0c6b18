package dev.loyalty.api.management;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** {@link ReadinessWarmUp}: one readiness request, on loopback for a wildcard host, and never a failure of its own. */
@Timeout(30)
class ReadinessWarmUpTest {

    @Test
    void shouldAskTheServerForReadinessOnLoopbackWhenItListensOnEveryAddress() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> requestLine = CompletableFuture.supplyAsync(() -> {
                try (Socket client = server.accept()) {
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                    String first = in.readLine();
                    String line;
                    do {
                        line = in.readLine();
                    } while (line != null && !line.isEmpty());
                    OutputStream out = client.getOutputStream();
                    out.write("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    return first;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            ReadinessWarmUp.probe("0.0.0.0", server.getLocalPort());

            assertThat(requestLine.get(10, TimeUnit.SECONDS)).isEqualTo("GET /health/ready HTTP/1.1");
        }
    }

    @Test
    void shouldNotFailWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        assertThatCode(() -> ReadinessWarmUp.probe("127.0.0.1", port)).doesNotThrowAnyException();
    }
}
