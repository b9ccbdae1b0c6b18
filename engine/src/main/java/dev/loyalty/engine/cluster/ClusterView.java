package dev.loyalty.engine.cluster;

/** Who owns each partition of the journal, as this node knows it (thread-safe, never blocks). */
public interface ClusterView {

    /** This node's {@code cluster.node-id}. */
    String nodeId();

    /** This node as an owner (its URL null when it has no {@code cluster.advertised-url}). */
    Owner self();

    /** The journal's partition count. */
    int partitions();

    /** The partition of a customer's events. */
    int partitionOf(String customer);

    /** True while this node owns every partition (nothing to forward). */
    boolean ownsAll();

    /** The partition's owner, or null while it has none known (a rebalance, a node that died). */
    Owner owner(int partition);

    /**
     * Reads who owns what again now, off the caller's thread: for a node told by the owner it forwarded to that
     * it no longer owns the partition. Completes (never exceptionally) once read, or failed to be.
     */
    java.util.concurrent.CompletableFuture<Void> refreshNow();
}
