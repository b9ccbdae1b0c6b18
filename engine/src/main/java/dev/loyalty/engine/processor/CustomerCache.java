package dev.loyalty.engine.processor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hot customers as their stored bytes (the very value committed to the state store), owned by one
 * processor thread. Least recently used entries are dropped past the bound; entries are only ever
 * committed state (write-through per batch), so dropping one is safe.
 *
 * <p>Bytes rather than decoded customers: a load decodes a fresh customer that dies young once its batch
 * is committed, so the collector never traces or copies long-lived, constantly mutated object graphs (the
 * decoded cache cost a third of a core in G1 refinement and young-pause copying under load), and an entry
 * takes a few hundred bytes instead of a few kilobytes.
 */
final class CustomerCache extends LinkedHashMap<String, byte[]> {
    private static final long serialVersionUID = 1L;
    private final int max;

    CustomerCache(int max) {
        super(Math.min(max, 1 << 16), 0.75f, true);
        this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
        return size() > max;
    }
}
