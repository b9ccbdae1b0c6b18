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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code bin/engine dev-kafka} as its own process on free loopback ports and a folder of the test's; its
 * output is appended to {@code broker.stdout.log}/{@code broker.stderr.log} beside the folder across starts.
 * Every wait is bounded.
 */
final class DevKafkaBroker implements AutoCloseable {
    private final Path data;
    private final Path stdout;
    private final Path stderr;
    private final int port = freePort();
    private final int controllerPort = freePort();
    private Process process;
    private int starts;

    DevKafkaBroker(Path data) {
        this.data = data;
        this.stdout = data.resolveSibling(data.getFileName() + ".broker.stdout.log");
        this.stderr = data.resolveSibling(data.getFileName() + ".broker.stderr.log");
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker (same folder and ports each time) and waits for its bootstrap line. */
    DevKafkaBroker start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(EngineProcess.home().resolve("bin/engine").toString(), "dev-kafka",
                "--data", data.toString(), "--port", Integer.toString(port),
                "--controller-port", Integer.toString(controllerPort));
        pb.environment().keySet().removeIf(name -> name.startsWith("ENGINE_"));
        // A test broker carries a few records: C1 only and the serial collector start it in ~2/3 of the time on
        // a loaded 2-core machine (measured 9.6 s instead of 16.8 s), the starts being most of a test's time.
        pb.environment().put("JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        process = pb.start();
        int expected = ++starts;
        // the output files are appended across starts: wait for this start's line
        Eventually.until("the broker's bootstrap line", Eventually.START,
                () -> read(stdout).lines().filter(l -> l.endsWith("bootstrap servers: " + bootstrapServers()))
                        .count() >= expected,
                () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("dev-kafka exited with " + process.exitValue() + ":\n" + log());
                    }
                });
        return this;
    }

    /** SIGTERM and wait (60 s at most, else killed and the test fails); returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("dev-kafka did not exit within 60 s of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    /** Produces one record with a plain client ({@code acks=all}), as an outside check would; its place. */
    RecordMetadata produce(String topic, String value)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000), new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, "k", value)).get(60, TimeUnit.SECONDS);
        }
    }

    /** Every value of that record's partition up to and including it, read with a plain consumer. */
    List<String> readUpTo(RecordMetadata upTo) {
        TopicPartition tp = new TopicPartition(upTo.topic(), upTo.partition());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
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

    String log() {
        return read(stdout) + read(stderr);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
