package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.Refusal;
import dev.loyalty.engine.event.ValidationError;

/** What one slot of a bulk request answers, as rendered by {@link JsonViews#bulk}. */
sealed interface BulkSlot {

    /** True when the slot holds an error (counted in the bulk's {@code errors}). */
    boolean isError();

    /** Failed validation: not journaled. */
    record Invalid(ValidationError error) implements BulkSlot {
        @Override
        public boolean isError() {
            return true;
        }
    }

    /** Refused before the journal (idempotency mismatch). */
    record Refused(Refusal refusal) implements BulkSlot {
        @Override
        public boolean isError() {
            return true;
        }
    }

    /** Journaled, outcome not awaited or not ready in time. */
    record Accepted(long seq) implements BulkSlot {
        @Override
        public boolean isError() {
            return false;
        }
    }

    /** Processed: applied, or rejected by a business rule. */
    record Done(long seq, boolean duplicate, EventResult result) implements BulkSlot {
        @Override
        public boolean isError() {
            return !result.outcome().applied();
        }
    }
}
