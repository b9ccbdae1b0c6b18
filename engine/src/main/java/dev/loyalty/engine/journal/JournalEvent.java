package dev.loyalty.engine.journal;

import dev.loyalty.engine.core.AsciiChars;
import dev.loyalty.engine.core.RuleInput;
import dev.loyalty.engine.event.EligibleValue;
import dev.loyalty.engine.event.Event;
import net.openhft.chronicle.bytes.Bytes;

import java.nio.charset.StandardCharsets;

/**
 * A reusable view of one journaled event in place ({@link EventCodec}'s layout): {@link #read} walks the bytes
 * once, keeping numbers and where each string lies; strings become {@code String}s only when asked for (action,
 * account and reason from a small cache of recent values, so the common ones allocate nothing), checkout lines
 * only as their eligible value, and the customer id stays bytes for a lookup by bytes ({@link #customerBytes}).
 * Valid while the record's bytes are (the visitor call). Owned by one thread.
 */
public final class JournalEvent implements RuleInput {

    private final StringCache cache = new StringCache();
    private Bytes<?> in;
    private byte[] scratch = new byte[256];
    private byte[] customerBytes = new byte[64];
    private int customerLength;
    private int customerHash;
    private boolean customerAscii;
    private String customer;
    private String action;
    private String account;
    private long effectiveTimeMs;
    private long points;
    private long transactionAt;
    private int transactionLength;
    private String transactionId;
    private long totalCents;
    private long eligibleCents;
    private long pointsBurned;
    private long amountCents;
    private long reasonAt;
    private int reasonLength;
    private String reason;
    private long attributesAt;
    private int attributesLength;
    private String attributes;
    private final AsciiChars attributesView = new AsciiChars();
    private final AsciiChars transactionView = new AsciiChars();

    /** Reads the event at {@code in}'s read position (written by {@link EventCodec#write}) and moves past it. */
    public JournalEvent read(Bytes<?> in) {
        this.in = in;
        byte version = in.readByte();
        if (version != EventCodec.VERSION) {
            throw new JournalCorruptException("unknown event encoding version " + version);
        }
        readCustomer(in);
        int n = length(in);
        action = n < 0 ? null : cache.get(in, in.readPosition(), n);
        skip(in, n);
        skip(in, length(in)); // idempotency id: the idempotency index reads it, not the rules
        n = length(in);
        account = n < 0 ? null : cache.get(in, in.readPosition(), n);
        skip(in, n);
        effectiveTimeMs = in.readLong();
        points = in.readLong();
        transactionLength = length(in);
        transactionAt = in.readPosition();
        transactionId = null;
        skip(in, transactionLength);
        totalCents = in.readLong();
        eligibleCents = items(in);
        pointsBurned = in.readLong();
        amountCents = in.readLong();
        reasonLength = length(in);
        reasonAt = in.readPosition();
        reason = null;
        skip(in, reasonLength);
        attributesLength = length(in);
        attributesAt = in.readPosition();
        attributes = null;
        skip(in, attributesLength);
        in.readSkip(Long.BYTES); // body hash
        return this;
    }

    /**
     * Reads only the version and customer of the event at {@code in}'s read position ({@link #customerBytes} and
     * the rest of the id's accessors; the other fields are not read), leaving the read position inside the event:
     * the caller moves on by the event's length. A look ahead at a record's customers before it is applied.
     */
    public JournalEvent readCustomerOnly(Bytes<?> in) {
        this.in = null;
        byte version = in.readByte();
        if (version != EventCodec.VERSION) {
            throw new JournalCorruptException("unknown event encoding version " + version);
        }
        readCustomer(in);
        return this;
    }

