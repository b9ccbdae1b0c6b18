package dev.loyalty.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ApiFailureModesTest}'s failure modes on the lean path of a synchronous single event (the outcome told
 * to the request's own waiter, no future): late and failed outcomes, a journal not durable in time or failing,
 * all answered as on the future path.
 */
@Timeout(120)
class ApiFailureModesLeanTest extends ApiFailureModesTest {

    @BeforeEach
    void lean() {
        engine.lean = true;
    }
}
