package dev.loyalty.engine.idempotency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one classification of a request's slots both journals use, against a real index. */
class IdClassifierTest {
    private static final long RETENTION_MS = 10_000;

    @TempDir
    Path dir;

    private static IdClassifier.Slots classify(IdempotencyIndex index, String[] ids, long[] hashes, long nowMs,
                                               List<String> told) {
        return IdClassifier.classify(ids.length, i -> ids[i], i -> hashes[i], index, nowMs, RETENTION_MS,
                told == null ? null : told::add);
    }

    @Test
    void shouldSortSlotsIntoNewDuplicateAndMismatch() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            index.put("stored", new IdempotencyIndex.Entry(77, 5, 1_000, "c-1"));
            index.put("expired", new IdempotencyIndex.Entry(78, 5, -20_000, "c-1"));
            String[] ids = {null, "a", "stored", "a", "stored", "a", "expired", null};
            long[] hashes = {1, 3, 5, 3, 6, 4, 9, 1};
            List<String> told = new ArrayList<>();
            IdClassifier.Slots s = classify(index, ids, hashes, 2_000, told);
            assertThat(s.journalSlots()).containsExactly(0, 1, 6, 7);
            // slot 3 repeats slot 1 (same body), slot 2 repeats the stored seq 77
            assertThat(s.duplicateSlots()).containsExactly(2, 3);
            assertThat(s.originals()).containsExactly(77, -1 - 1);
            // slot 4: stored id, other body; slot 5: id of slot 1, other body
            assertThat(s.mismatchSlots()).containsExactly(4, 5);
            assertThat(told).as("each new id once, in order").containsExactly("a", "expired");
        }
    }

    @Test
    void shouldLeaveEverySlotToTheJournalWhenNoIdRepeats() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            IdClassifier.Slots s = classify(index, new String[] {"x", null, "y"}, new long[] {1, 2, 3}, 0, null);
            assertThat(s.journalSlots()).containsExactly(0, 1, 2);
            assertThat(s.duplicateSlots()).isEmpty();
            assertThat(s.originals()).isEmpty();
            assertThat(s.mismatchSlots()).isEmpty();
        }
    }

    @Test
    void shouldStopAtTheFirstRefusalOfANewId() {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir)) {
            List<String> seen = new ArrayList<>();
            assertThatThrownBy(() -> IdClassifier.classify(3, i -> "id-" + i, i -> 1, index, 0, RETENTION_MS, id -> {
                seen.add(id);
                if (id.equals("id-1")) {
                    throw new IllegalStateException("reservation refused");
                }
            })).hasMessage("reservation refused");
            assertThat(seen).containsExactly("id-0", "id-1");
        }
    }
}
