package dev.loyalty.engine.journal;

/** The journal was written in a format this engine does not read (an older engine's): refused, never misread. */
public final class JournalFormatException extends JournalCorruptException {
    private static final long serialVersionUID = 1L;

    private final int format;

    public JournalFormatException(int format) {
        super("the journal was written in journal format " + format + " (by an engine before journal format "
                + RecordHeader.FORMAT + "); this engine reads format " + RecordHeader.FORMAT + " only and has "
                + "changed nothing in the folder. Either keep serving this data folder with the engine version "
                + "that wrote it, or migrate it: bin/engine journal-upgrade --data DIR --into NEWDIR (an older "
                + "journal is copied record by record, seqs, times and rules kept; the state is rebuilt from it "
                + "at the new folder's first start), then serve --data NEWDIR");
        this.format = format;
    }

    /** The format the journal was written in. */
    public int format() {
        return format;
    }
}
