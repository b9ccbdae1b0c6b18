package dev.loyalty.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Request bodies of a storefront's traffic (api.md, Events): 70% checkouts with 1-4 items, 10%
 * {@code point_spend}, 10% {@code opt_in} of new customers, 10% other ({@code point_add},
 * {@code review_written}, {@code profile}, {@code checkout_accept} of one of this mix's recent checkouts),
 * 2.5% each. Existing customers ({@link #customerId} 0 .. n-1, loaded beforehand with
 * {@link #preloadBulk}) are drawn uniformly; sign-ups get new ids. Transaction ids and event ids are unique
 * per mix (its tag). Not thread-safe: one instance per sending thread. bench/wrk/post-event.lua
 * mirrors this mix for wrk.
 */
public final class EventMix {

    /** What one generated event does. */
    public enum Kind {
        CHECKOUT("checkout"), POINT_SPEND("point_spend"), OPT_IN("opt_in"), POINT_ADD("point_add"),
        REVIEW_WRITTEN("review_written"), PROFILE("profile"), CHECKOUT_ACCEPT("checkout_accept");

        final String action;

        Kind(String action) {
            this.action = action;
        }

        public String action() {
            return action;
        }
    }

    private static final Kind[] OTHER = {Kind.POINT_ADD, Kind.REVIEW_WRITTEN, Kind.PROFILE, Kind.CHECKOUT_ACCEPT};
    private static final String[] COUNTRIES = {"DE", "FR", "NL", "IT", "ES", "PL", "SE", "AT"};
    /** Recent checkouts remembered for {@code checkout_accept}. */
    private static final int RECENT = 4096;

    private final long customers;
    private final String tag;
    private final boolean ids;
    private final SplittableRandom random;
    private final StringBuilder sb = new StringBuilder(512);
    private final String[] recentCustomer = new String[RECENT];
    private final String[] recentTransaction = new String[RECENT];
    /** Remembered checkouts: {@code recentCustomer[0 .. recentSize-1]}. */
    private int recentSize;
    private long counter;

    /**
     * @param customers existing customers to draw from (ids {@code c-0 .. c-(customers-1)}), at least 1
     * @param tag       unique per mix and run: prefixes transaction ids, event ids and new customer ids
     * @param ids       give every event an idempotency {@code id} (as a storefront that retries would)
     */
    public EventMix(long customers, String tag, boolean ids, long seed) {
        if (customers < 1) {
            throw new IllegalArgumentException("customers must be at least 1");
        }
        this.customers = customers;
        this.tag = tag;
        this.ids = ids;
        this.random = new SplittableRandom(seed);
    }

    /** Id of the i-th pre-loaded customer. */
    public static String customerId(long i) {
        return "c-" + i;
    }

    /** The kind of the next event, by the mix's shares. */
    public Kind nextKind() {
        int r = random.nextInt(100);
        if (r < 70) {
            return Kind.CHECKOUT;
        }
        if (r < 80) {
            return Kind.POINT_SPEND;
        }
        if (r < 90) {
            return Kind.OPT_IN;
        }
        return OTHER[random.nextInt(OTHER.length)];
    }

    /** Body of {@code POST /events}: one event of the mix. */
    public byte[] single() {
        sb.setLength(0);
        appendEvent(sb, nextKind());
        return bytes();
    }

    /** Body of {@code POST /events}: one event of that kind. */
    public byte[] single(Kind kind) {
        sb.setLength(0);
        appendEvent(sb, kind);
        return bytes();
    }

    /** Body of {@code POST /events/bulk}: {@code n} events of the mix. */
    public byte[] bulk(int n) {
        sb.setLength(0);
        sb.append("{\"events\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendEvent(sb, nextKind());
        }
        sb.append("]}");
        return bytes();
    }

    /**
     * Body of {@code POST /events/bulk} that creates customers {@code from .. from+n-1}: an {@code opt_in}
     * each, followed by a {@code point_add} of {@code points} when positive (so that spends can succeed).
     */
    public static byte[] preloadBulk(long from, int n, long points) {
        StringBuilder b = new StringBuilder(n * (points > 0 ? 160 : 90));
        b.append("{\"events\":[");
        for (long i = from; i < from + n; i++) {
            if (i > from) {
                b.append(',');
            }
            b.append("{\"customer\":\"").append(customerId(i)).append("\",\"action\":\"opt_in\",\"data\":{\"country\":\"")
                    .append(COUNTRIES[(int) (i % COUNTRIES.length)]).append("\"}}");
            if (points > 0) {
                b.append(",{\"customer\":\"").append(customerId(i))
                        .append("\",\"action\":\"point_add\",\"data\":{\"points\":").append(points)
                        .append(",\"reason\":\"welcome\"}}");
            }
        }
        b.append("]}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] bytes() {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Appends one event object of that kind. */
    public void appendEvent(StringBuilder out, Kind kind) {
        long n = ++counter;
        String customer;
        String accepted = null;
        if (kind == Kind.OPT_IN) {
            customer = "n-" + tag + "-" + n;
        } else if (kind == Kind.CHECKOUT_ACCEPT && recentSize > 0) {
            // each remembered checkout is accepted at most once: take it out
            int at = random.nextInt(recentSize);
            customer = recentCustomer[at];
            accepted = recentTransaction[at];
            recentSize--;
            recentCustomer[at] = recentCustomer[recentSize];
            recentTransaction[at] = recentTransaction[recentSize];
        } else {
            customer = customerId(random.nextLong(customers));
            if (kind == Kind.CHECKOUT_ACCEPT) {
                kind = Kind.POINT_ADD; // nothing to accept yet
            }
        }
        out.append("{\"customer\":\"").append(customer).append("\",\"action\":\"").append(kind.action).append('"');
        if (ids) {
            out.append(",\"id\":\"").append(tag).append("-e").append(n).append('"');
        }
        out.append(",\"data\":{");
        switch (kind) {
            case CHECKOUT -> {
                String tx = tag + "-t" + n;
                out.append("\"transaction_id\":\"").append(tx).append("\",\"items\":[");
                int lines = 1 + random.nextInt(4);
                for (int i = 0; i < lines; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append("{\"product_id\":\"sku-").append(random.nextInt(5000)).append("\",\"price\":");
                    money(out, 199 + random.nextInt(19_800));
                    out.append(",\"quantity\":").append(1 + random.nextInt(3));
                    if (random.nextInt(5) == 0) {
                        out.append(",\"discount\":");
                        money(out, 100);
                    }
                    out.append('}');
                }
                out.append(']');
                int slot = recentSize < RECENT ? recentSize++ : random.nextInt(RECENT);
                recentCustomer[slot] = customer;
                recentTransaction[slot] = tx;
            }
            case POINT_SPEND -> out.append("\"points\":").append(1 + random.nextInt(50))
                    .append(",\"transaction_id\":\"").append(tag).append("-s").append(n).append('"');
            case OPT_IN -> out.append("\"country\":\"").append(COUNTRIES[random.nextInt(COUNTRIES.length)])
                    .append("\",\"newsletter\":").append(random.nextBoolean());
            case POINT_ADD -> out.append("\"points\":").append(10 + random.nextInt(91))
                    .append(",\"reason\":\"goodwill\"");
            case REVIEW_WRITTEN -> out.append("\"reason\":\"review of sku-").append(random.nextInt(5000)).append('"');
            case PROFILE -> out.append("\"country\":\"").append(COUNTRIES[random.nextInt(COUNTRIES.length)])
                    .append("\",\"birthday\":\"19").append(50 + random.nextInt(50)).append("-0")
                    .append(1 + random.nextInt(9)).append("-1").append(random.nextInt(10)).append('"');
            case CHECKOUT_ACCEPT -> out.append("\"transaction_id\":\"").append(accepted).append('"');
            default -> throw new IllegalStateException("unhandled kind " + kind);
        }
        out.append("}}");
    }

    private static void money(StringBuilder out, int cents) {
        out.append(cents / 100).append('.');
        int fraction = cents % 100;
        if (fraction < 10) {
            out.append('0');
        }
        out.append(fraction);
    }
}
