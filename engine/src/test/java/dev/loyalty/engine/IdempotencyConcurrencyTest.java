package dev.loyalty.engine;

import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.JournalReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Many threads submit the same ids at once, with one of two bodies each, alone and in bulks (several ids,
 * repeated ids), through the real engine (journal, id index): every id is journaled exactly once, and every
 * other submission of it is a duplicate of that journaled event (same seq, same body) or a mismatch (the
 * other body). Fails if lookup, append and put of an id are not atomic with respect to each other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdempotencyConcurrencyTest {
    private static final IdRace RACE = new IdRace(8, 400, 3);

    @TempDir
    Path data;

    @Test
    void shouldJournalEachIdOnceAndAnswerEveryOtherSubmissionFromThatOne() throws Exception {
        EngineConfig config = ConfigLoader.loadShipped(Path.of(".."), null, Map.of(), Map.of("data-dir",
                data.toString(), "partitions", "2"));
        Collection<IdRace.Answer> answers;
        try (LoyaltyEngine engine = Engine.start(config, new SimpleMeterRegistry())) {
            answers = RACE.run(engine, 1000);
        }
        RACE.check(answers, journaledIds(data.resolve("journal")));
    }

    /** id → {seq, body hash, times journaled}, read from the journal itself. */
    private static Map<String, long[]> journaledIds(Path journalDir) {
        Map<String, long[]> ids = new HashMap<>();
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, System::currentTimeMillis);
             JournalReader r = journal.reader()) {
            while (r.next((pos, h, payload) -> IdRace.countIds(h, payload, ids))) {
                // keep reading
            }
        }
        return ids;
    }
}
