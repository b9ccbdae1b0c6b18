package dev.loyalty.engine.journal;

/** The journal holds something this engine cannot read, or ends before a stored position: never skipped. */
public class JournalCorruptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JournalCorruptException(String message) {
        super(message);
    }

    public JournalCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
