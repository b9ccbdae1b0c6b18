package dev.loyalty.engine.cluster;

/** Who owns each partition of the journal, as this node knows it (thread-safe, never blocks). */
public interface ClusterView {

    /** This node's {@code cluster.node-id}. */
    String nodeId();

    /** The journal's partition count. */
    int partitions();

    /** The partition of a customer's events. */
    int partitionOf(String customer);

    /** The partition's owner, or null while it has none known (a rebalance, a node that died). */
    Owner owner(int partition);

    /** Every other node known to the group with its advertised URL (for {@code /stats}); excludes this one. */
    java.util.List<Owner> others();
}
