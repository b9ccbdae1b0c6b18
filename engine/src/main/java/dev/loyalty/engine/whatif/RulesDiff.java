package dev.loyalty.engine.whatif;

import dev.loyalty.engine.config.RulesConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The difference between two rule sets, in words, one sentence per change. */
public final class RulesDiff {

    private RulesDiff() {
    }

    /** Sentences describing what {@code to} changes from {@code from}; empty when they are equal. */
    public static List<String> describe(RulesConfig from, RulesConfig to) {
        List<String> out = new ArrayList<>();
        if (from.earnRate().compareTo(to.earnRate()) != 0) {
            out.add("Earn rate changes from " + from.earnRate().toPlainString() + " to " + to.earnRate().toPlainString()
                    + " points per currency unit.");
        }
        change(out, "Pending days", from.pendingDays(), to.pendingDays());
        change(out, "Default account", from.defaultAccount(), to.defaultAccount());
        change(out, "Oldest accepted backdating (days)", from.maxBackdateDays(), to.maxBackdateDays());
        change(out, "Newest accepted future time (seconds)", from.maxFutureSeconds(), to.maxFutureSeconds());
        for (RulesConfig.AccountRules a : from.accounts()) {
            RulesConfig.AccountRules b = find(to.accounts(), a.name());
            if (b == null) {
                out.add("Account '" + a.name() + "' is removed.");
            } else if (!a.equals(b)) {
                out.add("Account '" + a.name() + "' expiry changes from " + expiry(a) + " to " + expiry(b) + ".");
            }
        }
        for (RulesConfig.AccountRules b : to.accounts()) {
            if (find(from.accounts(), b.name()) == null) {
                out.add("Account '" + b.name() + "' is added (" + expiry(b) + ").");
            }
        }
        RulesConfig.TierRules ft = from.tiers();
        RulesConfig.TierRules tt = to.tiers();
        change(out, "Tier qualifying account", ft.qualifyingAccount(), tt.qualifyingAccount());
        change(out, "Tier qualifying window (days)", ft.windowDays(), tt.windowDays());
        change(out, "Tier validity (days)", ft.validityDays(), tt.validityDays());
        if (!ft.levels().equals(tt.levels())) {
            out.add("Tier ladder changes from " + ladder(ft) + " to " + ladder(tt) + ".");
        }
        if (!from.activityActions().equals(to.activityActions())) {
            out.add("Activity actions change from " + from.activityActions() + " to " + to.activityActions() + ".");
        }
        for (RulesConfig.CustomAction a : from.customActions()) {
            RulesConfig.CustomAction b = to.customAction(a.name());
            if (b == null) {
                out.add("Custom action '" + a.name() + "' is removed: its events are rejected as unknown.");
            } else if (!a.equals(b)) {
                out.add("Custom action '" + a.name() + "' changes from " + action(a) + " to " + action(b) + ".");
            }
        }
        for (RulesConfig.CustomAction b : to.customActions()) {
            if (from.customAction(b.name()) == null) {
                out.add("Custom action '" + b.name() + "' is added (" + action(b) + ").");
            }
        }
        return out;
    }

    private static void change(List<String> out, String what, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            out.add(what + " changes from " + a + " to " + b + ".");
        }
    }

    private static RulesConfig.AccountRules find(List<RulesConfig.AccountRules> list, String name) {
        for (RulesConfig.AccountRules a : list) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static String expiry(RulesConfig.AccountRules a) {
        String policy = a.expiryPolicy().name().toLowerCase(Locale.ROOT);
        switch (a.expiryPolicy()) {
            case ROLLING:
            case LAST_ACTIVITY:
                return policy + " " + a.expiryDays() + " days";
            case CALENDAR:
                return String.format(Locale.ROOT, "calendar %02d-%02d", a.calendarMonth(), a.calendarDay());
            default:
                return policy;
        }
    }

    private static String ladder(RulesConfig.TierRules t) {
        StringBuilder b = new StringBuilder();
        for (RulesConfig.Tier level : t.levels()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(level.name()).append(" ≥ ").append(level.threshold()).append(" ×")
                    .append(level.multiplier().toPlainString());
        }
        return b.toString();
    }

    private static String action(RulesConfig.CustomAction a) {
        return a.points() + " points into " + a.account() + (a.once() ? ", once" : "");
    }
}
