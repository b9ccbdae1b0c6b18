package dev.loyalty.api.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
 *   <li>CSV (RFC 4180 quoting, one record per line, UTF-8): a header line naming the columns; {@code customer}
 *       is required, {@code balance.<account>} columns hold opening balances (whole points, empty = 0),
 *       every other column is a profile attribute (text; an empty cell is left out).</li>
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
    private static final Set<String> NDJSON_FIELDS = Set.of("customer", "profile", "balances");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Format format;
    private final CountingStream counted;
    private final BufferedReader reader;
    private List<String> header;
    private long lineNumber;

    /**
     * @throws IOException when the CSV header cannot be read
     * @throws IllegalArgumentException when the CSV header is unusable (no {@code customer} column, a column twice)
     */
    public CustomerFile(InputStream in, Format format) throws IOException {
        this.format = format;
        this.counted = new CountingStream(in);
        this.reader = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8), 1 << 16);
        if (format == Format.CSV) {
            readHeader();
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
        String line = reader.readLine();
        lineNumber = 1;
        if (line == null) {
            throw new IllegalArgumentException("the CSV file is empty: its first line must name the columns");
        }
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        List<String> columns = splitCsv(line);
        if (columns == null) {
            throw new IllegalArgumentException("line 1 (the header): an unterminated quote");
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
        String line;
        do {
            line = reader.readLine();
            if (line == null) {
                return null;
            }
            lineNumber++;
        } while (line.isBlank());
        return format == Format.CSV ? csv(lineNumber, line) : ndjson(lineNumber, line);
    }

    private CustomerLine csv(long number, String line) {
        List<String> cells = splitCsv(line);
        if (cells == null) {
            return CustomerLine.unreadable(number, "an unterminated quote (a quoted value cannot span lines)");
        }
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

    /** The values of one CSV line (RFC 4180 quoting), or null when a quote is not closed. */
    static List<String> splitCsv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank() && !wasQuoted) {
                cell.setLength(0);
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
            } else if (c == '\r' && i == line.length() - 1) {
                break;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            return null;
        }
        cells.add(cell.toString());
        return cells;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    @Override
    public void close() throws IOException {
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
