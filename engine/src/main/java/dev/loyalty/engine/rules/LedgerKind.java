package dev.loyalty.engine.rules;

/** Direction of a ledger entry (api.md, Ledger). Wire names are the lower-case enum names. */
public enum LedgerKind {
    EARN, PENDING, ACCEPT, REJECT, REFUND, SPEND, UNSPEND, RESERVE, RELEASE, EXPIRE, DEDUCT;

    private static final LedgerKind[] VALUES = values();

    /** The name used in JSON. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Inverse of {@link #ordinal()}, for codecs. */
    public static LedgerKind of(int ordinal) {
        return VALUES[ordinal];
    }
}
