package dev.loyalty.engine.whatif;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.RulesConfig;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The rules of a what-if scenario: the journaled rules in force at {@code --from}, with the {@code rules:}
 * section of the scenario file merged over them by the configuration loader (maps key by key, lists whole,
 * {@code ~} removes), validated with the same messages as at start.
 */
public final class ScenarioRules {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ScenarioRules() {
    }

    /**
     * Loads the scenario rules.
     *
     * @param shippedDefaults text of the shipped defaults (its {@code rules:} section is replaced by {@code base})
     * @param base            the rules the scenario starts from
     * @param file            the scenario file ({@code --config} layout; only its {@code rules:} are used)
     * @throws ConfigException naming every bad key, as at start
     */
    public static RulesConfig load(String shippedDefaults, RulesConfig base, Path file) {
        ObjectNode tree;
        try {
            tree = (ObjectNode) YAML.readTree(shippedDefaults);
            tree.set("rules", toYaml(base));
            String layered = YAML.writeValueAsString(tree);
            return ConfigLoader.load(layered, file, null, null).rules();
        } catch (JsonProcessingException | ClassCastException e) {
            throw new ConfigException("shipped defaults cannot be read: " + e.getMessage());
        }
    }

    /** The rules in the layout of the configuration file. */
    static ObjectNode toYaml(RulesConfig r) {
        ObjectNode rules = NODES.objectNode();
        rules.put("default-account", r.defaultAccount());
        ObjectNode accounts = rules.putObject("accounts");
        for (RulesConfig.AccountRules a : r.accounts()) {
            ObjectNode expiry = accounts.putObject(a.name()).putObject("expiry");
            expiry.put("policy", a.expiryPolicy().name().toLowerCase(Locale.ROOT));
            expiry.put("days", a.expiryDays());
            expiry.put("calendar-day", String.format(Locale.ROOT, "%02d-%02d", a.calendarMonth(), a.calendarDay()));
        }
        rules.put("max-backdate", r.maxBackdateDays() + "d");
        rules.put("max-future", r.maxFutureSeconds() + "s");
        ObjectNode earn = rules.putObject("earn");
        earn.put("rate", r.earnRate());
        earn.put("pending-days", r.pendingDays());
        ObjectNode tiers = rules.putObject("tiers");
        tiers.put("qualifying-account", r.tiers().qualifyingAccount());
        tiers.put("window", r.tiers().windowDays() + "d");
        tiers.put("validity", r.tiers().validityDays() + "d");
        ArrayNode levels = tiers.putArray("levels");
        for (RulesConfig.Tier t : r.tiers().levels()) {
            levels.addObject().put("name", t.name()).put("threshold", t.threshold()).put("multiplier", t.multiplier());
        }
        ArrayNode activity = rules.putArray("activity-actions");
        r.activityActions().forEach(activity::add);
        ObjectNode custom = rules.putObject("custom-actions");
        for (RulesConfig.CustomAction c : r.customActions()) {
            custom.putObject(c.name()).put("points", c.points()).put("account", c.account()).put("once", c.once());
        }
        return rules;
    }
}
