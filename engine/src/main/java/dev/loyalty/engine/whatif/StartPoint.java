package dev.loyalty.engine.whatif;

import dev.loyalty.engine.Backup;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.journal.ChronicleJournal;
import dev.loyalty.engine.journal.RecordHeader;
import dev.loyalty.engine.journal.RecordType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where both replays of a what-if run start: from a backup's state and the journal after its positions, or
 * from an empty state and the journal's first record.
 *
 * @param backup   the backup folder, or null for the journal's start
 * @param seq      the seq every partition of the backup had applied (0 from the journal's start)
 * @param position the oldest journal position of the backup (-1 from the journal's start)
 */
public record StartPoint(Path backup, long seq, long position) {

    /** From an empty state and the journal's first record. */
    public static final StartPoint JOURNAL_START = new StartPoint(null, 0, -1);

    /** True when the replays start from a backup. */
    public boolean fromBackup() {
        return backup != null;
    }

    /**
     * The newest of {@code candidates} (by the seq it had applied) whose every partition position is in this
     * journal and holds a record ingested before {@code fromMs} (and not after {@code toMs}); else the journal's
     * start. Backups that do not qualify are passed over (they may belong to another data folder or lie after
     * {@code fromMs}); only their reasons are kept for the refusal.
     *
     * @throws ConfigException when no backup qualifies and the journal's oldest files were dropped
     */
    static StartPoint choose(List<Path> candidates, ChronicleJournal journal, int partitions, long fromMs, long toMs,
                             Path dataDir) {
        StartPoint best = null;
        List<String> passedOver = new ArrayList<>();
        for (Path candidate : candidates) {
            String why;
            try {
                Backup.Manifest m = Backup.read(candidate);
                why = Backup.unusable(m, journal, partitions);
                if (why == null) {
                    why = notBefore(m, journal, fromMs, toMs);
                }
                if (why == null && (best == null || m.appliedSeq() > best.seq())) {
                    best = new StartPoint(candidate, m.appliedSeq(), m.oldestPosition());
                }
            } catch (ConfigException e) {
                why = e.getMessage();
            }
            if (why != null) {
                passedOver.add(candidate + ": " + why);
            }
        }
        if (best != null) {
            return best;
        }
        long first = journal.firstSeq();
        if (first > 1) {
            throw new ConfigException("the journal of " + dataDir + " starts at seq " + first + ": its oldest files "
                    + "were dropped by journal.retention, so history can only be replayed from a backup (bin/engine "
                    + "backup) taken before " + (fromMs == Long.MIN_VALUE ? "the start of the run (give --from)" : "--from")
                    + " while the journal still holds its positions. "
                    + (candidates.isEmpty() ? "No backup is registered in the data folder; give --backups DIR."
                    : "None of these qualifies: " + String.join("; ", passedOver)));
        }
        return JOURNAL_START;
    }

    /** Why the backup does not lie before {@code fromMs} (or not within {@code toMs}) in this journal, or null. */
    private static String notBefore(Backup.Manifest m, ChronicleJournal journal, long fromMs, long toMs) {
        for (Backup.PartitionPosition p : m.state()) {
            if (p.position() < 0) {
                return "partition " + p.partition() + " had applied nothing (no better than the journal's start)";
            }
            long[] seqAndIngest = new long[2];
            boolean found = journal.readAt(p.position(), (pos, h, payload) -> {
                seqAndIngest[0] = lastSeq(h, payload);
                seqAndIngest[1] = h.ingestMs();
            });
            if (!found || seqAndIngest[0] != p.lastSeq()) {
                return "the journal has no record of seq " + p.lastSeq() + " at its position (a backup of another "
                        + "data folder?)";
            }
            if (seqAndIngest[1] >= fromMs || seqAndIngest[1] > toMs) {
                return "taken after --from (or after --to)";
            }
        }
        return null;
    }

    private static long lastSeq(RecordHeader h, net.openhft.chronicle.bytes.Bytes<?> payload) {
        return h.type() == RecordType.EVENTS ? h.firstSeq() + payload.readStopBit() - 1 : h.firstSeq();
    }
}
