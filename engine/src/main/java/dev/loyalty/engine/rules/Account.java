package dev.loyalty.engine.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * One account of one customer: its lots (sorted earliest expiry first), reserved points, debt, pending
 * points and lifetime counters. Keeps {@code Σ lots + reserved − debt = earned − spent − expired − deducted}
 * by construction: every method here moves points between exactly the buckets its name says.
 */
final class Account {

    /** Sorted by (event time, journal order), which is earliest expiry first under every policy. */
    final ArrayList<Lot> lots = new ArrayList<>();
    /** Σ of the lots' points, kept in step with {@link #lots} (derived, not serialised). */
    private long lotTotal;
    long reserved;
    long debt;
    long pending;
    long earned;
    long spent;
    long expired;
    long deducted;

    long lotPoints() {
        return lotTotal;
    }

    /** Appends a lot read back from storage, where lots come already sorted. */
    void addDecodedLot(Lot lot) {
        lots.add(lot);
        lotTotal += lot.points;
    }

    /** Removes an expired lot, moving its points to {@code expired}. */
    void expire(Lot lot) {
        lots.remove(lot);
        lotTotal -= lot.points;
        expired += lot.points;
    }

    long balance() {
        return lotPoints() + reserved - debt;
    }

    /** Balance less reserved points: the lots, or minus the debt (the two never coexist). */
    long spendable() {
        return lotPoints() - debt;
    }

    /**
     * Takes {@code points} from the lots, earliest expiry first, and returns the parts taken in that order.
     * Callers check {@link #spendable()} first, except {@link #deduct}, which turns a shortfall into debt.
     */
    List<Part> takeFromLots(long points) {
        List<Part> parts = new ArrayList<>();
        long left = points;
        while (left > 0 && !lots.isEmpty()) {
            Lot lot = lots.get(0);
            long take = Math.min(left, lot.points);
            parts.add(new Part(lot.eventTimeMs, lot.order, take));
            lot.points -= take;
            lotTotal -= take;
            left -= take;
            if (lot.points == 0) {
                lots.remove(0);
            }
        }
        if (left > 0) {
            throw new IllegalStateException("took more than the lots hold");
        }
        return parts;
    }

    /** Deducts points (point_sub, refunds of accepted points): lots first, the shortfall becomes debt. */
    void deduct(long points) {
        long fromLots = Math.min(points, lotPoints());
        if (fromLots > 0) {
            takeFromLots(fromLots);
        }
        debt += points - fromLots;
        deducted += points;
    }

    /**
     * Credits points as a lot with that event time and journal order: the debt is paid off first, the rest
     * joins the lots (merged into a lot of the very same event time and order, if one is left).
     */
    void credit(long eventTimeMs, long order, long points) {
        long pay = Math.min(debt, points);
        debt -= pay;
        long rest = points - pay;
        if (rest > 0) {
            insertLot(eventTimeMs, order, rest);
        }
    }

    /** Credits given-back parts, earliest expiry first, so that a debt is repaid by the earliest parts. */
    void creditParts(List<Part> parts) {
        for (Part p : sorted(parts)) {
            credit(p.eventTimeMs(), p.order(), p.points());
        }
    }

    private void insertLot(long eventTimeMs, long order, long points) {
        lotTotal += points;
        int lo = 0;
        int hi = lots.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Lot l = lots.get(mid);
            int c = Part.compare(l.eventTimeMs, l.order, eventTimeMs, order);
            if (c == 0) {
                l.points += points;
                return;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lots.add(lo, new Lot(eventTimeMs, order, points));
    }

    /** Parts sorted earliest expiry first, equal (event time, order) merged. */
    static List<Part> sorted(List<Part> parts) {
        List<Part> copy = new ArrayList<>(parts);
        copy.sort((a, b) -> Part.compare(a.eventTimeMs(), a.order(), b.eventTimeMs(), b.order()));
        List<Part> merged = new ArrayList<>(copy.size());
        for (Part p : copy) {
            int last = merged.size() - 1;
            if (last >= 0 && merged.get(last).eventTimeMs() == p.eventTimeMs()
                    && merged.get(last).order() == p.order()) {
                Part m = merged.get(last);
                merged.set(last, new Part(m.eventTimeMs(), m.order(), m.points() + p.points()));
            } else {
                merged.add(p);
            }
        }
        return merged;
    }

    static long total(List<Part> parts) {
        long sum = 0;
        for (Part p : parts) {
            sum += p.points();
        }
        return sum;
    }

    /**
     * Splits sorted parts: the first {@code points} (earliest expiry first) into {@code taken}, the rest into
     * {@code rest}.
     */
    static void split(List<Part> parts, long points, List<Part> taken, List<Part> rest) {
        long left = points;
        for (Part p : sorted(parts)) {
            long take = Math.min(left, p.points());
            if (take > 0) {
                taken.add(new Part(p.eventTimeMs(), p.order(), take));
                left -= take;
            }
            if (p.points() > take) {
                rest.add(new Part(p.eventTimeMs(), p.order(), p.points() - take));
            }
        }
    }
}
