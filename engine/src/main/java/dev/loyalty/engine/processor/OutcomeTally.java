package dev.loyalty.engine.processor;

import dev.loyalty.engine.rules.RuleError;
import io.micrometer.core.instrument.Counter;

import java.util.Arrays;
import java.util.HashMap;

/**
 * One partition's count of processed events by (action, outcome, code) in plain fields, added to the shared
 * Micrometer counters once per batch ({@link #flush}): a {@code Counter.increment} per event was a
 * {@code DoubleAdder} update per event, shared by every partition thread. Owned by one processor thread.
 */
final class OutcomeTally {
    /** Finds (registers) the counter of one (action, outcome, code). */
    interface Counters {
        Counter counter(String action, String outcome, String code);
    }

    /** A counter and what this partition counted for it since the last flush. */
    private static final class Cell {
        final Counter counter;
        long pending;

        Cell(Counter counter) {
            this.counter = counter;
        }
    }

    private final Counters counters;
    private final HashMap<String, Cell> applied = new HashMap<>();
    private final HashMap<String, HashMap<String, Cell>> rejected = new HashMap<>();
    /** Cells with a pending count: a flush visits these only, not every (action, code) ever seen. */
    private Cell[] touched = new Cell[16];
    private int touchedCount;
    /** The last applied action's cell: most batches repeat a few actions (the action strings are cached). */
    private String lastAction;
    private Cell lastCell;

    OutcomeTally(Counters counters) {
        this.counters = counters;
    }

    /** One event of {@code action}: applied when {@code error} is null, else rejected with its code. */
    void count(String action, RuleError error) {
        Cell c;
        if (error == null) {
            if (action == lastAction) {
                c = lastCell;
            } else {
                c = applied.get(action);
                if (c == null) {
                    c = new Cell(counters.counter(action, "applied", "none"));
                    applied.put(action, c);
                }
                lastAction = action;
                lastCell = c;
            }
        } else {
            String code = error.code();
            HashMap<String, Cell> byCode = rejected.get(action);
            if (byCode == null) {
                byCode = new HashMap<>();
                rejected.put(action, byCode);
            }
            c = byCode.get(code);
            if (c == null) {
                c = new Cell(counters.counter(action, "rejected", code));
                byCode.put(code, c);
            }
        }
        if (c.pending++ == 0) {
            if (touchedCount == touched.length) {
                touched = Arrays.copyOf(touched, touchedCount * 2);
            }
            touched[touchedCount++] = c;
        }
    }

    /** Adds what was counted since the last flush to the counters (once per counter), then forgets it. */
    void flush() {
        for (int i = 0; i < touchedCount; i++) {
            Cell c = touched[i];
            c.counter.increment(c.pending);
            c.pending = 0;
            touched[i] = null;
        }
        touchedCount = 0;
    }
}
