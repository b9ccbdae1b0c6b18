package dev.loyalty.engine.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.rules.TestConfigs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** The validator never throws and always answers exactly one of event or error, whatever the input. */
class EventValidatorPropertiesTest {

    private final EventValidator validator = new EventValidator(TestConfigs.defaults());

    @Provide
    Arbitrary<JsonNode> events() {
        return EventArbitraries.events();
    }

    @Property(tries = 2000)
    void shouldNeverThrowAndAnswerExactlyOneOfEventOrError(@ForAll("events") JsonNode node) {
        Validated v = validator.validate(node, 1_767_225_600_000L);
        assertThat(v).isNotNull();
        assertThat(v.event() == null).isNotEqualTo(v.error() == null);
        if (v.error() != null) {
            assertThat(v.error().code()).isIn("missing_field", "invalid_field", "unknown_action");
            assertThat(v.error().message()).isNotBlank();
            // the validator's last-resort catch must never be what answers
            assertThat(v.error().message()).doesNotContain("could not be read");
        }
    }
}
