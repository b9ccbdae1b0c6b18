package dev.loyalty.engine.metrics;

import java.util.Locale;

/** The kinds of journal write that can fail; the {@code operation} tag of the write-failure counter. */
public enum JournalWrite {
    /** Appending a record of events (a request was answered 503). */
    EVENTS,
    /** Appending a heartbeat (the processors' clock stops moving while no events arrive). */
    HEARTBEAT,
    /** Appending a clock record ({@code POST /admin/clock}). */
    CLOCK,
    /** Syncing the journal to disk ({@code journal.sync: batch}). */
    SYNC;

    /** The tag value. */
    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
