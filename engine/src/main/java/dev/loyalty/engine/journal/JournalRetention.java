package dev.loyalty.engine.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops whole daily files from the front of a Chronicle journal: files whose day ended longer ago than the
 * age limit, or, oldest first, while the journal is larger than the size limit — but only files that lie
 * entirely before {@code neededPosition} (the oldest position anything still has to resume from: any
 * partition's durable checkpoint, any kept backup), and never the newest file or the current day's.
 * Called from one thread at a time (the engine's retention task, or a test).
 */
public final class JournalRetention {

    /**
     * The limits; zero means no limit of that kind.
     *
     * @param maxAge    a file whose day ended longer ago may go
     * @param maxBytes  the oldest files may go while the journal is larger
     */
    public record Policy(Duration maxAge, long maxBytes) {
        public boolean enabled() {
            return !maxAge.isZero() || maxBytes > 0;
        }
    }

    /** A file that may be dropped, its day and size. */
    public record Drop(Path file, int cycle, long bytes) {
    }

    private JournalRetention() {
    }

    /**
     * The files the policy would drop now.
     *
     * @param neededPosition oldest journal position still needed, or -1 when something needs the whole
     *                       journal (a partition that has applied nothing yet): then nothing is dropped
     * @param nowMs          the wall clock (file ages are wall-clock ages)
     */
    public static List<Drop> plan(ChronicleJournal journal, Policy policy, long neededPosition, long nowMs) {
        List<Drop> drops = new ArrayList<>();
        if (!policy.enabled() || neededPosition < 0) {
            return drops;
        }
        List<ChronicleJournal.CycleFile> files = journal.cycleFiles();
        if (files.size() < 2) {
            return drops;
        }
        int newest = files.get(files.size() - 1).cycle();
        int keepFrom = Math.min(Math.min(journal.cycleOf(neededPosition), newest), journal.currentCycle());
        long total = 0;
        for (ChronicleJournal.CycleFile f : files) {
            total += f.bytes();
        }
        for (ChronicleJournal.CycleFile f : files) {
            if (f.cycle() >= keepFrom) {
                break;
            }
            boolean tooOld = !policy.maxAge().isZero()
                    && nowMs - ChronicleJournal.cycleEndMs(f.cycle()) > policy.maxAge().toMillis();
            boolean tooBig = policy.maxBytes() > 0 && total > policy.maxBytes();
            if (!tooOld && !tooBig) {
                break; // younger files are not older, and the journal is within its size
            }
            drops.add(new Drop(f.path(), f.cycle(), f.bytes()));
            total -= f.bytes();
        }
        return drops;
    }

    /** Deletes the planned files, oldest first, and tells the queue; returns the files deleted. */
    public static List<Drop> apply(ChronicleJournal journal, List<Drop> plan) {
        List<Drop> done = new ArrayList<>();
        try {
            for (Drop d : plan) {
                if (Files.deleteIfExists(d.file())) {
                    done.add(d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete journal file: " + e.getMessage(), e);
        } finally {
            if (!done.isEmpty()) {
                journal.filesDeleted();
            }
        }
        return done;
    }
}
