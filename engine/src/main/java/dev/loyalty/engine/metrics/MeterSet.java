package dev.loyalty.engine.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.List;

/**
 * The meters one engine registered, so that closing the engine takes them out of a registry that outlives
 * it (a gauge left behind would keep reading a closed engine, and a restarted engine would get the old
 * gauge back from the registry instead of its own). Thread-safe.
 */
final class MeterSet {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    MeterSet(MeterRegistry registry) {
        this.registry = registry;
    }

    MeterRegistry registry() {
        return registry;
    }

    synchronized <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    synchronized void removeAll() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
