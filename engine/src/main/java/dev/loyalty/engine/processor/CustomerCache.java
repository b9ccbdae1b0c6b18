package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.Customer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hot customers, decoded, owned by one processor thread. Least recently used entries are dropped past
 * the bound; entries are only ever committed state (write-through per batch), so dropping one is safe.
 */
final class CustomerCache extends LinkedHashMap<String, Customer> {
    private static final long serialVersionUID = 1L;
    private final int max;

    CustomerCache(int max) {
        super(Math.min(max, 1 << 16), 0.75f, true);
        this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Customer> eldest) {
        return size() > max;
    }
}
