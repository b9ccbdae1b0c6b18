package dev.loyalty.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a request's duplicate slots take their customer view (api.md, {@code POST /events/bulk}: after the
 * request's earlier events of that customer, before its later ones): right after the last event of the
 * customer journaled before the slot, else just before the first one journaled after it, else (the request
 * journals nothing of that customer) the view current when the duplicate is answered.
 */
final class DuplicatePlaces {

    /** No place in the request: the current view. */
    static final int CURRENT = -1;

    private DuplicatePlaces() {
    }

    /**
     * Places of the duplicates, one per entry of {@code duplicateSlots}: the index among the journaled
     * events, or {@link #CURRENT}; {@code after[d]} tells whether the view is taken right after that event
     * (else just before it).
     *
     * @param customers       customer of every slot of the request, in request order
     * @param journalSlots    slot of each journaled event, in journal order (increasing)
     * @param journaled       how many entries of {@code journalSlots} are used
     * @param duplicateSlots  slots answered as duplicates, increasing
     * @param after           filled: per duplicate, true for "right after", false for "just before"
     */
    static int[] of(List<String> customers, int[] journalSlots, int journaled, int[] duplicateSlots, boolean[] after) {
        int[] place = new int[duplicateSlots.length];
        Map<String, Integer> lastJournaled = new HashMap<>();
        Map<String, List<Integer>> waitingForNext = new HashMap<>();
        int j = 0;
        int d = 0;
        for (int slot = 0; slot < customers.size(); slot++) {
            String customer = customers.get(slot);
            if (j < journaled && journalSlots[j] == slot) {
                lastJournaled.put(customer, j);
                List<Integer> waiting = waitingForNext.remove(customer);
                if (waiting != null) {
                    for (int w : waiting) {
                        place[w] = j;
                        after[w] = false;
                    }
                }
                j++;
            } else if (d < duplicateSlots.length && duplicateSlots[d] == slot) {
                Integer last = lastJournaled.get(customer);
                if (last != null) {
                    place[d] = last;
                    after[d] = true;
                } else {
                    place[d] = CURRENT;
                    waitingForNext.computeIfAbsent(customer, c -> new ArrayList<>(2)).add(d);
                }
                d++;
            }
        }
        return place;
    }
}
