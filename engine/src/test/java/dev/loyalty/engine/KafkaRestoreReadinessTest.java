package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.CustomerDetail;
import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.cluster.ClusterView;
import dev.loyalty.engine.cluster.Owner;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.journal.IngestClock;
import dev.loyalty.engine.journal.JournalReader;
import dev.loyalty.engine.rules.CustomerView;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A partition moved to a node by a rebalance counts as served there only once its state is restored: while the
 * new owner is still restoring it (here held back: its reader hands over no record until released, as a slow
 * broker or a large partition would), the node is not ready, {@code loyalty_cluster_partitions_owned} does not
 * count it, {@code stats()} refuses with 503 instead of summing a partial state, and a read waits for the restore
 * instead of answering from an empty state. (The race of issue 13's ClusterForwardingIT flake: a node counted a
 * partition the moment it was assigned, and its {@code /stats} summed what the restore had applied so far.)
 */
@Timeout(180)
class KafkaRestoreReadinessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static final int CUSTOMERS = 24;

    @TempDir
    Path dir;

    private static EngineConfig config(Path data, String topic, String node) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(),
                KafkaTestCluster.nodeOn(topic, data, PARTITIONS, node, Duration.ofSeconds(3)));
    }

    /** A partition's reader that hands over nothing while {@code held}: its processor stays behind. */
    private record HeldReader(JournalReader reader, AtomicBoolean held) implements JournalReader {
        @Override
        public boolean next(RecordVisitor visitor) {
            return !held.get() && reader.next(visitor);
        }

        @Override
        public void seekAfter(long position) {
            reader.seekAfter(position);
        }

        @Override
        public void close() {
            reader.close();
        }
    }

    private static void submitAll(LoyaltyEngine engine, List<String> bodies) throws Exception {
        List<Submitted> events = new ArrayList<>();
        for (String body : bodies) {
            JsonNode node = JSON.readTree(body);
            Validated v = engine.validator().validate(node, engine.nowMs());
            assertThat(v.error()).as("valid: " + body).isNull();
            events.add(new Submitted(v.event(), node.hashCode() | 1));
        }
        for (Submission s : engine.submit(events, true)) {
            assertThat(s.refusal()).isNull();
            assertThat(s.result().get(30, TimeUnit.SECONDS).outcome().applied()).isTrue();
        }
    }

    /** Partitions the node's group membership holds (assigned, restored or not). */
    private static List<Integer> assigned(LoyaltyEngine engine) {
        ClusterView c = engine.cluster();
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < c.partitions(); p++) {
            Owner o = c.owner(p);
            if (o != null && o.local()) {
                out.add(p);
            }
        }
        return out;
    }

    private static double ownedGauge(SimpleMeterRegistry registry) {
        return registry.get("loyalty_cluster_partitions_owned").gauge().value();
    }

    @Test
    void shouldServeAMovedPartitionOnlyOnceItsStateIsRestored() throws Exception {
        String topic = KafkaTestCluster.topic("restore-ready");
        SimpleMeterRegistry metricsA = new SimpleMeterRegistry();
        SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
        LoyaltyEngine a = Eventually.ready(Engine.start(config(dir.resolve("a"), topic, "node-a"), metricsA));
        LoyaltyEngine b = null;
        AtomicBoolean held = new AtomicBoolean(true);
        try {
            Eventually.until("node a alone owns every partition", Eventually.START,
                    () -> assigned(a).size() == PARTITIONS && ownedGauge(metricsA) == PARTITIONS);
            List<String> optIns = new ArrayList<>();
            List<String> adds = new ArrayList<>();
            long total = 0;
            for (int c = 0; c < CUSTOMERS; c++) {
                optIns.add("{\"customer\":\"m-" + c + "\",\"action\":\"opt_in\"}");
                adds.add("{\"id\":\"m-add-" + c + "\",\"customer\":\"m-" + c
                        + "\",\"action\":\"point_add\",\"data\":{\"points\":" + (100 + c) + "}}");
                total += 100 + c;
            }
            submitAll(a, optIns);
            submitAll(a, adds);

            // Node b joins with an empty data folder: the partitions it is given replay from offset 0, held back.
            b = new EngineImpl(config(dir.resolve("b"), topic, "node-b"), metricsB, "serve", IngestClock.systemWall(),
                    reader -> new HeldReader(reader, held));
            LoyaltyEngine nodeB = b;
            Eventually.until("node b was given partitions and node a gave them up", Eventually.START,
                    () -> !assigned(nodeB).isEmpty() && assigned(a).size() + assigned(nodeB).size() == PARTITIONS);
            List<Integer> moved = assigned(b);
            int customerOfB = -1;
            for (int c = 0; c < CUSTOMERS && customerOfB < 0; c++) {
                if (moved.contains(b.cluster().partitionOf("m-" + c))) {
                    customerOfB = c;
                }
            }
            assertThat(customerOfB).as("a customer in a moved partition").isNotNegative();

            // Still restoring: nothing of the moved partitions may count as served.
            assertThat(b.ready()).as("ready while restoring").isFalse();
            assertThat(ownedGauge(metricsB)).as("partitions_owned counts a partition still restoring").isZero();
            for (int p : moved) {
                // Records, not seqs: at most what node a journaled (a heartbeat now and then aside).
                assertThat(metricsB.get("loyalty_cluster_restore_remaining_records").tag("partition", "" + p)
                        .gauge().value()).as("records left to restore in partition " + p).isBetween(1.0, 10_000.0);
            }
            assertThatThrownBy(nodeB::stats).as("statistics of a partial state")
                    .isInstanceOfSatisfying(IngestRefusedException.class, e -> assertThat(e.status()).isEqualTo(503));
            CompletableFuture<CustomerView> read = b.customer("m-" + customerOfB);
            CompletableFuture<CustomerDetail> detail = b.customerDetail("m-" + customerOfB, 3);

            held.set(false);
            CustomerView view = read.get(30, TimeUnit.SECONDS);
            assertThat(view).as("the read waited for the restore (an empty state knows no customer)").isNotNull();
            assertThat(view.accounts().get("points").balance()).isEqualTo(100L + customerOfB);
            assertThat(detail.get(30, TimeUnit.SECONDS).view().accounts().get("points").balance())
                    .isEqualTo(100L + customerOfB);

            // The moment the gauge counts the moved partitions, the node's figures are whole.
            Eventually.until("node b serves the moved partitions", Duration.ofSeconds(60),
                    () -> ownedGauge(metricsB) == moved.size());
            ProgramStats fromB = b.stats();
            ProgramStats fromA = a.stats();
            assertThat(b.ready()).isTrue();
            assertThat(fromA.membersTotal() + fromB.membersTotal()).isEqualTo(CUSTOMERS);
            assertThat(fromA.liability().get("points") + fromB.liability().get("points")).isEqualTo(total);
            assertThat(fromA.eventsApplied() + fromB.eventsApplied()).isEqualTo(2L * CUSTOMERS);
        } finally {
            held.set(false);
            if (b != null) {
                b.close();
            }
            a.close();
        }
    }
}
