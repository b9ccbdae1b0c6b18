package dev.loyalty.engine.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.IntToLongFunction;

/**
 * The cluster's meters on the engine side: partitions owned, rebalances, records left to restore per
 * partition. (Forwarded requests are counted where they are forwarded, in the api layer.)
 */
public final class ClusterMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Counter rebalances;
    private final List<Meter> meters = new ArrayList<>();

    /**
     * @param owned            partitions this node owns and serves now: assigned, restored and caught up with what
     *                         they held when assigned (one being restored is not counted yet)
     * @param restoreRemaining records a partition has left to apply before it has caught up (0 when it has,
     *                         or when this node does not own it)
     */
    public ClusterMetrics(MeterRegistry registry, int partitions, IntSupplier owned, IntToLongFunction restoreRemaining) {
        this.registry = registry;
        this.rebalances = Counter.builder("loyalty_cluster_rebalances_total")
                .description("Rebalances of the consumer group this node took part in").register(registry);
        meters.add(rebalances);
        // Suppliers, not (object, function) pairs: Micrometer holds those objects weakly, and a method
        // reference nothing else holds would be collected (the gauge then reads NaN).
        meters.add(Gauge.builder("loyalty_cluster_partitions_owned", owned::getAsInt)
                .description("Journal partitions the consumer group assigned to this node that serve: restored "
                        + "and caught up since assigned (see loyalty_cluster_restore_remaining_records)")
                .register(registry));
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            meters.add(Gauge.builder("loyalty_cluster_restore_remaining_records",
                            () -> restoreRemaining.applyAsLong(partition))
                    .description("Records a newly assigned partition has left to apply before it serves "
                            + "(0 once caught up or when not owned here)")
                    .tag("partition", Integer.toString(p)).register(registry));
        }
    }

    void rebalanced() {
        rebalances.increment();
    }

    @Override
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}
