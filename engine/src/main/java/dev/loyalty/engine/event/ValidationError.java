package dev.loyalty.engine.event;

/**
 * Why a request's event was refused before the journal: always HTTP 400, with code
 * {@code malformed_json | missing_field | invalid_field | unknown_action} and a message naming the field.
 */
public record ValidationError(String code, String message) {

    public static ValidationError missing(String field) {
        return new ValidationError("missing_field", "'" + field + "' is required");
    }

    public static ValidationError invalid(String field, String why) {
        return new ValidationError("invalid_field", "'" + field + "' " + why);
    }
}
