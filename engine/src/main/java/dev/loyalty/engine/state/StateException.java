package dev.loyalty.engine.state;

/** The state store failed; the processor stops rather than answer wrongly. */
public final class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
