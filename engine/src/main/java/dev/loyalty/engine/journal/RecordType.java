package dev.loyalty.engine.journal;

/** Kinds of journal record. The byte values are the on-disk format: never renumber. */
public enum RecordType {
    /** One or more client events, journaled together (a single POST or the valid slots of a bulk). */
    EVENTS(1),
    /** Moves the processors' clock while no events arrive. */
    HEARTBEAT(2),
    /** An administrator advanced the clock offset; carries the new offset. */
    CLOCK(3),
    /** The rules in force from here on, as canonical JSON. */
    RULES(4);

    private final byte code;

    RecordType(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    /** The type of that on-disk code; a code no version wrote is a corrupt journal. */
    public static RecordType of(byte code) {
        switch (code) {
            case 1: return EVENTS;
            case 2: return HEARTBEAT;
            case 3: return CLOCK;
            case 4: return RULES;
            default: throw new JournalCorruptException("unknown journal record type " + code);
        }
    }
}
