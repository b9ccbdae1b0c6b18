package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.core.CoreCustomerCodec;
import dev.loyalty.engine.core.CustomerTable;
import dev.loyalty.engine.core.ReferenceCustomerEncoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Snapshot bytes of the core v2: equal histories give equal bytes whatever the table's internal layout
 * (reloaded or not along the way), and a truncated or padded record is refused without leaving a row behind.
 */
class CoreCustomerCodecTest {

    private final CoreDifferentialPropertiesTest generators = new CoreDifferentialPropertiesTest();

    @Provide
    Arbitrary<List<CoreDifferentialPropertiesTest.Step>> journal() {
        return generators.journal();
    }

    @Provide
    Arbitrary<CoreDifferentialPropertiesTest.Setup> setups() {
        return generators.setups();
    }

    @Property(tries = 100)
    void shouldGiveEqualBytesForEqualHistoriesWithOrWithoutReloads(
            @ForAll("journal") List<CoreDifferentialPropertiesTest.Step> steps,
            @ForAll("setups") CoreDifferentialPropertiesTest.Setup setup) {
        List<CoreDifferentialPropertiesTest.Step> noReloads = new ArrayList<>();
        List<CoreDifferentialPropertiesTest.Step> reloadEachStep = new ArrayList<>();
        for (CoreDifferentialPropertiesTest.Step s : steps) {
            if (s.action() != 20) {
                noReloads.add(s);
                reloadEachStep.add(s);
                reloadEachStep.add(new CoreDifferentialPropertiesTest.Step(20, 0, 0, 0, 0));
            }
        }
        DualHarness kept = CoreDifferentialPropertiesTest.run(setup, noReloads);
        DualHarness reloaded = CoreDifferentialPropertiesTest.run(setup, reloadEachStep);
        for (String id : kept.customers.keySet()) {
            byte[] bytes = kept.codec.encode(kept.table, kept.table.find(id));
            assertThat(reloaded.codec.encode(reloaded.table, reloaded.table.find(id))).as(id).isEqualTo(bytes);
        }
    }

    /**
     * The tuned encoder (one buffer, ids from the table's chars) writes the stored format's bytes exactly, as the
     * plain field-by-field {@link ReferenceCustomerEncoder} does, for every customer of random histories.
     */
    @Property(tries = 100)
    void shouldWriteTheReferenceBytes(@ForAll("journal") List<CoreDifferentialPropertiesTest.Step> steps,
                                      @ForAll("setups") CoreDifferentialPropertiesTest.Setup setup) {
        List<CoreDifferentialPropertiesTest.Step> noReloads = new ArrayList<>();
        for (CoreDifferentialPropertiesTest.Step s : steps) {
            if (s.action() != 20) {
                noReloads.add(s);
            }
        }
        DualHarness h = CoreDifferentialPropertiesTest.run(setup, noReloads);
        ReferenceCustomerEncoder reference = new ReferenceCustomerEncoder(h.config.customActions());
        for (String id : h.customers.keySet()) {
            int slot = h.table.find(id);
            assertThat(h.codec.encode(h.table, slot)).as(id).isEqualTo(reference.encode(h.table, slot));
        }
    }

    @Property(tries = 50)
    void shouldRefuseTruncatedOrPaddedRecordsWithoutKeepingARow(
            @ForAll("journal") List<CoreDifferentialPropertiesTest.Step> steps) {
        DualHarness h = CoreDifferentialPropertiesTest.run(
                new CoreDifferentialPropertiesTest.Setup(ExpiryPolicy.ROLLING, ExpiryPolicy.NONE, 14, "1", 365),
                steps);
        byte[] bytes = h.codec.encode(h.table, h.table.find("c1"));
        CoreCustomerCodec codec = new CoreCustomerCodec(h.config.customActions());
        CustomerTable table = new CustomerTable(4, h.config.accounts().size());
        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> codec.decode(truncated, table)).isInstanceOf(IllegalArgumentException.class);
            assertThat(table.size()).isZero();
        }
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> codec.decode(padded, table)).isInstanceOf(IllegalArgumentException.class);
        assertThat(table.size()).isZero();
        int slot = codec.decode(bytes, table);
        assertThat(codec.encode(table, slot)).isEqualTo(bytes);
        assertThat(table.dirty(slot)).as("a customer read from storage is clean").isFalse();
    }
}
