package dev.loyalty.engine.testing;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.cluster.Owner;

/** Which of several engine nodes on one Kafka topic serves a customer's partition right now, as each node knows it. */
public final class Owners {
    private Owners() {
    }

    /** The node that serves the customer's partition, or null while none of them does (a rebalance). */
    public static LoyaltyEngine ownerOf(String customer, LoyaltyEngine... nodes) {
        for (LoyaltyEngine n : nodes) {
            Owner o = n.cluster().owner(n.cluster().partitionOf(customer));
            if (o != null && o.local()) {
                return n;
            }
        }
        return null;
    }
}
