package dev.loyalty.engine.idempotency;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;

/**
 * Sorts the slots of one request by their idempotency ids, the same way on every journal: to journal (no id,
 * or an id neither stored nor earlier in the request), duplicate (same body as a stored id or an earlier slot
 * of the request), or mismatch (same id, other body). The caller holds the ids' shard locks ({@link IdLocks}).
 */
public final class IdClassifier {

    private static final int[] NO_SLOTS = new int[0];
    private static final long[] NO_ORIGINALS = new long[0];

    /** Told each new id as it is classified (the Kafka journal reserves it); may throw to abandon the request. */
    @FunctionalInterface
    public interface OnNew {
        void accept(String id);
    }

    /**
     * The request's slots by kind, each in slot order.
     *
     * @param journalSlots   slots to journal
     * @param duplicateSlots slots that repeat an id with the same body
     * @param originals      per duplicate slot: the original's seq, or {@code -1 - slot} of an earlier slot of
     *                       this request (its seq is known once it is journaled)
     * @param mismatchSlots  slots that repeat an id with another body (409)
     */
    public record Slots(int[] journalSlots, int[] duplicateSlots, long[] originals, int[] mismatchSlots) {
    }

    private IdClassifier() {
    }

    /**
     * Classifies {@code n} slots.
     *
     * @param idOf     the slot's id, or null
     * @param hashOf   the slot's body hash
     * @param nowMs    the ingest clock now: stored ids older than {@code retentionMs} are forgotten
     * @param onNew    told each id that will be journaled, or null
     */
    public static Slots classify(int n, IntFunction<String> idOf, IntToLongFunction hashOf, IdempotencyIndex ids,
                                 long nowMs, long retentionMs, OnNew onNew) {
        int[] journalSlots = new int[n];
        int journal = 0;
        Map<String, Integer> firstInRequest = null;
        // Allocated at the first repeat: most requests have none.
        int[] duplicateSlots = null;
        long[] originals = null;
        int duplicates = 0;
        int[] mismatchSlots = null;
        int mismatches = 0;
        for (int i = 0; i < n; i++) {
            String id = idOf.apply(i);
            if (id == null) {
                journalSlots[journal++] = i;
                continue;
            }
            Integer earlier = firstInRequest == null ? null : firstInRequest.get(id);
            IdempotencyIndex.Entry known = earlier != null ? null : ids.get(id, nowMs, retentionMs);
            if (earlier == null && known == null) {
                if (i < n - 1) { // only a later slot can repeat it: no map for a single event
                    if (firstInRequest == null) {
                        firstInRequest = new HashMap<>();
                    }
                    firstInRequest.put(id, i);
                }
                if (onNew != null) {
                    onNew.accept(id);
                }
                journalSlots[journal++] = i;
                continue;
            }
            long hash = earlier != null ? hashOf.applyAsLong(earlier) : known.bodyHash();
            if (hash == hashOf.applyAsLong(i)) {
                if (duplicateSlots == null) {
                    duplicateSlots = new int[n - i];
                    originals = new long[n - i];
                }
                duplicateSlots[duplicates] = i;
                originals[duplicates++] = earlier != null ? -1 - earlier : known.seq();
            } else {
                if (mismatchSlots == null) {
                    mismatchSlots = new int[n - i];
                }
                mismatchSlots[mismatches++] = i;
            }
        }
        return new Slots(journal == n ? journalSlots : Arrays.copyOf(journalSlots, journal),
                duplicates == 0 ? NO_SLOTS : Arrays.copyOf(duplicateSlots, duplicates),
                duplicates == 0 ? NO_ORIGINALS : Arrays.copyOf(originals, duplicates),
                mismatches == 0 ? NO_SLOTS : Arrays.copyOf(mismatchSlots, mismatches));
    }
}
