package dev.loyalty.engine.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every configuration problem found while loading, each line naming its key and, when the value did not come
 * from the shipped defaults, where it came from; thrown together so that one start shows them all.
 * Used by the starting thread only.
 */
final class Problems {
    /** Dotted key (no list index) → where its value was set, e.g. "set by ENGINE_API_PORT". */
    private final Map<String, String> origins = new HashMap<>();
    private final List<String> lines = new ArrayList<>();
    /** Paths (with list indexes) whose value could not be converted, so their null is not reported again. */
    private final Set<String> refused = new HashSet<>();

    void origin(String key, String where) {
        origins.put(key, where);
    }

    /** A problem already phrased in full. */
    void add(String line) {
        lines.add(line);
    }

    /** A problem with a key's value: {@code key: message (origin)}. */
    void add(String key, String message) {
        int bracket = key.indexOf('[');
        String origin = origins.get(bracket < 0 ? key : key.substring(0, bracket));
        lines.add(key + ": " + message + (origin == null ? "" : " (" + origin + ")"));
    }

    /**
     * A value that could not be converted, at a path such as {@code api.keys[0].scopes[1]}; the message names
     * the key without a trailing index (an item of a list of values is reported as the list).
     */
    void refuse(String path, String message) {
        refused.add(path);
        add(path.endsWith("]") ? path.substring(0, path.lastIndexOf('[')) : path, message);
    }

    boolean refused(String path) {
        return refused.contains(path);
    }

    int count() {
        return lines.size();
    }

    /** Throws one {@link ConfigException} listing every problem, if there is any. */
    void throwIfAny() {
        if (lines.size() == 1) {
            throw new ConfigException(lines.get(0));
        }
        if (!lines.isEmpty()) {
            throw new ConfigException(lines.size() + " configuration problems:\n  " + String.join("\n  ", lines));
        }
    }
}
