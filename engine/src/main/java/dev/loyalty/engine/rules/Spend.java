package dev.loyalty.engine.rules;

import java.util.List;

/** A {@code point_spend} with a transaction id, remembered so that {@code point_unspend} can give it back. */
final class Spend {

    final int account;
    final long points;
    final List<Part> parts;
    boolean undone;

    Spend(int account, long points, List<Part> parts, boolean undone) {
        this.account = account;
        this.points = points;
        this.parts = List.copyOf(parts);
        this.undone = undone;
    }
}
