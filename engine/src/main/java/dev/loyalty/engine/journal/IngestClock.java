package dev.loyalty.engine.journal;

import java.util.function.LongSupplier;

/**
 * The engine's ingest clock: {@code max(wall clock + offset, last ingest time journaled)}. The only place
 * where the wall clock enters the engine; everything downstream reads time from journaled records.
 * Callers that journal must call {@link #next()} under the journal's append lock so that journaled ingest
 * times never go backwards.
 */
public final class IngestClock {

    private final LongSupplier wallMs;
    private volatile long offsetMs;
    private volatile long lastMs;

    /**
     * @param wallMs   the wall clock (System::currentTimeMillis in production)
     * @param offsetMs offset restored from the journal
     * @param lastMs   last ingest time journaled, restored from the journal (Long.MIN_VALUE if none)
     */
    public IngestClock(LongSupplier wallMs, long offsetMs, long lastMs) {
        this.wallMs = wallMs;
        this.offsetMs = offsetMs;
        this.lastMs = lastMs;
    }

    /**
     * The system wall clock: the one source of wall time in the engine. Besides ingest times, only
     * bookkeeping outside the state reads it (backup manifests, journal-file retention, the folder lock).
     */
    public static LongSupplier systemWall() {
        return System::currentTimeMillis;
    }

    /** Ingest time now, without journaling anything (for validation). */
    public long peekMs() {
        return Math.max(wallMs.getAsLong() + offsetMs, lastMs);
    }

    /** Takes the ingest time for a record being journaled now. Call under the append lock. */
    public long next() {
        long t = Math.max(wallMs.getAsLong() + offsetMs, lastMs);
        lastMs = t;
        return t;
    }

    public long offsetMs() {
        return offsetMs;
    }

    /** Moves the offset forward. Call under the append lock, then journal a clock record. */
    public void advance(long ms) {
        offsetMs += ms;
    }
}
