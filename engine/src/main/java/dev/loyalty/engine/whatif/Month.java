package dev.loyalty.engine.whatif;

import java.time.YearMonth;
import java.util.Map;

/**
 * One UTC month (of ingest time) of one side: points flow per account, and the figures at its end (after
 * the last record of the month and the work that fell due by then).
 */
public record Month(YearMonth month, Map<String, Flow> flow, Figures end) {
}
