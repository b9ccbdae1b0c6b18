package dev.loyalty.engine.whatif;

/**
 * Points that moved in one account during one month: {@code earned} (earn and accept entries), {@code spent}
 * (spend net of unspend), {@code expired} (expire entries). Mutable while a replay tallies it.
 */
public final class Flow {
    long earned;
    long spent;
    long expired;

    public long earned() {
        return earned;
    }

    public long spent() {
        return spent;
    }

    public long expired() {
        return expired;
    }

    void add(Flow o) {
        earned += o.earned;
        spent += o.spent;
        expired += o.expired;
    }
}
