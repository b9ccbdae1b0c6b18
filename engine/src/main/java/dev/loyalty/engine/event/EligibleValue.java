package dev.loyalty.engine.event;

/** The eligible value of a checkout in cents: Σ(price × quantity − discount) of its items, else its total. */
public final class EligibleValue {

    /** Returned when the value does not fit in a long or a line is negative. */
    public static final long INVALID = -1;

    private EligibleValue() {
    }

    /** Eligible cents of the event (items win over total), 0 when it has neither, {@link #INVALID} on overflow. */
    public static long cents(Event event) {
        if (event.items() != null) {
            long sum = 0;
            for (Event.Item item : event.items()) {
                long line = lineCents(item);
                if (line < 0) {
                    return INVALID;
                }
                try {
                    sum = Math.addExact(sum, line);
                } catch (ArithmeticException overflow) {
                    return INVALID;
                }
            }
            return sum;
        }
        return event.totalCents() == Event.ABSENT ? 0 : event.totalCents();
    }

    /** price × quantity − discount in cents; negative when the line is negative or overflows. */
    public static long lineCents(Event.Item item) {
        return lineCents(item.priceCents(), item.quantity(), item.discountCents());
    }

    /** {@link #lineCents(Event.Item)} of a line's three numbers. */
    public static long lineCents(long priceCents, long quantity, long discountCents) {
        try {
            long gross = Math.multiplyExact(priceCents, quantity);
            long line = Math.subtractExact(gross, discountCents);
            return line < 0 ? INVALID : line;
        } catch (ArithmeticException overflow) {
            return INVALID;
        }
    }
}
