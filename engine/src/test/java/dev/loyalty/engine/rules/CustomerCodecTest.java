package dev.loyalty.engine.rules;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.loyalty.engine.rules.Harness.DAY;
import static dev.loyalty.engine.rules.Harness.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary form of a customer: every field round-trips, deterministically, and corruption is refused. */
class CustomerCodecTest {

    /** A customer with every kind of state: debt, lots, reservations, spends, checkouts in each status. */
    private static Harness rich() {
        Harness h = new Harness();
        h.apply(T0, Ev.of("opt_in").attributes("{\"name\":\"Zoë ✓\"}"));
        h.apply(T0, Ev.of("point_add").points(2000));
        h.apply(T0, Ev.of("point_add").points(30).account("bonus"));
        h.apply(T0, Ev.of("point_sub").points(100).account("bonus")); // debt 70 in bonus
        h.apply(T0, Ev.of("point_spend").points(10).txn("S1"));
        h.apply(T0, Ev.of("point_spend").points(10).txn("S2"));
        h.apply(T0, Ev.of("point_unspend").txn("S2"));
        h.apply(T0, Ev.of("reserve_points").txn("R1").points(40));
        h.apply(T0, Ev.of("reserve_points").txn("R2").points(5));
        h.apply(T0, Ev.of("release_points").txn("R2"));
        h.apply(T0, Ev.of("checkout").txn("A").total(10000).burned(20)); // pending
        h.apply(T0, Ev.of("checkout").txn("B").total(5000));
        h.apply(T0, Ev.of("checkout_accept").txn("B")); // accepted
        h.apply(T0, Ev.of("checkout").txn("C").total(5000));
        h.apply(T0, Ev.of("checkout_reject").txn("C")); // rejected
        h.apply(T0, Ev.of("checkout").txn("D").total(5000));
        h.apply(T0, Ev.of("partial_refund").txn("D").amount(1234)); // partly refunded
        h.apply(T0, Ev.of("checkout").txn("E").total(5000));
        h.apply(T0, Ev.of("refund").txn("E")); // refunded
        h.apply(T0, Ev.of("newsletter_signup"));
        h.customer.indexedDueMs(T0 + 14 * DAY);
        return h;
    }

    @Test
    void shouldRoundTripEveryFieldOfARichCustomer() {
        Harness h = rich();
        assertThat(h.view().tier()).isEqualTo("silver");
        byte[] bytes = CustomerCodec.encode(h.customer);
        Customer copy = CustomerCodec.decode(bytes);
        assertThat(CustomerCodec.encode(copy)).isEqualTo(bytes);
        assertThat(h.rules.view(copy, T0)).isEqualTo(h.view());
        assertThat(copy.indexedDueMs()).isEqualTo(T0 + 14 * DAY);
        assertThat(copy.attributesJson).isEqualTo("{\"name\":\"Zoë ✓\"}");
        assertThat(copy.ledgerEntries()).isEqualTo(h.customer.ledgerEntries());
        assertThat(h.rules.nextDueMs(copy)).isEqualTo(h.rules.nextDueMs(h.customer));

        // the copy behaves like the original from here on
        Harness other = rich();
        other.reload();
        for (Harness x : new Harness[] {h, other}) {
            x.apply(T0 + 20 * DAY, Ev.of("point_unspend").txn("S1"));
            x.apply(T0 + 20 * DAY, Ev.of("partial_refund").txn("D").amount(1000));
            x.apply(T0 + 20 * DAY, Ev.of("checkout").txn("R1").total(100).burned(10));
            x.apply(T0 + 20 * DAY, Ev.of("newsletter_signup"));
        }
        assertThat(CustomerCodec.encode(other.customer)).isEqualTo(CustomerCodec.encode(h.customer));
        assertThat(other.ledger).isEqualTo(h.ledger);
    }

    @Test
    void shouldRoundTripBlankCustomerWithDefaults() {
        Customer blank = new Customer("c-9", 2);
        assertThat(blank.indexedDueMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(blank.lastActivityAtMs()).isEqualTo(Long.MIN_VALUE);
        Customer copy = CustomerCodec.decode(CustomerCodec.encode(blank));
        assertThat(copy.id()).isEqualTo("c-9");
        assertThat(copy.exists()).isFalse();
        assertThat(copy.active()).isFalse();
        assertThat(copy.indexedDueMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(CustomerCodec.encode(copy)).isEqualTo(CustomerCodec.encode(blank));
    }

    @Test
    void shouldRefuseCorruptBytes() {
        byte[] bytes = CustomerCodec.encode(rich().customer);
        assertThatThrownBy(() -> CustomerCodec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CustomerCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] wrongVersion = bytes.clone();
        wrongVersion[0] = 99;
        assertThatThrownBy(() -> CustomerCodec.decode(wrongVersion)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CustomerCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
