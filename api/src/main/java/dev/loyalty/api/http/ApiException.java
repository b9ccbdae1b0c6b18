package dev.loyalty.api.http;

import dev.loyalty.engine.event.ValidationError;

/** A request refused with an api.md status and error code; thrown on an event loop, answered by {@link HttpErrors}. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** 400 with the validator's code and message. */
    public static ApiException of(ValidationError error) {
        return new ApiException(400, error.code(), error.message());
    }

    /** 400 invalid_field; the message starts with the field name, as the validator's do. */
    public static ApiException invalidField(String field, String why) {
        return of(ValidationError.invalid(field, why));
    }

    /** 400 missing_field. */
    public static ApiException missingField(String field) {
        return of(ValidationError.missing(field));
    }
}
