/**
 * Several engine nodes sharing the Kafka journal's partitions: the consumer group that assigns them
 * ({@link dev.loyalty.engine.cluster.GroupMembership}), who owns what and how to reach it
 * ({@link dev.loyalty.engine.cluster.OwnerDirectory}), and the cluster's meters. The engine owns the processor
 * of each assigned partition; the api layer forwards requests to owners through {@link dev.loyalty.engine.cluster.ClusterView}.
 */
package dev.loyalty.engine.cluster;
