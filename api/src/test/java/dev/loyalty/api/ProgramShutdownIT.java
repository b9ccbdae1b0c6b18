package dev.loyalty.api;

import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.IngestClock;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;
import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A graceful stop of the real program in this JVM: readiness turns false first (while the API still
 * answers), then the stop finishes in bounded time with everything journaled applied and on disk.
 */
@Timeout(600)
class ProgramShutdownIT {

    private Path home;

    @BeforeEach
    void createHome() throws Exception {
        home = Files.createTempDirectory("shutdown-it");
    }

    @AfterEach
    void deleteHome() {
        TestFolders.deleteRecursively(home);
    }

    @Test
    void shouldTurnNotReadyFirstThenDrainCommitAndCloseInBoundedTime() throws Exception {
        int port = TestFolders.freePort();
        int managementPort = TestFolders.freePort();
        Path data = home.resolve("data");
        EngineConfig config = ProgramConfig.load(null, Map.of(), Map.of(
                "api.port", Integer.toString(port), "management.port", Integer.toString(managementPort),
                "data-dir", data.toString(), "partitions", "2", "processor.batch-max", "16"));
        Program program = Program.start(config);
        HttpCalls http = new HttpCalls(port);
        HttpCalls management = new HttpCalls(managementPort);
        Eventually.until("ready", Eventually.START, () -> management.get("/health/ready", null).status() == 200);

        long lastSeq = 0;
        for (int bulk = 0; bulk < 20; bulk++) {
            StringJoiner events = new StringJoiner(",", "{\"events\":[", "]}");
            for (int i = 0; i < 500; i++) {
                events.add("{\"customer\":\"s-" + i + "\",\"action\":\"opt_in\"}");
            }
            HttpCalls.Answer a = http.post("/events/bulk?mode=async", "dev-key", events.toString());
            assertThat(a.status()).as(a.toString()).isEqualTo(200);
            lastSeq = Math.max(lastSeq, a.json().path("results").get(499).path("seq").asLong());
        }

        program.markNotReady();
        assertThat(management.get("/health/ready", null).status()).as("not ready once stopping").isEqualTo(503);
        assertThat(http.get("/stats", "dev-key").status()).as("still serving meanwhile").isEqualTo(200);

        long startNs = System.nanoTime();
        assertThat(program.stop()).as("every step finished cleanly").isTrue();
        long stopMs = (System.nanoTime() - startNs) / 1_000_000;
        assertThat(stopMs).as("bounded stop").isLessThan(30_000);

        try (ChronicleJournal journal = ChronicleJournal.open(data.resolve("journal"), IngestClock.systemWall())) {
            assertThat(journal.lastSeq()).isGreaterThanOrEqualTo(lastSeq);
        }
        for (int p = 0; p < 2; p++) {
            try (PartitionStore store = PartitionStore.openReadOnly(data.resolve("state").resolve("p" + p))) {
                assertThat(PartitionCheckpoint.read(store).lastSeq())
                        .as("partition %d applied everything journaled, on disk", p).isGreaterThanOrEqualTo(lastSeq);
            }
        }
    }
}
