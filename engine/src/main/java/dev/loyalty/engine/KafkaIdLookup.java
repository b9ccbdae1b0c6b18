package dev.loyalty.engine;

import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.idempotency.IdClassifier;
import dev.loyalty.engine.idempotency.IdempotencyIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * The id lookup of one request on the Kafka journal, made under its ids' shard locks ({@link IdClassifier}, as on
 * Chronicle): which events to journal
 * (their new ids reserved under the request's ticket), which are duplicates of what (an earlier seq, or
 * {@code -1 - slot} of an earlier event of this request), which mismatch (answered in {@link #out}); or,
 * when another request holds a reservation of one of the ids, only that ({@link #busy}, nothing reserved).
 */
record KafkaIdLookup(KafkaIdReservations.Ticket busy, List<Submitted> toJournal, int[] journalSlot,
                     List<String> reserved, int[] duplicateSlots, long[] originals, Submission[] out) {

    static KafkaIdLookup of(List<Submitted> events, IdempotencyIndex ids, KafkaIdReservations reservations,
                            KafkaIdReservations.Ticket ticket, long nowMs, long retentionMs) {
        for (Submitted s : events) {
            String id = s.event().id();
            KafkaIdReservations.Ticket holder = id == null ? null : reservations.holder(id, ticket);
            if (holder != null) {
                return new KafkaIdLookup(holder, List.of(), new int[0], List.of(), new int[0], new long[0],
                        new Submission[0]);
            }
        }
        int n = events.size();
        List<String> reserved = new ArrayList<>(n);
        IdClassifier.Slots slots;
        try {
            slots = IdClassifier.classify(n, i -> events.get(i).event().id(), i -> events.get(i).bodyHash(), ids,
                    nowMs, retentionMs, id -> {
                        reservations.reserve(id, ticket);
                        reserved.add(id);
                    });
        } catch (RuntimeException e) {
            // An index read failed: nothing of this request goes to the journal, so nobody may wait on its ids.
            reservations.release(reserved, ticket);
            throw e;
        }
        Submission[] out = new Submission[n];
        for (int slot : slots.mismatchSlots()) {
            out[slot] = EngineImpl.mismatch(events.get(slot).event().id());
        }
        int[] journalSlot = slots.journalSlots();
        List<Submitted> toJournal = new ArrayList<>(journalSlot.length);
        for (int slot : journalSlot) {
            toJournal.add(events.get(slot));
        }
        return new KafkaIdLookup(null, toJournal, journalSlot, reserved, slots.duplicateSlots(), slots.originals(),
                out);
    }
}
