package dev.loyalty.api.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads customers from an import file, one per line, in one of two formats.
 * <ul>
 *   <li>CSV (RFC 4180, read by Apache Commons CSV; UTF-8): a header record naming the columns; {@code customer}
 *       is required, {@code balance.<account>} columns hold opening balances (whole points, empty = 0),
 *       every other column is a profile attribute (text; an empty cell is left out). A quoted value may span
 *       lines; a record is numbered by the line it starts on. A quote never closed makes the rest of the
 *       file one unreadable record (reported, the file ends there), as does a record over
 *       {@link #MAX_RECORD_CHARS}, so a stray quote never reads a whole file into memory. Text after a
 *       closing quote is kept ({@code "a"b} is {@code ab}).</li>
 *   <li>NDJSON: one object per line, {@code {"customer": "c-1", "profile": {...}, "balances": {"points": 120}}};
 *       {@code profile} and {@code balances} are optional, other fields are refused (a typo never passes).</li>
 * </ul>
 * Blank lines are skipped. A line that cannot be read comes back with its problem; the file goes on.
 * Single-threaded.
 */
public final class CustomerFile implements AutoCloseable {

    /** The two formats. */
    public enum Format { CSV, NDJSON }

    /** Prefix of the CSV columns holding opening balances. */
    public static final String BALANCE_COLUMN = "balance.";
    /** Longest CSV record read (characters, about: the reader reads ahead). */
    public static final int MAX_RECORD_CHARS = 1 << 20;
    /** RFC 4180 as written by spreadsheets: empty lines come back as records (skipped, but counted). */
    private static final CSVFormat CSV_FORMAT = CSVFormat.RFC4180.builder().setTrailingData(true).get();
    private static final Set<String> NDJSON_FIELDS = Set.of("customer", "profile", "balances");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Format format;
    private final CountingStream counted;
    private final BufferedReader reader;
    private final CsvRecordLimit limit;
    private final CSVParser csv;
    private final Iterator<CSVRecord> records;
    private List<String> header;
    private long lineNumber;
    private boolean ended;

    /**
     * @throws IOException when the CSV header cannot be read
     * @throws IllegalArgumentException when the CSV header is unusable (no {@code customer} column, a column twice)
     */
    public CustomerFile(InputStream in, Format format) throws IOException {
        this.format = format;
        this.counted = new CountingStream(in);
        this.reader = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8), 1 << 16);
        if (format == Format.CSV) {
            this.limit = new CsvRecordLimit(reader, MAX_RECORD_CHARS);
            this.csv = CSVParser.parse(limit, CSV_FORMAT);
            this.records = csv.iterator();
            readHeader();
        } else {
            this.limit = null;
            this.csv = null;
            this.records = null;
        }
    }

    /** The format named by a file's extension ({@code .csv}, {@code .ndjson}, {@code .jsonl}), or null. */
    public static Format formatOf(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
            return Format.NDJSON;
        }
        return null;
    }

    private void readHeader() throws IOException {
        CSVRecord first;
        try {
            first = records.hasNext() ? records.next() : null;
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("line 1 (the header): " + csvProblem(e));
        }
        if (first == null) {
            throw new IllegalArgumentException("the CSV file is empty: its first line must name the columns");
        }
        List<String> columns = new ArrayList<>(first.toList());
        if (columns.get(0).startsWith("\uFEFF")) {
            columns.set(0, columns.get(0).substring(1));
        }
        List<String> trimmed = new ArrayList<>();
        for (String c : columns) {
            String name = c.trim();
            if (trimmed.contains(name)) {
                throw new IllegalArgumentException("line 1 (the header): column '" + name + "' appears twice");
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("line 1 (the header): column " + (trimmed.size() + 1)
                        + " has no name");
            }
            trimmed.add(name);
        }
        if (!trimmed.contains("customer")) {
            throw new IllegalArgumentException("line 1 (the header) has no 'customer' column; it names "
                    + trimmed);
        }
        header = List.copyOf(trimmed);
    }

    /** Accounts named by the CSV header's balance columns (empty for NDJSON, where each line names its own). */
    public List<String> headerAccounts() {
        List<String> accounts = new ArrayList<>();
        if (header != null) {
            for (String c : header) {
                if (c.startsWith(BALANCE_COLUMN)) {
                    accounts.add(c.substring(BALANCE_COLUMN.length()));
                }
            }
        }
        return accounts;
    }

    /** Bytes of the file read so far (ahead of the lines returned by up to a buffer). */
    public long bytesRead() {
        return counted.count;
    }

    /** The next customer line, or null at the end of the file. */
    public CustomerLine next() throws IOException {
        if (format == Format.CSV) {
            return nextCsv();
        }
        String line;
        do {
            line = reader.readLine();
            if (line == null) {
                return null;
            }
            lineNumber++;
        } while (line.isBlank());
        return ndjson(lineNumber, line);
    }

    private CustomerLine nextCsv() throws IOException {
        while (!ended) {
            long startLine = csv.getCurrentLineNumber() + 1;
            limit.startRecord();
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                record = records.next();
            } catch (UncheckedIOException e) {
                ended = true; // the parser cannot resume inside a broken record
                return CustomerLine.unreadable(startLine, csvProblem(e));
            }
            if (record.size() == 1 && record.get(0).isBlank()) {
                continue;
            }
            return csvLine(startLine, record);
        }
        return null;
    }

    /** What is wrong with the CSV text; a failure to read the file itself is thrown. */
    private static String csvProblem(UncheckedIOException e) throws IOException {
        if (e.getCause() instanceof CsvRecordLimit.TooLong) {
            return "a record longer than " + MAX_RECORD_CHARS + " characters (an unterminated quote?); "
                    + "the rest of the file is not read";
        }
        if (e.getCause() instanceof CSVException c) {
            return c.getMessage().contains("EOF reached before encapsulated token finished")
                    ? "an unterminated quote: the quoted value runs to the end of the file"
                    : c.getMessage();
        }
        throw e.getCause();
    }

    private CustomerLine csvLine(long number, CSVRecord cells) {
        if (cells.size() != header.size()) {
            return CustomerLine.unreadable(number, "has " + cells.size() + " values, the header names "
                    + header.size() + " columns");
        }
        String customer = null;
        ObjectNode profile = JsonNodeFactory.instance.objectNode();
        Map<String, Long> balances = new LinkedHashMap<>();
        for (int i = 0; i < cells.size(); i++) {
            String column = header.get(i);
            String value = cells.get(i);
            if (column.equals("customer")) {
                customer = value.trim();
            } else if (column.startsWith(BALANCE_COLUMN)) {
                String text = value.trim();
                if (text.isEmpty()) {
                    continue;
                }
                try {
                    balances.put(column.substring(BALANCE_COLUMN.length()), Long.parseLong(text));
                } catch (NumberFormatException e) {
                    return CustomerLine.unreadable(number, column + ": '" + abbreviate(text)
                            + "' is not a whole number of points");
                }
            } else if (!value.isEmpty()) {
                profile.put(column, value);
            }
        }
        return new CustomerLine(number, customer, profile, balances, null);
    }

    private static CustomerLine ndjson(long number, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return CustomerLine.unreadable(number, "not JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            return CustomerLine.unreadable(number, "must be a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!NDJSON_FIELDS.contains(name)) {
                return CustomerLine.unreadable(number, "unknown field '" + abbreviate(name)
                        + "' (expected customer, profile, balances)");
            }
        }
        JsonNode customer = node.get("customer");
        if (customer == null || customer.isNull()) {
            return CustomerLine.unreadable(number, "'customer' is required");
        }
        if (!customer.isTextual()) {
            return CustomerLine.unreadable(number, "'customer' must be a string");
        }
        JsonNode profile = node.get("profile");
        if (profile != null && !profile.isNull() && !profile.isObject()) {
            return CustomerLine.unreadable(number, "'profile' must be an object");
        }
        Map<String, Long> balances = new LinkedHashMap<>();
        JsonNode b = node.get("balances");
        if (b != null && !b.isNull()) {
            if (!b.isObject()) {
                return CustomerLine.unreadable(number, "'balances' must be an object of account: points");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    return CustomerLine.unreadable(number, "'balances." + abbreviate(e.getKey())
                            + "' must be a whole number of points");
                }
                balances.put(e.getKey(), v.longValue());
            }
        }
        ObjectNode attributes = profile == null || profile.isNull()
                ? JsonNodeFactory.instance.objectNode() : (ObjectNode) profile;
        return new CustomerLine(number, customer.textValue(), attributes, balances, null);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    @Override
    public void close() throws IOException {
        if (csv != null) {
            csv.close();
        }
        reader.close();
    }

    /** Counts the bytes that pass, for progress by file size. */
    private static final class CountingStream extends FilterInputStream {
        private long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
