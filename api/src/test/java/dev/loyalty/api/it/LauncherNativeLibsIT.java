package dev.loyalty.api.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/engine} loads the native libraries of RocksDB, Netty's epoll and jffi from the folders the build
 * unpacked them into ({@code api/target/native}, one per jar), instead of each copying its library out of its
 * jar into the temporary folder on every start (RocksDB's 15 MB copy was never removed after a halt or a kill);
 * a folder that belongs to another version of a jar is not used. Reads the running JVM's {@code /proc/PID/maps}.
 */
@Timeout(300)
class LauncherNativeLibsIT {

    private static final String ROCKSDB = "librocksdbjni";
    private static final String EPOLL = "libnetty_transport_native_epoll";
    private static final String JFFI = "libjffi";

    @TempDir
    Path work;

    @BeforeAll
    static void onLinuxX8664() {
        assumeTrue("Linux".equals(System.getProperty("os.name")) && "amd64".equals(System.getProperty("os.arch")),
                "the build unpacks the Linux x86-64 libraries only");
    }

    @Test
    void shouldMapEveryNativeLibraryFromTheInstallNotFromACopy() throws Exception {
        Path home = EngineProcess.home();
        Path nativeDir = home.resolve("api/target/native").toRealPath();
        List<String> libraries = nativeLibrariesOfAServer(home);

        for (String library : List.of(ROCKSDB, EPOLL, JFFI)) {
            assertThat(libraries).as(library).filteredOn(path -> path.contains(library)).isNotEmpty()
                    .allMatch(path -> path.startsWith(nativeDir.toString()));
        }
    }

    @Test
    void shouldNotUseAFolderUnpackedFromAnotherVersionOfTheJar() throws Exception {
        Path real = EngineProcess.home();
        Path home = Files.createDirectories(work.resolve("home"));
        Files.createDirectories(home.resolve("bin"));
        Files.copy(real.resolve("bin/engine"), home.resolve("bin/engine"), StandardCopyOption.COPY_ATTRIBUTES);
        Path target = Files.createDirectories(home.resolve("api/target"));
        Files.createSymbolicLink(target.resolve("loyalty-engine.jar"), real.resolve("api/target/loyalty-engine.jar"));
        Files.createSymbolicLink(target.resolve("lib"), real.resolve("api/target/lib"));
        // RocksDB's library under another version's folder name, Netty's under its own
        Path realNative = real.resolve("api/target/native").toRealPath();
        Path nativeDir = Files.createDirectories(target.resolve("native"));
        try (Stream<Path> folders = Files.list(realNative)) {
            for (Path folder : folders.toList()) {
                String name = folder.getFileName().toString();
                String linked = name.startsWith("rocksdbjni-") ? "rocksdbjni-0.0.1-linux64-jar" : name;
                Files.createSymbolicLink(nativeDir.resolve(linked), folder);
            }
        }
        List<String> libraries = nativeLibrariesOfAServer(home);

        String mine = nativeDir.toString();
        assertThat(libraries).filteredOn(path -> path.contains(ROCKSDB)).isNotEmpty()
                .noneMatch(path -> path.startsWith(mine) || path.startsWith(realNative.toString()));
        assertThat(libraries).filteredOn(path -> path.contains(EPOLL)).isNotEmpty()
                .allMatch(path -> path.startsWith(realNative.toString()));
    }

    /** {@code bin/engine serve} of that home until ready: the files of the shared libraries its JVM has mapped. */
    private List<String> nativeLibrariesOfAServer(Path home) throws Exception {
        int port = freePort();
        int managementPort = freePort();
        Path log = work.resolve("serve.log");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/engine").toString(), "serve",
                "--data", work.resolve("data").toString(), "--port", Integer.toString(port),
                "--management-port", Integer.toString(managementPort))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("ENGINE_"));
        pb.environment().putAll(Map.of("JAVA_OPTS", "-XX:TieredStopAtLevel=1"));
        Process process = pb.start();
        try {
            EngineProcess.awaitReady(process, managementPort, log);
            // bin/engine execs the JVM: the process is the JVM
            List<String> mapped = Files.readAllLines(Path.of("/proc/" + process.pid() + "/maps")).stream()
                    .map(line -> line.split("\\s+", 6))
                    .filter(fields -> fields.length == 6 && fields[5].contains(".so"))
                    .map(fields -> fields[5]).distinct().toList();
            process.destroy();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("stopped").isTrue();
            return mapped;
        } finally {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
