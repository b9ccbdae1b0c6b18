package dev.loyalty.engine;

import dev.loyalty.engine.config.EngineConfig;

import java.nio.file.Path;
import java.util.function.LongConsumer;

/** Rebuilds partition state from the journal into an empty folder and compares it with the live state. */
public final class Replay {

    private Replay() {
    }

    /**
     * Result of a replay.
     *
     * @param records          journal records read
     * @param events           events applied or rejected
     * @param millis           wall time taken
     * @param identical        true when every partition's rebuilt state equals the live state byte for byte
     * @param firstDifference  description of the first differing key, or null when identical
     */
    public record Report(long records, long events, long millis, boolean identical, String firstDifference) {
    }

    /**
     * Replays the journal of {@code config.dataDir()} into {@code into} (must be empty or absent).
     *
     * @param progress called now and then with the number of records read so far
     */
    public static Report run(EngineConfig config, Path into, LongConsumer progress) {
        throw new UnsupportedOperationException("to be written");
    }
}
