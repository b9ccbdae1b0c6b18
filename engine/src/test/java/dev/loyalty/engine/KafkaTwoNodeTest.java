package dev.loyalty.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.engine.LoyaltyEngine.ProgramStats;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.cluster.ClusterView;
import dev.loyalty.engine.cluster.Owner;
import dev.loyalty.engine.config.ConfigLoader;
import dev.loyalty.engine.config.EngineConfig;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.testing.Eventually;
import dev.loyalty.engine.testing.KafkaTestCluster;
import dev.loyalty.engine.testing.Owners;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two engine nodes sharing one Kafka journal through the consumer group (in one JVM, on the shared in-JVM
 * broker): the partitions split between them, each knows who owns the others and at which URL; one node is
 * killed mid-load (its group member stops without leaving, as a SIGKILLed process's does) and the other takes
 * its partitions once the session times out; every acknowledged event is applied exactly once (balances equal
 * the acknowledged sums, statistics equal the aggregate); the killed node comes back on its data folder, takes
 * partitions again from its own snapshot and agrees.
 */
@Timeout(180)
class KafkaTwoNodeTest {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTwoNodeTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static final int CUSTOMERS = 40;
    private static final Duration SESSION = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private static EngineConfig config(Path data, String topic, String node) {
        return ConfigLoader.loadShipped(Path.of(".."), null, Map.of(),
                KafkaTestCluster.nodeOn(topic, data, PARTITIONS, node, SESSION));
    }

    private static Submission submit(LoyaltyEngine engine, String json, boolean await) throws Exception {
        JsonNode node = JSON.readTree(json);
        Validated v = engine.validator().validate(node, engine.nowMs());
        assertThat(v.error()).as("valid: " + json).isNull();
        return engine.submit(List.of(new Submitted(v.event(), node.hashCode() | 1)), await).get(0);
    }

    private static int owned(LoyaltyEngine engine) {
        ClusterView c = engine.cluster();
        int n = 0;
        for (int p = 0; p < c.partitions(); p++) {
            Owner o = c.owner(p);
            if (o != null && o.local()) {
                n++;
            }
        }
        return n;
    }

    private static LoyaltyEngine ownerOf(String customer, LoyaltyEngine... nodes) {
        return Owners.ownerOf(customer, nodes);
    }

    private static long balance(LoyaltyEngine engine, String customer) throws Exception {
        return engine.customer(customer).get(10, TimeUnit.SECONDS).accounts().get("points").balance();
    }

    @Test
    void shouldSplitPartitionsFailOverAKilledNodeAndTakeThemBackWithNothingLostOrAppliedTwice() throws Exception {
        String topic = KafkaTestCluster.topic("two-nodes");
        Path dataA = dir.resolve("a");
        Path dataB = dir.resolve("b");
        SimpleMeterRegistry metricsA = new SimpleMeterRegistry();
        SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
        LoyaltyEngine a = Eventually.ready(Engine.start(config(dataA, topic, "node-a"), metricsA));
        LoyaltyEngine b = Eventually.ready(Engine.start(config(dataB, topic, "node-b"), metricsB));
        try {
            Eventually.until("the partitions split between the nodes", Eventually.START,
                    () -> owned(a) > 0 && owned(b) > 0 && owned(a) + owned(b) == PARTITIONS
                            && a.ready() && b.ready());
            // Each node knows the other's partitions and URL (nodes topic + the group's assignment).
            Eventually.until("each node knows who owns every partition", Eventually.START, () -> {
                for (int p = 0; p < PARTITIONS; p++) {
                    Owner fromA = a.cluster().owner(p);
                    Owner fromB = b.cluster().owner(p);
                    if (fromA == null || fromB == null || !fromA.nodeId().equals(fromB.nodeId())
                            || fromA.local() == fromB.local()
                            || !("http://" + fromA.nodeId() + ".test:8080").equals((fromA.local() ? fromB : fromA).url())) {
                        return false;
                    }
                }
                return true;
            });

            assertThat(metricsA.get("loyalty_cluster_partitions_owned").gauge().value()).isEqualTo(owned(a));
            assertThat(metricsB.get("loyalty_cluster_partitions_owned").gauge().value()).isEqualTo(owned(b));
            assertThat(metricsA.get("loyalty_cluster_rebalances_total").counter().count()).isPositive();
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(metricsA.get("loyalty_cluster_restore_remaining_records").tag("partition", "" + p)
                        .gauge().value()).as("caught up: nothing left to restore").isZero();
            }

            AtomicLongArray acked = new AtomicLongArray(CUSTOMERS);
            for (int c = 0; c < CUSTOMERS; c++) {
                Submission s = submit(ownerOf("k-" + c, a, b), "{\"customer\":\"k-" + c + "\",\"action\":\"opt_in\"}", true);
                assertThat(s.result().get(10, TimeUnit.SECONDS).outcome().applied()).isTrue();
            }

            // Load through node b (it survives), events for every customer, acknowledged ones counted.
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicLong sent = new AtomicLong();
            Thread load = new Thread(() -> {
                long i = 0;
                while (loading.get()) {
                    int c = ThreadLocalRandom.current().nextInt(CUSTOMERS);
                    int points = 1 + (int) (i % 7);
                    try {
                        Submission s = submit(b, "{\"id\":\"add-" + i + "\",\"customer\":\"k-" + c
                                + "\",\"action\":\"point_add\",\"data\":{\"points\":" + points + "}}", false);
                        if (s.refusal() == null) {
                            acked.addAndGet(c, points);
                            sent.incrementAndGet();
                        }
                    } catch (LoyaltyEngine.IngestRefusedException e) {
                        // not acknowledged: not counted
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    i++;
                }
            }, "load");
            load.start();
            Eventually.until("some load before the kill", Duration.ofSeconds(60), () -> sent.get() >= 300);
            int aOwned = owned(a);

            long killedNs = System.nanoTime();
            ((EngineImpl) a).abandonGroupForTest();
            Eventually.until("node b serves every partition", Duration.ofSeconds(30),
                    () -> owned(b) == PARTITIONS && b.ready());
            long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
            LOG.info("failover of {} partitions took {} ms (session timeout {} ms)", aOwned, failoverMs,
                    SESSION.toMillis());
            Eventually.until("more load after the failover", Duration.ofSeconds(60), () -> sent.get() >= 600);
            loading.set(false);
            load.join(30_000);
            a.close();

            assertBalances(acked, b);
            ProgramStats stats = b.stats();
            long total = 0;
            for (int c = 0; c < CUSTOMERS; c++) {
                total += acked.get(c);
            }
            assertThat(stats.membersTotal()).isEqualTo(CUSTOMERS);
            assertThat(stats.liability()).containsEntry("points", total);
            assertThat(stats.eventsApplied()).as("every acknowledged event applied once").isEqualTo(CUSTOMERS + sent.get());

            // The killed node comes back on its own data folder and takes partitions again.
            LoyaltyEngine back = Eventually.ready(Engine.start(config(dataA, topic, "node-a"), new SimpleMeterRegistry()));
            try {
                Eventually.until("node a takes partitions again", Eventually.START,
                        () -> owned(back) > 0 && owned(back) + owned(b) == PARTITIONS && back.ready() && b.ready());
                assertBalances(acked, back, b);
                ProgramStats fromA = back.stats();
                ProgramStats fromB = b.stats();
                assertThat(fromA.membersTotal() + fromB.membersTotal()).isEqualTo(CUSTOMERS);
                assertThat(fromA.liability().get("points") + fromB.liability().get("points")).isEqualTo(total);
                assertThat(fromA.eventsApplied() + fromB.eventsApplied()).isEqualTo(CUSTOMERS + sent.get());
            } finally {
                back.close();
            }
            // A clean stop leaves the group at once: b gets back, in the same process, partitions it served before.
            Eventually.until("node b serves every partition again", Duration.ofSeconds(30),
                    () -> owned(b) == PARTITIONS && b.ready());
            assertBalances(acked, b);
            assertThat(b.stats().eventsApplied()).isEqualTo(CUSTOMERS + sent.get());
        } finally {
            a.close();
            b.close();
        }
    }

    /** Waits for the owners to apply what was acknowledged (async events), then checks every balance. */
    private static void assertBalances(AtomicLongArray acked, LoyaltyEngine... nodes) throws Exception {
        Eventually.until("every acknowledged event applied", Duration.ofSeconds(60), () -> {
            for (int c = 0; c < CUSTOMERS; c++) {
                LoyaltyEngine owner = ownerOf("k-" + c, nodes);
                if (owner == null || balance(owner, "k-" + c) < acked.get(c)) {
                    return false;
                }
            }
            return true;
        });
        for (int c = 0; c < CUSTOMERS; c++) {
            assertThat(balance(ownerOf("k-" + c, nodes), "k-" + c)).as("balance of k-" + c).isEqualTo(acked.get(c));
        }
    }
}
