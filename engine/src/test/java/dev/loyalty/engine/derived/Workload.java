package dev.loyalty.engine.derived;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A seeded sequence of applied events (an outcome and 0-3 ledger entries each) and the in-memory model a
 * {@link DerivedLog} must agree with: outcomes by seq, each customer's entries, and the customers' heads as a
 * processor would keep them.
 */
final class Workload {

    record Entry(String customer, long id, long seq, byte[] bytes) {
    }

    record Event(long seq, long ingestMs, byte[] outcome, List<Entry> entries) {
    }

    final List<Event> events;

    Workload(long seed, int count, int customers) {
        SplittableRandom r = new SplittableRandom(seed);
        events = new ArrayList<>(count);
        Map<String, Long> nextId = new HashMap<>();
        long seq = r.nextInt(5);
        long ingestMs = 1_700_000_000_000L;
        for (int i = 0; i < count; i++) {
            seq += 1 + r.nextInt(3);
            ingestMs += r.nextInt(60_000);
            List<Entry> entries = new ArrayList<>();
            int n = r.nextInt(4);
            for (int k = 0; k < n; k++) {
                // a few ids outside ASCII, so that the customer's bytes differ from its chars
                int c = r.nextInt(customers);
                String customer = (c % 5 == 4 ? "kü-" : "c-") + c;
                long id = nextId.merge(customer, 1L + r.nextInt(2), Long::sum);
                entries.add(new Entry(customer, id, seq, bytes(r, 150)));
            }
            events.add(new Event(seq, ingestMs, bytes(r, 200), List.copyOf(entries)));
        }
    }

    private static byte[] bytes(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** Appends events and remembers what the log must answer; heads as the processor's customer records. */
    static final class Applier {
        final Map<String, Long> heads = new HashMap<>();
        final TreeMap<Long, Event> outcomes = new TreeMap<>();
        final Map<String, List<Entry>> ledgers = new HashMap<>();

        void apply(DerivedLog log, Event e) {
            log.appendOutcome(e.seq(), e.ingestMs(), e.outcome(), 0, e.outcome().length);
            outcomes.put(e.seq(), e);
            for (Entry en : e.entries()) {
                long prev = heads.getOrDefault(en.customer(), DerivedLog.NO_ENTRY);
                long head = log.appendLedger(prev, en.customer(), en.id(), en.seq(), en.bytes(), 0, en.bytes().length);
                heads.put(en.customer(), head);
                ledgers.computeIfAbsent(en.customer(), k -> new ArrayList<>()).add(en);
            }
        }

        /** What a snapshot keeps: the heads and the model as of now. */
        Applier copy() {
            Applier a = new Applier();
            a.heads.putAll(heads);
            a.outcomes.putAll(outcomes);
            ledgers.forEach((k, v) -> a.ledgers.put(k, new ArrayList<>(v)));
            return a;
        }

        /** The page the model gives: entries with id below {@code before}, newest first. */
        List<Entry> page(String customer, long before, int limit) {
            List<Entry> all = new ArrayList<>(ledgers.getOrDefault(customer, List.of()));
            java.util.Collections.reverse(all);
            return all.stream().filter(en -> en.id() < before).limit(limit).toList();
        }

        boolean hasOlder(String customer, long id) {
            return ledgers.getOrDefault(customer, List.of()).stream().anyMatch(en -> en.id() < id);
        }
    }

    /** Every file under {@code dir} by relative path, with its bytes. */
    static Map<String, byte[]> files(Path dir) {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The first difference between two folders' files, or null when they are byte-identical. */
    static String difference(Path a, Path b) {
        Map<String, byte[]> fa = files(a);
        Map<String, byte[]> fb = files(b);
        if (!fa.keySet().equals(fb.keySet())) {
            return "files " + fa.keySet() + " vs " + fb.keySet();
        }
        for (Map.Entry<String, byte[]> e : fa.entrySet()) {
            if (!Arrays.equals(e.getValue(), fb.get(e.getKey()))) {
                return "content of " + e.getKey();
            }
        }
        return null;
    }
}
