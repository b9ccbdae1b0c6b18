package dev.loyalty.engine.event;

/** Result of validating one event: exactly one of {@code event} and {@code error} is non-null. */
public record Validated(Event event, ValidationError error) {

    public static Validated ok(Event event) {
        return new Validated(event, null);
    }

    public static Validated fail(ValidationError error) {
        return new Validated(null, error);
    }

    public boolean isOk() {
        return error == null;
    }
}
