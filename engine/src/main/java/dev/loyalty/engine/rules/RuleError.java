package dev.loyalty.engine.rules;

/**
 * A business-rule rejection of a journaled event: nothing changed. {@code status} is the HTTP status
 * the spec gives it (404 or 409), {@code code} the error code, {@code message} human text.
 */
public record RuleError(int status, String code, String message) {

    public static RuleError notFound(String customer) {
        return new RuleError(404, "customer_not_found", "customer '" + customer + "' does not exist");
    }

    public static RuleError conflict(String code, String message) {
        return new RuleError(409, code, message);
    }
}
