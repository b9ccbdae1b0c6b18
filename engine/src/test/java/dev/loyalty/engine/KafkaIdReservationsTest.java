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
        // Waiters are woken apart from the release, once the releasing thread let its shard locks go.
        assertThat(a.done).isNotDone();
        KafkaIdReservations.wake(a);
        assertThat(a.done).isCompleted();
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
