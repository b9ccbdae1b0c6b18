package dev.loyalty.engine.processor;

import dev.loyalty.engine.event.Event;

/** Applies events to a partition state the way its processor applies a journal record of one event each. */
final class RecordFeed {

    private RecordFeed() {
    }

    /** The ingest clock moves to the record, due work runs before and after the event, the read mark follows. */
    static void applyRecord(PartitionState state, Event e, long seq, long ingestMs) {
        state.clock.advance(ingestMs, seq);
        state.runDueWork();
        state.apply(state.load(e.customer()), e, seq, ingestMs);
        state.runDueWork();
        state.recordRead(seq, seq);
    }

    /** An event of the points account with only its customer, action and points set. */
    static Event pointsEvent(String customer, String action, long points) {
        return new Event(customer, action, null, "points", Event.ABSENT, points, null, Event.ABSENT, null,
                Event.ABSENT, Event.ABSENT, null, null);
    }
}
