package dev.loyalty.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bench/lib.sh's free_port: the ports it hands the engine lie below the kernel's ephemeral range, so a load
 * generator's outgoing connection cannot take one between the check and the engine's bind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FreePortTest {

    @Test
    void portsAreFreeAndOutsideTheEphemeralRange() throws Exception {
        // by lines: procfs reports no size, and Files.readString then returns a truncated text
        int low = Integer.parseInt(Files.readAllLines(Paths.get("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        String[] ports = BenchLib.run("for i in $(seq 40); do free_port; done").split("\\s+");
        assertThat(ports).hasSize(40);
        for (String p : ports) {
            int port = Integer.parseInt(p);
            if (low > 11024) {
                assertThat(port).isBetween(10000, low - 1);
            } else {
                assertThat(port).isBetween(61000, 64999);
            }
        }
    }
}
