package dev.loyalty.bench;

import dev.loyalty.engine.event.Event;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The rules benchmarks' event mix (70% checkouts, 10% spends, 10% opt-ins, the rest adds, reviews, profiles and
 * accepts of a customer's last checkout) and the events of each kind; one per benchmark state, not thread-safe.
 */
final class EventMix {

    private final SplittableRandom random = new SplittableRandom(7);
    private final String[] lastCheckout;

    EventMix(int pool) {
        lastCheckout = new String[pool];
    }

    /** Forgets every customer's last checkout (a fresh pool); the random sequence goes on. */
    void reset() {
        Arrays.fill(lastCheckout, null);
    }

    /** The next action of the mix for that customer slot. */
    String kind(int slot) {
        int r = random.nextInt(100);
        if (r < 70) {
            return "checkout";
        }
        if (r < 80) {
            return "point_spend";
        }
        if (r < 90) {
            return "opt_in";
        }
        return switch (random.nextInt(4)) {
            case 0 -> "point_add";
            case 1 -> "review_written";
            case 2 -> "profile";
            default -> lastCheckout[slot] == null ? "point_add" : "checkout_accept";
        };
    }

    /** An event of that kind for customer {@code id} at that slot; {@code n} makes ids unique. Not opt_in. */
    Event event(String kind, int slot, String id, long n) {
        return switch (kind) {
            case "checkout" -> {
                String tx = "B" + n;
                lastCheckout[slot] = tx;
                yield Fixtures.checkout(id, tx);
            }
            case "point_spend" -> Fixtures.event(id, "point_spend", 10, "S" + n, null, null);
            case "point_add", "hot_point_add" -> Fixtures.pointAdd(id, 25);
            case "review_written" -> Fixtures.event(id, "review_written", Event.ABSENT, null, null, null);
            case "profile" -> Fixtures.event(id, "profile", Event.ABSENT, null, null, "{\"country\":\"FR\"}");
            case "checkout_accept" -> {
                String tx = lastCheckout[slot];
                lastCheckout[slot] = null;
                yield Fixtures.event(id, "checkout_accept", Event.ABSENT, tx, null, null);
            }
            default -> throw new IllegalArgumentException("unknown action " + kind);
        };
    }
}
