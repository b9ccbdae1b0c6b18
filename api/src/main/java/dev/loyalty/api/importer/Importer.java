package dev.loyalty.api.importer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.api.http.BodyHash;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.rules.EventOutcome;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Turns import lines into journaled events, exactly as if they had been posted: per customer an
 * {@code opt_in} with the profile attributes, then per non-zero opening balance a {@code point_add}
 * ({@code point_sub} for a negative one, a debt) with reason {@value #REASON}. Every event carries an
 * idempotency id derived from the line ({@code import:<customer>:opt_in},
 * {@code import:<customer>:opening:<account>}), so running the same import again changes nothing and
 * reports the lines as already imported, and a run that stopped half-way completes on the next one. The
 * {@code opt_in}'s idempotency hash covers the whole line: a line changed since an earlier run is refused
 * whole.
 *
 * <p>Lines go to the engine in chunks, in two steps: first the chunk's {@code opt_in}s, then, for the
 * customers whose {@code opt_in} applied, their opening balances. A customer that already existed
 * (created otherwise, or by an import older than {@code idempotency.retention}) is rejected whole, so
 * that its balances are never added twice. A line is checked whole (every event validated) before
 * anything of it is journaled. Backpressure (429) is waited out and retried; the engine refusing the
 * journal (503) ends the import. Without an engine (a dry run) lines are only read and validated.
 * Single-threaded.
 */
public final class Importer {

    /** Reason of the opening-balance events. */
    public static final String REASON = "opening balance";
    private static final long OUTCOME_TIMEOUT_S = 300;
    private static final long MAX_BACKOFF_MS = 1000;

    /** A line that was not imported, and why. */
    public record Rejection(long line, String reason) {
    }

    /** What an import did; rejections beyond the first {@code keepRejections} are counted only. */
    public static final class Summary {
        private final int keepRejections;
        private final List<Rejection> rejections = new ArrayList<>();
        long lines;
        long imported;
        long alreadyImported;
        long rejected;
        long eventsJournaled;
        long firstSeq = -1;
        long lastSeq = -1;
        long retries;

        Summary(int keepRejections) {
            this.keepRejections = keepRejections;
        }

        void reject(long line, String reason) {
            rejected++;
            if (rejections.size() < keepRejections) {
                rejections.add(new Rejection(line, reason));
            }
        }

        /** Lines read (blank lines not counted). */
        public long lines() {
            return lines;
        }

        /** Customers created by this run (dry run: lines that would be imported). */
        public long imported() {
            return imported;
        }

        /** Lines an earlier import had already journaled (nothing changed, or the rest of a broken run). */
        public long alreadyImported() {
            return alreadyImported;
        }

        public long rejected() {
            return rejected;
        }

        /** The first rejections met, in line order. */
        public List<Rejection> rejections() {
            List<Rejection> sorted = new ArrayList<>(rejections);
            sorted.sort(java.util.Comparator.comparingLong(Rejection::line));
            return List.copyOf(sorted);
        }

        public long eventsJournaled() {
            return eventsJournaled;
        }

        /** Seq of the first and the last event journaled by this run; -1 when none. */
        public long firstSeq() {
            return firstSeq;
        }

        public long lastSeq() {
            return lastSeq;
        }

        /** Chunks retried after backpressure (429). */
        public long retries() {
            return retries;
        }
    }

    /** Called after each chunk with the lines read so far. */
    @FunctionalInterface
    public interface Progress {
        void linesDone(long lines);
    }

    /** The import could not go on (the journal refused, the engine failed). */
    public static final class ImportFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ImportFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One line on its way: its events, validated. */
    private static final class Pending {
        final CustomerLine line;
        final Submitted optIn;
        final List<Submitted> balances = new ArrayList<>();
        final List<String> balanceAccounts = new ArrayList<>();
        boolean duplicate;
        String problem;

        Pending(CustomerLine line, Submitted optIn) {
            this.line = line;
            this.optIn = optIn;
        }
    }

    private final LoyaltyEngine engine;
    private final EventValidator validator;
    private final LongSupplier nowMs;
    private final Set<String> accounts;
    private final int chunkLines;

    /**
     * @param engine      the running engine, or null for a dry run
     * @param validator   the engine's validator (rules in force)
     * @param accounts    configured account names
     * @param chunkLines  lines per chunk (one journal record per step of a chunk)
     */
    public Importer(LoyaltyEngine engine, EventValidator validator, LongSupplier nowMs, Set<String> accounts,
                    int chunkLines) {
        this.engine = engine;
        this.validator = validator;
        this.nowMs = nowMs;
        this.accounts = Set.copyOf(accounts);
        this.chunkLines = chunkLines;
    }

    /** Imports every line of the file. */
    public Summary run(CustomerFile file, int keepRejections, Progress progress) throws IOException {
        Summary summary = new Summary(keepRejections);
        List<Pending> chunk = new ArrayList<>(chunkLines);
        CustomerLine line;
        while ((line = file.next()) != null) {
            summary.lines++;
            Pending p = prepare(line);
            if (p.problem != null) {
                summary.reject(line.line(), p.problem);
            } else {
                chunk.add(p);
            }
            if (chunk.size() >= chunkLines) {
                importChunk(chunk, summary);
                chunk.clear();
                progress.linesDone(summary.lines);
            }
        }
        importChunk(chunk, summary);
        progress.linesDone(summary.lines);
        return summary;
    }

    /** Builds and validates the events of a line; sets the problem when any is invalid. */
    private Pending prepare(CustomerLine line) {
        if (line.problem() != null) {
            Pending p = new Pending(line, null);
            p.problem = line.problem();
            return p;
        }
        String customer = line.customer();
        long now = nowMs.getAsLong();
        ObjectNode optIn = event(customer, "opt_in", "import:" + customer + ":opt_in");
        optIn.set("data", line.profile());
        Validated v = validator.validate(optIn, now);
        Pending p = new Pending(line, v.isOk() ? new Submitted(v.event(), lineHash(optIn, line)) : null);
        if (!v.isOk()) {
            p.problem = describe(customer, v.error().message());
            return p;
        }
        for (Map.Entry<String, Long> balance : line.balances().entrySet()) {
            String account = balance.getKey();
            long points = balance.getValue();
            if (!accounts.contains(account)) {
                p.problem = "balance of '" + account + "': no such account (configured: "
                        + String.join(", ", accounts.stream().sorted().toList()) + ")";
                return p;
            }
            if (points == 0) {
                continue;
            }
            if (points == Long.MIN_VALUE) {
                p.problem = "balance of '" + account + "' is out of range";
                return p;
            }
            ObjectNode e = event(customer, points > 0 ? "point_add" : "point_sub",
                    "import:" + customer + ":opening:" + account);
            e.put("account", account);
            e.putObject("data").put("points", Math.abs(points)).put("reason", REASON);
            Validated ve = validator.validate(e, now);
            if (!ve.isOk()) {
                p.problem = describe(customer, "balance of '" + account + "': " + ve.error().message());
                return p;
            }
            p.balances.add(new Submitted(ve.event(), BodyHash.of(e)));
            p.balanceAccounts.add(account);
        }
        return p;
    }

    /**
     * The idempotency hash of a line's {@code opt_in}: over the whole line, opening balances included, so
     * that a later run with any value of the line changed is refused at the {@code opt_in} (nothing of it
     * journaled) instead of adding a balance the earlier run did not have.
     */
    private static long lineHash(ObjectNode optIn, CustomerLine line) {
        ObjectNode whole = JsonNodeFactory.instance.objectNode();
        whole.set("opt_in", optIn);
        ObjectNode balances = whole.putObject("opening_balances");
        line.balances().forEach((account, points) -> {
            if (points != 0) {
                balances.put(account, points);
            }
        });
        return BodyHash.of(whole);
    }

    private static ObjectNode event(String customer, String action, String id) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("customer", customer);
        e.put("action", action);
        e.put("id", id);
        return e;
    }

    private static String describe(String customer, String message) {
        String shown = customer.length() <= 64 ? customer : customer.substring(0, 64) + "…";
        return "customer '" + shown + "': " + message;
    }

    private void importChunk(List<Pending> chunk, Summary summary) {
        if (chunk.isEmpty()) {
            return;
        }
        if (engine == null) {
            summary.imported += chunk.size();
            return;
        }
        // Step 1: the opt_ins. Only customers this import created (now or before) get their balances.
        List<Submitted> optIns = new ArrayList<>(chunk.size());
        for (Pending p : chunk) {
            optIns.add(p.optIn);
        }
        List<Submission> first = submit(optIns, summary);
        List<Pending> withBalances = new ArrayList<>();
        List<Submitted> balances = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            Pending p = chunk.get(i);
            Submission s = first.get(i);
            if (s.refusal() != null) {
                p.problem = describe(p.line.customer(), "imported before with other data (profile or "
                        + "opening balances); nothing changed");
                continue;
            }
            p.duplicate = s.duplicate();
            EventOutcome outcome = outcome(s).outcome();
            if (!outcome.applied()) {
                p.problem = "already_opted_in".equals(outcome.error().code())
                        ? describe(p.line.customer(), "already exists (not created by this import); its opening "
                                + "balances were not added")
                        : describe(p.line.customer(), outcome.error().message());
                continue;
            }
            withBalances.add(p);
            balances.addAll(p.balances);
        }
        // Step 2: their opening balances.
        List<Submission> second = balances.isEmpty() ? List.of() : submit(balances, summary);
        int at = 0;
        for (Pending p : withBalances) {
            for (int j = 0; j < p.balances.size(); j++, at++) {
                Submission s = second.get(at);
                String account = p.balanceAccounts.get(j);
                if (s.refusal() != null) {
                    p.problem = describe(p.line.customer(), "created, but the opening balance of '" + account
                            + "' differs from an earlier import of this customer; it was not changed");
                    continue;
                }
                EventOutcome outcome = outcome(s).outcome();
                if (!outcome.applied() && p.problem == null) {
                    p.problem = describe(p.line.customer(), "created, but the opening balance of '" + account
                            + "' was rejected: " + outcome.error().message());
                }
            }
        }
        for (Pending p : chunk) {
            if (p.problem != null) {
                summary.reject(p.line.line(), p.problem);
            } else if (p.duplicate) {
                summary.alreadyImported++;
            } else {
                summary.imported++;
            }
        }
    }

    /** Submits one journal record, waiting out backpressure. */
    private List<Submission> submit(List<Submitted> events, Summary summary) {
        long backoffMs = 10;
        while (true) {
            try {
                List<Submission> out = engine.submit(events, true);
                for (Submission s : out) {
                    if (s.refusal() == null && !s.duplicate()) {
                        summary.eventsJournaled++;
                        if (summary.firstSeq < 0) {
                            summary.firstSeq = s.seq();
                        }
                        summary.lastSeq = Math.max(summary.lastSeq, s.seq());
                    }
                }
                return out;
            } catch (IngestRefusedException e) {
                if (e.status() != 429) {
                    throw new ImportFailedException("the engine refused the import: " + e.getMessage(), e);
                }
                summary.retries++;
                sleep(backoffMs);
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
    }

    private static EventResult outcome(Submission s) {
        try {
            return s.result().get(OUTCOME_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ImportFailedException("the engine failed to apply event " + s.seq() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ImportFailedException("no outcome for event " + s.seq() + " within " + OUTCOME_TIMEOUT_S + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportFailedException("interrupted", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportFailedException("interrupted", e);
        }
    }
}
