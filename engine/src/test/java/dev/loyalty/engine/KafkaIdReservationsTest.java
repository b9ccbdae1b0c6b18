package dev.loyalty.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reservations of ids on their way into the Kafka journal: a reserved id is another request's until
 * released, and a snapshot of the journal's end becomes checkpointable only once every ticket opened before it
 * was closed (else a crash could lose acknowledged ids the checkpoint claims).
 */
class KafkaIdReservationsTest {

    @Test
    void shouldHandAReservedIdToItsTicketOnlyUntilReleased() {
        KafkaIdReservations r = new KafkaIdReservations();
        KafkaIdReservations.Ticket a = r.open();
        KafkaIdReservations.Ticket b = r.open();
        r.reserve("id-1", a);
        assertThat(r.holder("id-1", b)).isSameAs(a);
        assertThat(r.holder("id-1", a)).isNull();
        assertThat(r.holder("id-2", b)).isNull();
        assertThat(a.done).isNotDone();
        r.release(List.of("id-1"), a);
        assertThat(r.holder("id-1", b)).isNull();
        KafkaIdReservations.wake(a);
        assertThat(a.done).isCompleted();
    }

    /**
     * Release runs under the request's shard locks; a waiter's look again takes its own shards' locks, and run
     * from there it would take them out of ascending order (a deadlock with a thread doing the reverse: seen as a
     * hang of {@code KafkaIdempotencyConcurrencyTest}). So release must not run the waiters; wake does.
     */
    @Test
    void shouldRunNoWaiterUntilTheReleasedTicketIsWoken() {
        KafkaIdReservations r = new KafkaIdReservations();
        KafkaIdReservations.Ticket a = r.open();
        r.reserve("id-1", a);
        boolean[] ran = new boolean[1];
        a.done.thenRun(() -> ran[0] = true);
        r.release(List.of("id-1"), a);
        assertThat(ran[0]).as("a waiter ran inside release").isFalse();
        KafkaIdReservations.wake(a);
        assertThat(ran[0]).isTrue();
    }

    @Test
    void shouldCheckpointASnapshotOnlyOnceTheTicketsOpenedBeforeItAreClosed() {
        KafkaIdReservations r = new KafkaIdReservations();
        KafkaIdReservations.Ticket before = r.open();
        assertThat(r.checkpointable(() -> new long[] {1})).as("the first call only takes a snapshot").isNull();
        KafkaIdReservations.Ticket after = r.open();
        assertThat(r.checkpointable(() -> new long[] {2})).as("a ticket older than snapshot 1 is open").isNull();
        r.release(List.of(), before);
        // The ticket opened after snapshot 1 was read does not hold it back; snapshot 3 is taken now.
        assertThat(r.checkpointable(() -> new long[] {3})).containsExactly(1);
        assertThat(r.checkpointable(() -> new long[] {4})).as("snapshot 3 waits for `after`").isNull();
        assertThat(r.endIfIdle(() -> new long[] {9})).as("a ticket is open").isNull();
        r.release(List.of(), after);
        assertThat(r.checkpointable(() -> new long[] {5})).containsExactly(3);
        assertThat(r.endIfIdle(() -> new long[] {9})).containsExactly(9);
    }
}
