package dev.loyalty.engine.cluster;

/**
 * The node that owns a partition now.
 *
 * @param nodeId its {@code cluster.node-id}
 * @param url    its {@code cluster.advertised-url}, or null when it has none (it cannot be forwarded to)
 * @param local  true when it is this node
 */
public record Owner(String nodeId, String url, boolean local) {
}
