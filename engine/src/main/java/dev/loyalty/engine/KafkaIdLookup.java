package dev.loyalty.engine;

import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.idempotency.IdempotencyIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The id lookup of one request on the Kafka journal, made under its ids' shard locks: which events to journal
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
        Submission[] out = new Submission[n];
        List<Submitted> toJournal = new ArrayList<>(n);
        int[] journalSlot = new int[n];
        List<String> reserved = new ArrayList<>(n);
        Map<String, Integer> firstInRequest = new HashMap<>();
        int[] duplicateSlots = new int[n];
        long[] originals = new long[n];
        int duplicates = 0;
        try {
            for (int i = 0; i < n; i++) {
                Submitted s = events.get(i);
                String id = s.event().id();
                if (id == null) {
                    journalSlot[toJournal.size()] = i;
                    toJournal.add(s);
                    continue;
                }
                Integer earlier = firstInRequest.get(id);
                IdempotencyIndex.Entry known = earlier != null ? null : ids.get(id, nowMs, retentionMs);
                if (earlier != null || known != null) {
                    long hash = earlier != null ? events.get(earlier).bodyHash() : known.bodyHash();
                    if (hash == s.bodyHash()) {
                        duplicateSlots[duplicates] = i;
                        originals[duplicates++] = earlier != null ? -1 - earlier : known.seq();
                    } else {
                        out[i] = EngineImpl.mismatch(id);
                    }
                    continue;
                }
                firstInRequest.put(id, i);
                reservations.reserve(id, ticket);
                reserved.add(id);
                journalSlot[toJournal.size()] = i;
                toJournal.add(s);
            }
        } catch (RuntimeException e) {
            // An index read failed: nothing of this request goes to the journal, so nobody may wait on its ids.
            reservations.release(reserved, ticket);
            throw e;
        }
        return new KafkaIdLookup(null, toJournal, journalSlot, reserved, Arrays.copyOf(duplicateSlots, duplicates),
                Arrays.copyOf(originals, duplicates), out);
    }
}
