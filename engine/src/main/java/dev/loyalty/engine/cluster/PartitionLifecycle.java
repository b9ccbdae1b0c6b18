package dev.loyalty.engine.cluster;

/** What a node does when the group gives it a partition or takes one away; called on the membership thread. */
public interface PartitionLifecycle {

    /** Opens the partition's state in this node's data folder and starts applying it from its stored offset. */
    void assigned(int partition);

    /** Stops the partition's processor and commits its state; returns once nothing of it runs any more. */
    void revoked(int partition);
}
