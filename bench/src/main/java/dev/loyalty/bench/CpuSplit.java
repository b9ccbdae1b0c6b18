package dev.loyalty.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time and heap bytes allocated by an in-process benchmark, split by role (HTTP event loops, partition
 * processors, journal, client, other Java threads, and for CPU the rest of the process: GC, JIT, VM, RocksDB's
 * native threads), per operation between {@link #start} and {@link #print}. Thread CPU and allocation from
 * {@link com.sun.management.ThreadMXBean}, process CPU from the OS bean; threads that ended in between are missed (none do in a
 * steady benchmark). One thread only.
 */
final class CpuSplit {

    private static final String[][] ROLES = {
            {"vert.x-eventloop", "event loop"}, {"processor", "processor"}, {"journal", "journal"},
            {"jmh-worker", "client"}};

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private Map<String, Long> startNs = Map.of();
    private Map<String, Long> startBytes = Map.of();
    private long processStartNs;

    /** Snapshots every thread's CPU time now. */
    void start() {
        startNs = byRole(false);
        startBytes = byRole(true);
        processStartNs = os.getProcessCpuTime();
    }

    /** Prints µs of CPU per operation for each role since {@link #start}. */
    void print(String label, long operations) {
        if (operations <= 0) {
            return;
        }
        Map<String, Long> now = byRole(false);
        Map<String, Long> bytes = byRole(true);
        long processNs = os.getProcessCpuTime() - processStartNs;
        StringBuilder line = new StringBuilder("cpu-split ").append(label).append(" per op (us):");
        long javaNs = 0;
        for (Map.Entry<String, Long> e : now.entrySet()) {
            long ns = e.getValue() - startNs.getOrDefault(e.getKey(), 0L);
            javaNs += ns;
            line.append(String.format(" %s=%.1f", e.getKey(), ns / 1e3 / operations));
        }
        line.append(String.format(" gc+jit+vm=%.1f total=%.1f ops=%d", (processNs - javaNs) / 1e3 / operations,
                processNs / 1e3 / operations, operations));
        System.out.println(line);
        line.setLength(0);
        line.append("alloc-split ").append(label).append(" per op (bytes):");
        long allBytes = 0;
        for (Map.Entry<String, Long> e : bytes.entrySet()) {
            long b = e.getValue() - startBytes.getOrDefault(e.getKey(), 0L);
            allBytes += b;
            line.append(String.format(" %s=%d", e.getKey(), b / operations));
        }
        System.out.println(line.append(" total=").append(allBytes / operations));
    }

    /** Per role: CPU ns, or with {@code allocated} heap bytes allocated, of its live threads. */
    private Map<String, Long> byRole(boolean allocated) {
        Map<String, Long> ns = new LinkedHashMap<>();
        for (String[] role : ROLES) {
            ns.put(role[1], 0L);
        }
        ns.put("other java", 0L);
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long value = allocated ? threads.getThreadAllocatedBytes(info.getThreadId())
                    : threads.getThreadCpuTime(info.getThreadId());
            if (value > 0) {
                ns.merge(roleOf(info.getThreadName()), value, Long::sum);
            }
        }
        return ns;
    }

    private static String roleOf(String threadName) {
        for (String[] role : ROLES) {
            if (threadName.contains(role[0])) {
                return role[1];
            }
        }
        return "other java";
    }
}
