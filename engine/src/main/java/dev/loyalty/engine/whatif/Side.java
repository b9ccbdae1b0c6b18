package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one replay of a what-if run (baseline or scenario).
 *
 * @param end            figures at the end of the replayed range
 * @param events         events applied or rejected
 * @param rejected       events rejected
 * @param rejectedByCode rejected events per error code (e.g. {@code unknown_action})
 * @param months         per UTC month of ingest time, oldest first
 * @param rulesAtEnd     the rules in force at the end
 */
public record Side(Figures end, long events, long rejected, Map<String, Long> rejectedByCode, List<Month> months,
                   RulesConfig rulesAtEnd) {
}
