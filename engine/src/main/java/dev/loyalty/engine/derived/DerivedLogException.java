package dev.loyalty.engine.derived;

/** A derived log cannot be read, written or brought back to its mark; the processor stops rather than guess. */
public final class DerivedLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DerivedLogException(String message) {
        super(message);
    }

    public DerivedLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
