package dev.loyalty.engine.journal;

/**
 * The stable hash that assigns a customer to a partition ({@code hash mod partitions}). Written into
 * every journaled event so that any partition count can route without decoding the event; it must never
 * change for a given customer id (String.hashCode is specified by the JLS, the mixer is fixed here).
 */
public final class PartitionHash {

    private PartitionHash() {
    }

    /** Hash of a customer id, spread over all 32 bits. */
    public static int of(String customer) {
        int h = customer.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** Partition owning that hash among {@code partitions}. */
    public static int partition(int hash, int partitions) {
        return Math.floorMod(hash, partitions);
    }
}
