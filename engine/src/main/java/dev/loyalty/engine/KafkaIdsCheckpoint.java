package dev.loyalty.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * How far the idempotency index holds the ids of the Kafka journal: the newest offset of each partition
 * whose ids it holds durably ({@code ingest/kafka-offsets}, one line of comma-separated offsets). Written
 * only after the index's own checkpoint, so a crash between the two makes the next start read a little
 * more, never less.
 */
final class KafkaIdsCheckpoint {
    private static final String FILE = "kafka-offsets";

    private KafkaIdsCheckpoint() {
    }

    /** The offsets, or -1 for each partition when there is no checkpoint (or one for another partition count). */
    static long[] read(Path ingest, int partitions) {
        long[] none = new long[partitions];
        Arrays.fill(none, -1);
        Path f = ingest.resolve(FILE);
        try {
            if (!Files.exists(f)) {
                return none;
            }
            String[] parts = Files.readString(f, StandardCharsets.UTF_8).trim().split(",");
            if (parts.length != partitions) {
                return none;
            }
            long[] out = new long[partitions];
            for (int p = 0; p < partitions; p++) {
                out[p] = Long.parseLong(parts[p].trim());
            }
            return out;
        } catch (NumberFormatException e) {
            return none; // a damaged checkpoint costs a full read, not the start
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** Replaces the checkpoint atomically and durably. */
    static void write(Path ingest, long[] offsets) {
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < offsets.length; p++) {
            sb.append(p == 0 ? "" : ",").append(offsets[p]);
        }
        Path tmp = ingest.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, sb.append('\n').toString(), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, ingest.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ingest.resolve(FILE), e);
        }
    }
}
