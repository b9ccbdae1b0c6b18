package dev.loyalty.engine.journal;

/**
 * The journal cannot take a record now (too little disk space, a write that faulted, closed); nothing of
 * the refused record is visible. Callers answer {@code 503} and may retry later.
 */
public final class JournalUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JournalUnavailableException(String message) {
        super(message);
    }

    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
