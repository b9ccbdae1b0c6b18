package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.DiskSpaceGuard;
import dev.loyalty.engine.journal.JournalCorruptException;
import dev.loyalty.engine.journal.JournalFiles;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.Folders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A journal with a changed byte, through the engine's start and through a replay: refused, the seq named. */
@Timeout(300)
class JournalDamageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static EngineConfig config(Path data) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of(
                "data-dir", data.toString(), "partitions", "2"));
    }

    private static Event event(String customer) {
        return new Event(customer, "opt_in", null, null, Event.ABSENT, Event.ABSENT, null, Event.ABSENT, null,
                Event.ABSENT, Event.ABSENT, null, null);
    }

    @Test
    void shouldRefuseToStartOnADamagedRecordNotYetAppliedAndChangeNothing() throws Exception {
        Path data = dir.resolve("data");
        // As an engine killed right after journaling: records on disk, nothing applied or indexed yet.
        try (ChronicleJournal j = ChronicleJournal.open(data.resolve("journal"), System::currentTimeMillis,
                DiskSpaceGuard.off(data.resolve("journal")), 2)) {
            j.appendEvents(List.of(new Submitted(event("c-1"), 0)), null);
            j.appendEvents(List.of(new Submitted(event("c-2"), 0), new Submitted(event("damaged-here"), 0)), null);
            j.appendEvents(List.of(new Submitted(event("c-3"), 0)), null);
        }
        JournalFiles.flipByteOf(data.resolve("journal"), "damaged-here");
        Map<String, String> before = records(data);
        // Twice: the partitions load while the index reads the damaged tail, and the refused start waits for
        // those loads and closes their stores, so the second start is refused for the damage again, not told
        // that RocksDB's lock is held (by this very process).
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> Engine.start(config(data), new SimpleMeterRegistry()).close())
                    .isInstanceOf(JournalCorruptException.class)
                    .hasMessageContaining("seq 2..3").hasMessageContaining("CRC32C");
        }
        assertThat(records(data)).as("nothing appended").isEqualTo(before);
    }

    /** Digests of the daily record files (Chronicle's metadata file changes on every open). */
    private static Map<String, String> records(Path data) throws java.io.IOException {
        Map<String, String> files = new java.util.TreeMap<>(Folders.fileDigests(data.resolve("journal")));
        files.keySet().removeIf(name -> !name.endsWith(".cq4"));
        assertThat(files).isNotEmpty();
        return files;
    }

    @Test
    void shouldStopAReplayAtADamagedRecordNamingItsSeq() throws Exception {
        Path data = dir.resolve("data");
        long damagedSeq;
        try (LoyaltyEngine engine = Eventually.ready(Engine.start(config(data), new SimpleMeterRegistry()))) {
            post(engine, "{\"customer\":\"c-1\",\"action\":\"opt_in\"}");
            damagedSeq = post(engine, "{\"customer\":\"damaged-here\",\"action\":\"opt_in\"}");
            post(engine, "{\"customer\":\"c-2\",\"action\":\"opt_in\"}");
        }
        JournalFiles.flipByteOf(data.resolve("journal"), "damaged-here");
        assertThatThrownBy(() -> Replay.run(config(data), dir.resolve("rebuilt"), seq -> { }))
                .isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("seq " + damagedSeq + " ").hasMessageContaining("CRC32C");
    }

    private static long post(LoyaltyEngine engine, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        Submission s = engine.submit(List.of(new Submitted(v.event(), 0)), true).get(0);
        s.result().get(10, TimeUnit.SECONDS);
        return s.seq();
    }
}
