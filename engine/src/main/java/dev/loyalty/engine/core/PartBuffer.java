package dev.loyalty.engine.core;

/**
 * A reusable growable list of parts (event time, journal order, points): the lots a consumption took points
 * from, so that giving them back restores each lot's expiry. Scratch space of the partition thread.
 */
final class PartBuffer {

    long[] eventTimeMs = new long[8];
    long[] order = new long[8];
    long[] points = new long[8];
    int size;

    void clear() {
        size = 0;
    }

    void add(long timeMs, long ord, long pts) {
        if (size == points.length) {
            eventTimeMs = java.util.Arrays.copyOf(eventTimeMs, size * 2);
            order = java.util.Arrays.copyOf(order, size * 2);
            points = java.util.Arrays.copyOf(points, size * 2);
        }
        eventTimeMs[size] = timeMs;
        order[size] = ord;
        points[size] = pts;
        size++;
    }

    long total() {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += points[i];
        }
        return sum;
    }

    /**
     * Sorts by (event time, order) and merges equal keys, in place: the form parts are given back in, so that
     * a debt is repaid by the earliest parts. Insertion sort: part lists are short and mostly sorted already.
     */
    void sortAndMerge() {
        for (int i = 1; i < size; i++) {
            long t = eventTimeMs[i];
            long o = order[i];
            long p = points[i];
            int j = i - 1;
            while (j >= 0 && LotList.compare(eventTimeMs[j], order[j], t, o) > 0) {
                eventTimeMs[j + 1] = eventTimeMs[j];
                order[j + 1] = order[j];
                points[j + 1] = points[j];
                j--;
            }
            eventTimeMs[j + 1] = t;
            order[j + 1] = o;
            points[j + 1] = p;
        }
        int out = 0;
        for (int i = 0; i < size; i++) {
            if (out > 0 && eventTimeMs[out - 1] == eventTimeMs[i] && order[out - 1] == order[i]) {
                points[out - 1] += points[i];
            } else {
                eventTimeMs[out] = eventTimeMs[i];
                order[out] = order[i];
                points[out] = points[i];
                out++;
            }
        }
        size = out;
    }
}
