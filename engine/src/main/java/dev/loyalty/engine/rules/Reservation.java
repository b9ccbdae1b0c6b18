package dev.loyalty.engine.rules;

import java.util.List;

/**
 * Points held apart by {@code reserve_points} until released or burned by a checkout with the same
 * transaction id; the parts remember the lots they came from. A closed reservation keeps its transaction id
 * taken (ids are unique per customer among reservations).
 */
final class Reservation {

    final int account;
    final long points;
    final List<Part> parts;
    boolean open;

    Reservation(int account, long points, List<Part> parts, boolean open) {
        this.account = account;
        this.points = points;
        this.parts = List.copyOf(parts);
        this.open = open;
    }
}
