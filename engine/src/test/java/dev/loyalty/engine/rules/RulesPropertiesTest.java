package dev.loyalty.engine.rules;

import dev.loyalty.engine.config.ExpiryPolicy;
import dev.loyalty.engine.event.Event;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Map;

import static dev.loyalty.engine.rules.Harness.DAY;
import static dev.loyalty.engine.rules.Harness.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the rules over random event sequences (random actions with plausible data, the clock
 * advancing by random steps): the balance identity, no negative balance without debt, codec round trips,
 * and replay determinism.
 */
class RulesPropertiesTest {

    static final String[] ACTIONS = {"opt_in", "opt_out", "profile", "point_add", "point_sub",
        "point_spend", "point_unspend", "checkout", "checkout_accept", "checkout_reject", "refund",
        "partial_refund", "reserve_points", "release_points", "review_written", "newsletter_signup", "tick"};

    /** One random step: an action (or a heartbeat) and its raw ingredients. */
    record Step(int action, long points, int txn, long advanceMs, long backdateMs, long cents, boolean bonus) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // weights per index of ACTIONS: opt_out rarely (it blocks what follows), checkouts and refunds often
        int[] weights = {2, 1, 1, 6, 2, 4, 3, 8, 3, 2, 3, 5, 4, 2, 1, 1, 4};
        List<Tuple.Tuple2<Integer, Integer>> choices = new java.util.ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            choices.add(Tuple.of(weights[i], i));
        }
        Arbitrary<Integer> action = Arbitraries.frequency(choices).withoutEdgeCases();
        Arbitrary<Long> points = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(1, 300)),
                Tuple.of(1, Arbitraries.longs().between(301, 5000)));
        Arbitrary<Long> advance = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(0L)),
                Tuple.of(4, Arbitraries.longs().between(1, 3 * DAY)),
                Tuple.of(2, Arbitraries.longs().between(DAY, 200 * DAY)));
        Arbitrary<Long> backdate = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0L)),
                Tuple.of(1, Arbitraries.longs().between(0, 400 * DAY)));
        Arbitrary<Step> step = Combinators.combine(action, points, Arbitraries.integers().between(0, 2), advance,
                backdate, Arbitraries.longs().between(0, 60_000), Arbitraries.of(false, false, false, true))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    private static Harness harness(ExpiryPolicy policy, int pendingDays) {
        return new Harness(TestConfigs.with(policy, policy == ExpiryPolicy.LAST_ACTIVITY ? 60 : 365, pendingDays));
    }

    /** Applies the steps (after an opt_in); checks the invariants after each when {@code check}. */
    private static void run(Harness h, List<Step> steps, boolean check, boolean reloadEachStep) {
        run(h, steps, check, reloadEachStep, false);
    }

    private static void run(Harness h, List<Step> steps, boolean check, boolean reloadEachStep,
                            boolean batchEnds) {
        long now = T0;
        h.apply(now, Ev.of("opt_in"));
        for (Step s : steps) {
            now += s.advanceMs();
            String action = ACTIONS[s.action()];
            if (action.equals("tick")) {
                h.tick(now);
            } else {
                EventOutcome outcome = h.apply(now, event(action, s, now));
                if (check) {
                    assertThat(outcome.seq()).isEqualTo(h.journal.seq);
                    if (!outcome.applied()) {
                        assertThat(outcome.effects()).isEmpty();
                    }
                }
            }
            if (check) {
                checkInvariants(h);
            }
            if (reloadEachStep) {
                h.reload();
            }
            if (batchEnds && s.points() % 3 == 0) {
                h.batchEnd();
            }
        }
    }

    static Event event(String action, Step s, long now) {
        String txn = "T" + s.txn();
        Ev e = Ev.of(action).account(s.bonus() ? "bonus" : "points");
        switch (action) {
            case "point_add":
            case "point_sub":
                e.points(s.points()).at(now - s.backdateMs());
                break;
            case "point_spend":
                e.points(1 + s.points() / 3);
                if (s.cents() % 2 == 0) {
                    e.txn(txn);
                }
                break;
            case "reserve_points":
                e.points(1 + s.points() / 3).txn(txn);
                break;
            case "checkout":
                e.txn(txn).total(s.cents()).at(now - s.backdateMs());
                if (s.cents() % 3 == 0) {
                    e.burned(1 + s.points() / 4);
                }
                break;
            case "partial_refund":
                e.txn(txn).amount(1 + s.cents() / 20);
                break;
            case "point_unspend":
            case "checkout_accept":
            case "checkout_reject":
            case "refund":
            case "release_points":
                e.txn(txn);
                break;
            case "profile":
            case "opt_in":
                e.attributes("{\"n\":" + s.points() + "}");
                break;
            default:
                break;
        }
        return e.build();
    }

    static void checkInvariants(Harness h) {
        Customer c = h.customer;
        for (int i = 0; i < c.accounts.size(); i++) {
            Account a = c.accounts.get(i);
            long lots = 0;
            Lot previous = null;
            for (Lot lot : a.lots) {
                assertThat(lot.points).as("lot points").isPositive();
                if (previous != null) {
                    assertThat(Part.compare(previous.eventTimeMs, previous.order, lot.eventTimeMs, lot.order))
                            .as("lots sorted earliest expiry first").isNegative();
                }
                previous = lot;
                lots += lot.points;
            }
            long balance = a.balance();
            assertThat(balance).as("balance = Σ lots + reserved − debt").isEqualTo(lots + a.reserved - a.debt);
            assertThat(balance).as("balance = earned − spent − expired − deducted")
                    .isEqualTo(a.earned - a.spent - a.expired - a.deducted);
            assertThat(a.debt).isNotNegative();
            assertThat(a.reserved).isNotNegative();
            assertThat(a.pending).isNotNegative();
            assertThat(a.spent).isNotNegative();
            assertThat(a.expired).isNotNegative();
            if (a.debt > 0) {
                assertThat(a.lots).as("debt and lots never coexist").isEmpty();
            } else {
                assertThat(balance).as("no negative balance without debt").isNotNegative();
                assertThat(a.spendable()).isNotNegative();
            }
            long pending = 0;
            for (Checkout co : c.checkouts.values()) {
                if (co.account == i && co.status == Checkout.Status.PENDING) {
                    pending += co.net();
                }
            }
            assertThat(a.pending).as("pending = Σ pending checkouts").isEqualTo(pending);
            long reserved = 0;
            for (Reservation r : c.reservations.values()) {
                if (r.account == i && r.open) {
                    reserved += r.points;
                }
            }
            assertThat(a.reserved).as("reserved = Σ open reservations").isEqualTo(reserved);
        }
        for (int i = 0; i < h.ledger.size(); i++) {
            assertThat(h.ledger.get(i).id()).isEqualTo(i + 1);
            assertThat(h.ledger.get(i).points()).isPositive();
        }
        assertThat(h.rules.nextDueMs(c)).as("no work left overdue").isGreaterThan(h.journal.clockMs);
        Map<String, AccountView> views = h.view().accounts();
        assertThat(views).hasSize(2);
        byte[] bytes = CustomerCodec.encode(c);
        assertThat(CustomerCodec.encode(CustomerCodec.decode(bytes))).as("codec round trip").isEqualTo(bytes);
    }

    @Property(tries = 300)
    void shouldKeepBalanceIdentityAndRoundTripAfterEveryEvent(@ForAll("steps") List<Step> steps,
                                                              @ForAll ExpiryPolicy policy,
                                                              @ForAll @IntRange(min = 0, max = 1) int pending) {
        run(harness(policy, pending * 14), steps, true, false);
    }

    @Property(tries = 200)
    void shouldGiveByteIdenticalStateWhenReplayingTheSameSequence(@ForAll("steps") List<Step> steps,
                                                                  @ForAll ExpiryPolicy policy) {
        Harness first = harness(policy, 14);
        Harness second = harness(policy, 14);
        run(first, steps, false, false);
        run(second, steps, false, false);
        assertThat(CustomerCodec.encode(second.customer)).isEqualTo(CustomerCodec.encode(first.customer));
        assertThat(second.ledger).isEqualTo(first.ledger);
    }

    @Property(tries = 200)
    void shouldBehaveTheSameWhenReloadedFromItsEncodingAfterEveryStep(@ForAll("steps") List<Step> steps,
                                                                      @ForAll ExpiryPolicy policy) {
        Harness kept = harness(policy, 14);
        Harness reloaded = harness(policy, 14);
        run(kept, steps, false, false);
        run(reloaded, steps, false, true);
        assertThat(CustomerCodec.encode(reloaded.customer)).isEqualTo(CustomerCodec.encode(kept.customer));
        assertThat(reloaded.ledger).isEqualTo(kept.ledger);
        assertThat(reloaded.view()).isEqualTo(kept.view());
    }

    @Property(tries = 200)
    void shouldNotDependOnWhereProcessorBatchesEnd(@ForAll("steps") List<Step> steps,
                                                   @ForAll ExpiryPolicy policy) {
        Harness eventsOnly = harness(policy, 14);
        Harness withBatchEnds = harness(policy, 14);
        run(eventsOnly, steps, false, false, false);
        run(withBatchEnds, steps, false, false, true);
        eventsOnly.batchEnd();
        withBatchEnds.batchEnd();
        assertThat(CustomerCodec.encode(withBatchEnds.customer)).isEqualTo(CustomerCodec.encode(eventsOnly.customer));
        assertThat(withBatchEnds.ledger).isEqualTo(eventsOnly.ledger);
    }
}
