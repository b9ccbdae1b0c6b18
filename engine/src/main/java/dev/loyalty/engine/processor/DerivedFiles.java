package dev.loyalty.engine.processor;

import dev.loyalty.engine.derived.DerivedLog;
import dev.loyalty.engine.derived.DerivedLogException;
import dev.loyalty.engine.derived.DerivedMark;
import dev.loyalty.engine.state.Keys;
import dev.loyalty.engine.state.PartitionCheckpoint;
import dev.loyalty.engine.state.PartitionStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a partition's derived logs lie ({@code <state dir>/derived}) and which mark its committed state holds:
 * for the processor, and for the tools that compare (replay) or copy (backup) them.
 */
public final class DerivedFiles {
    /** The derived-log mark committed with the snapshot (same RocksDB write as the checkpoint). */
    static final byte[] MARK = Keys.meta("derived-mark");

    private DerivedFiles() {
    }

    /** The derived-log folder of the partition whose RocksDB state is in {@code stateDir}. */
    public static Path dir(Path stateDir) {
        return stateDir.resolve("derived");
    }

    /**
     * The derived-log mark of the store's last commit: {@link DerivedMark#EMPTY} for a state that has committed
     * nothing yet.
     *
     * @throws DerivedLogException when the state has commits but no mark (written before the logs: not readable)
     */
    public static DerivedMark committedMark(PartitionStore store) {
        byte[] raw = store.get(MARK);
        if (raw != null) {
            return DerivedMark.decode(raw);
        }
        if (PartitionCheckpoint.read(store) != null) {
            throw new DerivedLogException("the state in " + store.dir() + " has no derived-log mark: it was written by "
                    + "an older engine (outcomes and ledger in RocksDB); rebuild it with bin/engine replay --into");
        }
        return DerivedMark.EMPTY;
    }

    /** Opens the store's derived logs at its committed mark (what lies past it is dropped). */
    public static DerivedLog open(PartitionStore store) {
        return DerivedLog.open(dir(store.dir()), committedMark(store));
    }

    /**
     * Copies the derived logs of the partition state in {@code fromStateDir} into {@code toStateDir}, as they stand,
     * possibly while their partition appends: the logs only grow past any committed mark, so the copy holds at
     * least the mark of every commit made before it started. Outcome segments that retention drops meanwhile
     * (always the oldest, all below that mark) are skipped: they were past the retention.
     */
    public static void copy(Path fromStateDir, Path toStateDir) {
        Path from = dir(fromStateDir);
        if (!Files.isDirectory(from)) {
            return;
        }
        Path to = dir(toStateDir);
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(from)) {
            paths = walk.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + from + ": " + e.getMessage(), e);
        }
        for (Path source : paths) {
            Path target = to.resolve(from.relativize(source).toString());
            try {
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            } catch (NoSuchFileException gone) {
                // dropped by retention since the listing
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
            }
        }
    }
}
