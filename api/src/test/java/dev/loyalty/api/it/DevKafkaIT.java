package dev.loyalty.api.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/engine dev-kafka} as its own process: a busy port is refused with a message that names it. Serving
 * a real client, SIGTERM's exit 0 and the data kept across starts are checked by {@link KafkaServeIT} on the
 * broker it runs anyway (a broker process start and restart cost ~15 s on the shared machine).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DevKafkaIT {

    @TempDir
    Path dir;

    @Test
    void refusesABusyPortByName() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            EngineProcess.Result r = EngineProcess.run("dev-kafka", "--data", dir.resolve("busy").toString(),
                    "--port", Integer.toString(taken.getLocalPort()), "--controller-port", Integer.toString(freePort()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use");
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
