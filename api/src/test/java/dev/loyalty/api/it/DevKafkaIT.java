package dev.loyalty.api.it;

import dev.loyalty.engine.testing.Eventually;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/engine dev-kafka} as its own process, as an outside check runs it: a real client produces to and
 * consumes from it, SIGTERM stops it with exit 0, a second start on the same folder keeps the record, and a
 * busy port is refused with a message that names it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DevKafkaIT {

    @TempDir
    Path dir;

    @Test
    void servesARealClientStopsOnSigtermAndKeepsItsDataAcrossStarts() throws Exception {
        try (DevKafkaBroker broker = new DevKafkaBroker(dir.resolve("kafka")).start()) {
            String bootstrap = broker.bootstrapServers();
            RecordMetadata sent;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000),
                    new StringSerializer(), new StringSerializer())) {
                sent = producer.send(new ProducerRecord<>("dev-check", "k", "hello")).get(60, TimeUnit.SECONDS);
            }
            assertThat(consumeAll(bootstrap, sent)).containsExactly("hello");

            assertThat(broker.stop()).as("exit code after SIGTERM:\n" + broker.log()).isZero();

            broker.start();
            assertThat(consumeAll(bootstrap, sent)).as("the record survives a restart").containsExactly("hello");
        }
    }

    @Test
    void refusesABusyPortByName() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            EngineProcess.Result r = EngineProcess.run("dev-kafka", "--data", dir.resolve("busy").toString(),
                    "--port", Integer.toString(taken.getLocalPort()), "--controller-port", Integer.toString(freePort()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use");
        }
    }

    private static List<String> consumeAll(String bootstrap, RecordMetadata upTo) {
        TopicPartition tp = new TopicPartition(upTo.topic(), upTo.partition());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Eventually.until("the record read back", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return consumer.position(tp) > upTo.offset();
            });
        }
        return values;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
