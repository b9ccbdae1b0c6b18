package dev.loyalty.api.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * One line of an import file: a customer to create with its profile attributes and opening balances, or
 * the reason the line cannot be read.
 *
 * @param line      line number in the file (1-based; the CSV header is line 1)
 * @param customer  customer id as written (validated later, like any event), null when unreadable
 * @param profile   profile attributes (the {@code opt_in} data), never null
 * @param balances  account → opening balance (may be negative: a debt), in file order
 * @param problem   why the line cannot be imported, or null
 */
public record CustomerLine(long line, String customer, ObjectNode profile, Map<String, Long> balances,
                           String problem) {

    static CustomerLine unreadable(long line, String problem) {
        return new CustomerLine(line, null, null, Map.of(), problem);
    }
}
