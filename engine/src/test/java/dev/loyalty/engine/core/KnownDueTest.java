package dev.loyalty.engine.core;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.config.RulesConfig;
import dev.loyalty.engine.rules.TestConfigs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The next due time a table keeps per slot ({@link CustomerTable#dueKnown}) follows every change of its inputs: each
 * step below first has {@link CoreRules#nextDueMs} remember the value, then changes one input the way the rules or
 * the codec do, and compares with the value computed from scratch (the customer's bytes decoded into a new table).
 */
class KnownDueTest {
    private static final long DAY = 86_400_000L;

    private final RulesConfig config = TestConfigs.with(ExpiryPolicy.ROLLING, 365, 14);
    private final CustomerTable table = new CustomerTable(16, config.accounts().size());
    private final CoreCustomerCodec codec = new CoreCustomerCodec(config.customActions());
    private CoreRules rules = new CoreRules(config, table, TransactionArchive.NONE);
    private final int slot = table.create("c-1");

    @Test
    void shouldFollowEveryInputOfTheNextDueTime() {
        table.exists(slot, true);
        table.active(slot, true);
        assertFresh(Long.MAX_VALUE);

        rules.nextDueMs(slot);
        table.lots(slot, 0).insert(100 * DAY, 1, 10);
        assertFresh(465 * DAY);

        rules.nextDueMs(slot);
        table.lots(slot, 1).insert(50 * DAY, 2, 5);
        assertFresh(415 * DAY);

        rules.nextDueMs(slot);
        table.tierValidUntilMs(slot, 400 * DAY);
        assertFresh(400 * DAY);

        rules.nextDueMs(slot);
        table.transactions(slot).add(Transactions.CHECKOUT, Transactions.PENDING, "t-1", 0, 90 * DAY, 3, 1000, 10,
                true, 104 * DAY);
        assertFresh(104 * DAY);

        rules.nextDueMs(slot);
        table.lots(slot, 1).take(5, null);
        table.transactions(slot).status(0, Transactions.ACCEPTED);
        table.tierValidUntilMs(slot, CustomerTable.NONE);
        assertFresh(465 * DAY);
    }

    @Test
    void shouldFollowTheLastActivityUnderThatPolicy() {
        rules = new CoreRules(TestConfigs.with(ExpiryPolicy.LAST_ACTIVITY, 30, 14), table, TransactionArchive.NONE);
        table.exists(slot, true);
        table.lots(slot, 0).insert(10 * DAY, 1, 10);
        table.lastActivityAtMs(slot, 10 * DAY);
        assertFresh(40 * DAY);

        rules.nextDueMs(slot);
        table.lastActivityAtMs(slot, 20 * DAY);
        assertFresh(50 * DAY);
    }

    @Test
    void shouldForgetWhatOtherRulesComputedOverTheSameTable() {
        table.exists(slot, true);
        table.lots(slot, 0).insert(100 * DAY, 1, 10);
        assertFresh(465 * DAY);

        rules = new CoreRules(TestConfigs.with(ExpiryPolicy.ROLLING, 30, 14), table, TransactionArchive.NONE);
        assertFresh(130 * DAY);
    }

    @Test
    void shouldKnowNothingOfACustomerDecodedIntoAReusedSlot() {
        table.exists(slot, true);
        table.lots(slot, 0).insert(100 * DAY, 1, 10);
        assertThat(rules.nextDueMs(slot)).isEqualTo(465 * DAY);
        table.remove(slot);

        CustomerTable other = new CustomerTable(1, config.accounts().size());
        int o = other.create("c-2");
        other.exists(o, true);
        other.lots(o, 0).insert(7 * DAY, 1, 10);
        int back = codec.decode(codec.encode(other, o), table);
        assertThat(back).as("the freed slot is reused").isEqualTo(slot);
        assertThat(rules.nextDueMs(back)).isEqualTo(372 * DAY);
    }

    /** The kept answer equals a computation from scratch, and that value. */
    private void assertFresh(long expected) {
        CustomerTable scratch = new CustomerTable(1, table.accounts());
        CoreRules fresh = new CoreRules(rules.config(), scratch, TransactionArchive.NONE);
        int copy = codec.decode(codec.encode(table, slot), scratch);
        assertThat(fresh.nextDueMs(copy)).as("computed from scratch").isEqualTo(expected);
        assertThat(rules.nextDueMs(slot)).as("kept by the table").isEqualTo(expected);
    }
}