    private void readCustomer(Bytes<?> in) {
        int n = length(in);
        customer = null;
        if (n < 0) {
            throw new JournalCorruptException("event without a customer");
        }
        if (customerBytes.length < n) {
            customerBytes = new byte[Math.max(n, customerBytes.length * 2)];
        }
        in.read(customerBytes, 0, n);
        int h = 0;
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            byte b = customerBytes[i];
            ascii &= b >= 0;
            h = 31 * h + b;
        }
        customerLength = n;
        customerHash = h;
        customerAscii = ascii;
    }

    /** Eligible cents of the lines as {@link EligibleValue#cents} computes them; the total when there are none. */
    private long items(Bytes<?> in) {
        int count = (int) in.readStopBit();
        if (count < 0) {
            return totalCents == Event.ABSENT ? 0 : totalCents;
        }
        long sum = 0;
        boolean invalid = false;
        for (int i = 0; i < count; i++) {
            skip(in, length(in)); // product id
            long line = lineCents(in.readLong(), in.readLong(), in.readLong());
            if (line < 0) {
                invalid = true;
            } else if (!invalid) {
                long s = sum + line;
                if (((sum ^ s) & (line ^ s)) < 0) {
                    invalid = true;
                }
                sum = s;
            }
        }
        return invalid ? EligibleValue.INVALID : sum;
    }

    /** {@link EligibleValue#lineCents} of one line's numbers. */
    private static long lineCents(long priceCents, long quantity, long discountCents) {
        try {
            long line = Math.subtractExact(Math.multiplyExact(priceCents, quantity), discountCents);
            return line < 0 ? EligibleValue.INVALID : line;
        } catch (ArithmeticException overflow) {
            return EligibleValue.INVALID;
        }
    }

    private static int length(Bytes<?> in) {
        long n = in.readStopBit();
        if (n > in.readRemaining()) {
            throw new JournalCorruptException("string length " + n + " beyond the record");
        }
        return (int) n;
    }

    private static void skip(Bytes<?> in, int n) {
        if (n > 0) {
            in.readSkip(n);
        }
    }

    /** The customer id's UTF-8 bytes ({@link #customerLength} of them); valid until the next {@link #read}. */
    public byte[] customerBytes() {
        return customerBytes;
    }

    public int customerLength() {
        return customerLength;
    }

    /** The id's {@link String#hashCode()} when {@link #customerAscii()} (then one byte is one char). */
    public int customerHash() {
        return customerHash;
    }

    /** True when the id is ASCII, so {@link #customerHash} and a char-by-byte comparison hold. */
    public boolean customerAscii() {
        return customerAscii;
    }

    /** Gives the customer id as a string already held (the table's), sparing a copy. */
    public void customer(String id) {
        customer = id;
    }

    @Override
    public String customer() {
        if (customer == null) {
            customer = new String(customerBytes, 0, customerLength, StandardCharsets.UTF_8);
        }
        return customer;
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public String account() {
        return account;
    }

    @Override
    public long effectiveTimeMs() {
        return effectiveTimeMs;
    }

    @Override
    public long points() {
        return points;
    }

    @Override
    public String transactionId() {
        if (transactionId == null && transactionLength >= 0) {
            transactionId = string(transactionAt, transactionLength);
        }
        return transactionId;
    }

    @Override
    public long eligibleCents() {
        return eligibleCents;
    }

    @Override
    public long pointsBurned() {
        return pointsBurned;
    }

    @Override
    public long amountCents() {
        return amountCents;
    }

    @Override
    public String reason() {
        if (reason == null && reasonLength >= 0) {
            reason = cache.get(in, reasonAt, reasonLength);
        }
        return reason;
    }

    @Override
    public String attributesJson() {
        if (attributes == null && attributesLength >= 0) {
            attributes = string(attributesAt, attributesLength);
        }
        return attributes;
    }

    /**
     * The transaction id as a view of its bytes when they are ASCII (the API allows no other), valid until the next
     * {@link #read}: a checkout finds, stores and logs it without a string per event; else {@link #transactionId()}.
     */
    @Override
    public CharSequence transactionIdChars() {
        if (transactionId != null || transactionLength < 0) {
            return transactionId;
        }
        return view(transactionView, transactionAt, transactionLength) ? transactionView : transactionId();
    }

    /**
     * The attributes as a view of their bytes when they are ASCII (as the API stores them: compact JSON, so a
     * profile merge reads them without a string per event), valid until the next {@link #read}; else
     * {@link #attributesJson()}.
     */
    @Override
    public CharSequence attributesChars() {
        if (attributes != null || attributesLength < 0) {
            return attributes;
        }
        return view(attributesView, attributesAt, attributesLength) ? attributesView : attributesJson();
    }

    /** Fills {@code view} with those bytes; false when they are not all ASCII. */
    private boolean view(AsciiChars view, long at, int n) {
        byte[] b = view.room(n);
        in.read(at, b, 0, n);
        view.length(n);
        return AsciiChars.ascii(b, n);
    }

    /** A new string of those bytes (the string's own array is the only copy kept). */
    private String string(long at, int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        in.read(at, scratch, 0, n);
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }
}
