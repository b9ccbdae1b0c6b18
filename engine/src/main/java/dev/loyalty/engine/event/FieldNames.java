package dev.loyalty.engine.event;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The names seen so far in each open JSON object, to refuse a repeated key. Replaces Jackson's
 * {@code STRICT_DUPLICATE_DETECTION}, which allocates a set for every object of three keys or more: here
 * names (interned by the parser) are kept in one reused array and compared linearly, and only an object of
 * more than {@value #LINEAR_MAX} keys gets a set. Reused; not thread-safe.
 */
final class FieldNames {

    private static final int LINEAR_MAX = 32;
    private static final int KEEP_NAMES = 1024;

    private String[] names = new String[64];
    private int count;
    private int[] firstName = new int[8];
    private Set<?>[] bigObjects = new Set<?>[8];
    private int depth;

    void reset() {
        if (names.length > KEEP_NAMES) {
            names = new String[64]; // a hostile body's many names are not kept alive
        }
        count = 0;
        Arrays.fill(bigObjects, 0, depth, null);
        depth = 0;
    }

    void open() {
        if (depth == firstName.length) {
            firstName = Arrays.copyOf(firstName, depth * 2);
            bigObjects = Arrays.copyOf(bigObjects, depth * 2);
        }
        firstName[depth] = count;
        bigObjects[depth] = null;
        depth++;
    }

    void close() {
        depth--;
        count = firstName[depth];
        bigObjects[depth] = null;
    }

    /** Adds a name to the innermost object; false when it already has it. */
    boolean add(String name) {
        int top = depth - 1;
        @SuppressWarnings("unchecked")
        Set<String> big = (Set<String>) bigObjects[top];
        if (big != null) {
            return big.add(name);
        }
        int first = firstName[top];
        for (int i = first; i < count; i++) {
            if (names[i].equals(name)) {
                return false;
            }
        }
        if (count - first == LINEAR_MAX) {
            Set<String> set = new HashSet<>(Arrays.asList(names).subList(first, count));
            set.add(name);
            bigObjects[top] = set;
            count = first;
            return true;
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
        }
        names[count++] = name;
        return true;
    }
}
