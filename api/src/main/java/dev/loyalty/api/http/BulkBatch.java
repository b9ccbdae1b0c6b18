package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.Validated;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A bulk request's slots and the batch of its valid events, shared by {@code POST /events/bulk}
 * ({@link EventRoutes}) and a split bulk's own part ({@link LocalBulkPart}): invalid slots answer their
 * error and are not submitted; the valid ones go to the engine in one submit, and their slots are filled
 * from the engine's submissions, refused ones at once, journaled ones from their outcomes as they stand
 * when the answer is gathered. Used on one event loop at a time.
 */
final class BulkBatch {

    private final BulkSlot[] slots;
    private final List<Submitted> events;
    /** Slot index of each submitted event, by its place in {@link #events}. */
    private final int[] slotOf;
    private List<Submission> submissions = List.of();

    BulkBatch(BulkRead read) {
        int total = read.slots().size();
        this.slots = new BulkSlot[total];
        this.events = new ArrayList<>(total);
        this.slotOf = new int[total];
        for (int i = 0; i < total; i++) {
            ReadEvent slot = read.slots().get(i);
            Validated validated = slot.validated();
            if (validated.isOk()) {
                slotOf[events.size()] = i;
                events.add(new Submitted(validated.event(), slot.bodyHash()));
            } else {
                slots[i] = new BulkSlot.Invalid(validated.error());
            }
        }
    }

    /** The valid events, in slot order, to submit in one call. */
    List<Submitted> events() {
        return events;
    }

    /**
     * Takes the engine's submissions (one per event of {@link #events}, in order): a refused slot answers its
     * refusal; the outcome futures to wait for are added to {@code waiting}. Returns the highest journaled
     * seq, -1 when nothing was journaled.
     */
    long submitted(List<Submission> submissions, List<? super CompletableFuture<EventResult>> waiting) {
        this.submissions = submissions;
        long lastSeq = -1;
        for (int j = 0; j < submissions.size(); j++) {
            Submission s = submissions.get(j);
            if (s.refusal() != null) {
                slots[slotOf[j]] = new BulkSlot.Refused(s.refusal());
            } else {
                lastSeq = Math.max(lastSeq, s.seq());
                if (s.result() != null) {
                    waiting.add(s.result());
                }
            }
        }
        return lastSeq;
    }

    /** Every slot, the journaled ones filled from their outcomes as they stand ({@code accepted} when not applied). */
    List<BulkSlot> gather() {
        for (int j = 0; j < submissions.size(); j++) {
            Submission s = submissions.get(j);
            if (s.refusal() == null) {
                EventResult done = completed(s.result());
                slots[slotOf[j]] = done == null
                        ? new BulkSlot.Accepted(s.seq())
                        : new BulkSlot.Done(s.seq(), s.duplicate(), done);
            }
        }
        return Arrays.asList(slots);
    }

    /** The outcome if its future completed normally; null when not awaited, not done or failed. */
    static EventResult completed(CompletableFuture<EventResult> result) {
        if (result == null || !result.isDone()) {
            return null;
        }
        try {
            return result.join();
        } catch (CompletionException | CancellationException e) {
            HttpErrors.noOutcome(e);
            return null;
        }
    }
}
