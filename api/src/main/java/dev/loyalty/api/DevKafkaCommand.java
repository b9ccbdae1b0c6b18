package dev.loyalty.api;

import dev.loyalty.api.logging.ProgramLogging;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.event.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code dev-kafka}: a single-node KRaft Apache Kafka broker (the real server, combined broker and controller)
 * in this process, on loopback, for development, demos and outside checks on a machine without Docker.
 * Formats its storage on first use, then runs until SIGTERM/SIGINT.
 */
@Command(name = "dev-kafka", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run a single-node Kafka broker (KRaft) for development.",
        description = {"Runs Apache Kafka (one combined broker and controller, KRaft) on 127.0.0.1 for "
                + "development, demos and outside checks: engines reach it with "
                + "ENGINE_JOURNAL_KIND=kafka and ENGINE_JOURNAL_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:PORT.",
                "",
                "Formats DIR on first use (later starts keep its topics), prints the bootstrap address, and "
                + "runs until SIGTERM or SIGINT; exit 0 after a clean stop.",
                "Not for production: one replica, no security.",
                "",
                "Exit codes: 0 stopped cleanly, 1 could not start (a port in use, storage not writable), "
                + "2 bad command line."})
final class DevKafkaCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "The broker's storage folder.")
    Path dataDir;

    @Option(names = "--port", paramLabel = "N", defaultValue = "9092",
            description = "Port of the client listener (the bootstrap address); default ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--controller-port", paramLabel = "N", defaultValue = "9093",
            description = "Port of the KRaft controller listener; default ${DEFAULT-VALUE}.")
    int controllerPort;

    @Override
    public Integer call() throws IOException {
        // Kafka's own info lines (config dumps, log segments) drown what a developer needs here.
        ProgramLogging.threshold(Level.WARN);
        String refused = checkPorts();
        if (refused != null) {
            System.err.println("dev-kafka: " + refused);
            return Main.EXIT_FAILED;
        }
        Path logs = dataDir.toAbsolutePath().resolve("logs");
        Files.createDirectories(logs);
        Properties props = properties(logs);
        Path propsFile = dataDir.toAbsolutePath().resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(propsFile)) {
            props.store(out, "written by bin/engine dev-kafka at each start (ports may change)");
        }
        if (!Files.exists(logs.resolve("meta.properties"))) {
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                    propsFile.toString()}, new PrintStream(said, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                System.err.println("dev-kafka: formatting " + logs + " failed: " + said.toString(StandardCharsets.UTF_8));
                return Main.EXIT_FAILED;
            }
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            System.err.println("dev-kafka: the broker did not start: " + e);
            server.shutdown();
            return Main.EXIT_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "shutdown"));
        System.out.println("kafka broker (KRaft, single node) on 127.0.0.1:" + port + ", data " + logs
                + "; bootstrap servers: 127.0.0.1:" + port);
        System.out.flush();
        server.awaitShutdown();
        return 0;
    }

    /**
     * The shutdown hook: the broker closes its logs cleanly (the next start needs no recovery), then the
     * JVM exits 0 rather than 128 + the signal, as service managers expect of a clean stop.
     */
    private static void stop(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
        ProgramLogging.stop();
        Runtime.getRuntime().halt(0);
    }

    /** A clear refusal when a port is out of range, repeated or taken; null when both can be bound. */
    private String checkPorts() {
        if (port < 1 || port > 65535 || controllerPort < 1 || controllerPort > 65535) {
            return "ports must be 1-65535 (got --port " + port + ", --controller-port " + controllerPort + ")";
        }
        if (port == controllerPort) {
            return "--port and --controller-port must differ (both " + port + ")";
        }
        for (int p : new int[] {port, controllerPort}) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            } catch (IOException e) {
                return "port " + p + " on 127.0.0.1 is in use (" + e.getMessage() + "); pick free ports with "
                        + "--port and --controller-port";
            }
        }
        return null;
    }

    private Properties properties(Path logs) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logs.toString());
        // One broker: every internal topic has one replica.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        return p;
    }
}
