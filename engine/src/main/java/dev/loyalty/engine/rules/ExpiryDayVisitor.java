package dev.loyalty.engine.rules;

/** Receives the points of one account of a customer whose lots expire on one UTC day (epoch day). */
@FunctionalInterface
public interface ExpiryDayVisitor {
    void expiring(int account, long day, long points);
}
