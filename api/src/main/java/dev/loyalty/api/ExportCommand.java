package dev.loyalty.api;

import dev.loyalty.api.http.JsonViews;
import dev.loyalty.engine.DataFolderInUseException;
import dev.loyalty.engine.Export;
import dev.loyalty.engine.config.ConfigException;
import dev.loyalty.engine.config.EngineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code export}: every customer of a stopped data folder as NDJSON. */
@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Write every customer of a stopped data folder as NDJSON.", sortOptions = false,
        description = {
                "Write every customer of a stopped data folder as NDJSON: one line per customer, the same JSON "
                        + "as GET /customers/{id}, grouped by partition, by id within a partition.",
                "",
                "The server must be stopped (the folder is refused while in use): a running engine keeps its "
                        + "newest changes in memory, which an export would silently miss.",
                "",
                "Exit codes: 0 done, 1 failed or the data folder is in use, 2 bad command line or configuration."})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder; default ./data.")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration merged over the shipped defaults.")
    Path configFile;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to this file (replaced when done) instead of stdout.")
    Path outFile;

    @Override
    public Integer call() {
        EngineConfig config;
        try {
            config = ProgramConfig.loadForTool(configFile, dataDir);
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        long startNs = System.nanoTime();
        Path tmp = outFile == null ? null : outFile.resolveSibling(outFile.getFileName() + ".tmp");
        long count;
        try (OutputStream out = new BufferedOutputStream(
                tmp == null ? new NonClosing(System.out) : new FileOutputStream(tmp.toFile()), 1 << 16)) {
            count = Export.run(config, view -> {
                try {
                    out.write(JsonViews.customer(view).getBytes());
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (DataFolderInUseException e) {
            System.err.println("export: " + e.getMessage());
            deleteQuietly(tmp);
            return Main.EXIT_FAILED;
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            deleteQuietly(tmp);
            return Main.EXIT_CONFIG;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("export: writing failed: " + e.getMessage());
            deleteQuietly(tmp);
            return Main.EXIT_FAILED;
        }
        try {
            if (tmp != null) {
                Files.move(tmp, outFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            System.err.println("export: cannot write " + outFile + ": " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        System.err.printf(Locale.ROOT, "export: %,d customers in %.1f s%s%n", count,
                (System.nanoTime() - startNs) / 1e9, outFile == null ? "" : " to " + outFile);
        return 0;
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the export failed anyway
        }
    }

    /** Lets a try-with-resources flush stdout without closing it. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
