package dev.loyalty.engine;

import dev.loyalty.engine.idempotency.IdempotencyIndex;
import dev.loyalty.engine.journal.BulkRecord;

import java.util.Arrays;

/**
 * Whether every idempotency id of a bulk is new: neither in the index (within retention) nor repeated by an
 * earlier event of the bulk. The lean bulk path's test, the common case of {@code IdClassifier} without its
 * per-request map and arrays: an open-addressing set of the bulk's ids, reused. One per submitting thread; the
 * caller holds the ids' shard locks.
 */
final class NewIds {

    private String[] table = new String[256];

    boolean allNew(BulkRecord events, IdempotencyIndex ids, long nowMs, long retentionMs) {
        int n = events.count();
        int size = table.length;
        while (size < 2 * n) {
            size *= 2;
        }
        if (size != table.length) {
            table = new String[size];
        }
        int mask = size - 1;
        try {
            for (int j = 0; j < n; j++) {
                String id = events.id(j);
                if (id == null) {
                    continue;
                }
                int k = (id.hashCode() * 0x9E3779B9) >>> 16;
                for (; ; k++) {
                    String seen = table[k & mask];
                    if (seen == null) {
                        table[k & mask] = id;
                        break;
                    }
                    if (seen.equals(id)) {
                        return false; // repeated within the bulk: a duplicate or a mismatch
                    }
                }
                if (ids.get(id, events.idHash(j, IdempotencyIndex::idHash), nowMs, retentionMs) != null) {
                    return false;
                }
            }
            return true;
        } finally {
            Arrays.fill(table, null); // the request's strings are not kept
        }
    }
}
