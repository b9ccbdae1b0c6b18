package dev.loyalty.api.whatif;

import dev.loyalty.engine.whatif.CustomerDiff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes {@code customers.csv} (RFC 4180, header line): every customer whose balances or tier differ, in the
 * given order (largest absolute difference in total balance first), with both sides' tier and balance per
 * account, both totals and the difference (scenario minus baseline).
 */
public final class CustomersCsv {

    private CustomersCsv() {
    }

    /** Writes those customers into {@code file}. */
    public static void write(List<CustomerDiff> customers, Path file) {
        // Every diff of a run shares one account list (the accounts of both sides).
        Set<String> accounts = new LinkedHashSet<>();
        for (CustomerDiff d : customers) {
            if (!accounts.containsAll(d.accounts())) {
                accounts.addAll(d.accounts());
            }
        }
        List<String> header = new ArrayList<>(List.of("customer", "baseline_tier", "scenario_tier"));
        for (String a : accounts) {
            header.add("baseline_" + a);
            header.add("scenario_" + a);
        }
        header.addAll(List.of("baseline_total", "scenario_total", "difference"));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            record(out, header);
            List<Object> row = new ArrayList<>();
            for (CustomerDiff d : customers) {
                row.clear();
                row.add(d.customer());
                row.add(d.baselineTier());
                row.add(d.scenarioTier());
                long bt = 0;
                long st = 0;
                for (String a : accounts) {
                    int i = d.accounts().indexOf(a);
                    long b = i < 0 ? 0 : d.baseline()[i];
                    long s = i < 0 ? 0 : d.scenario()[i];
                    bt += b;
                    st += s;
                    row.add(b);
                    row.add(s);
                }
                row.add(bt);
                row.add(st);
                row.add(st - bt);
                record(out, row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * One RFC 4180 record, CRLF-terminated: a field holding a comma, quote, CR or LF is quoted, its quotes
     * doubled. (Hand-written: commons-csv's SpotBugs annotations would add a warning to the -Xlint:all build.)
     */
    static void record(Writer out, List<?> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            String f = String.valueOf(fields.get(i));
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\r') >= 0 || f.indexOf('\n') >= 0) {
                out.write('"');
                out.write(f.replace("\"", "\"\""));
                out.write('"');
            } else {
                out.write(f);
            }
        }
        out.write("\r\n");
    }
}
