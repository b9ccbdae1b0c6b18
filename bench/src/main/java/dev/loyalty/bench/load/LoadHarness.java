package dev.loyalty.bench.load;

import dev.loyalty.engine.config.Units;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.time.Duration;

/**
 * The load harness: {@code run} drives the real HTTP server (or the bare baseline) with the realistic mix,
 * at a constant offered rate with coordinated-omission-corrected HdrHistogram percentiles, or closed loop;
 * {@code preload} creates the customers first. See bench/README.md.
 * <pre>
 *   java -cp bench/target/benchmarks.jar dev.loyalty.bench.load.LoadHarness run --url http://127.0.0.1:8080 \
 *       --management http://127.0.0.1:9090 --mode sync --rate 20000 --duration 60s --customers 1000000
 * </pre>
 */
@Command(name = "load-harness", mixinStandardHelpOptions = true,
        subcommands = {RunCommand.class, PreloadCommand.class},
        description = "Load harness of the loyalty engine (realistic mix, constant rate, HdrHistogram).")
public final class LoadHarness {

    private LoadHarness() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line; durations are read as the engine's configuration reads them ({@code 250ms 30s 2m}). */
    static CommandLine commandLine() {
        return new CommandLine(new LoadHarness()).registerConverter(Duration.class, Units::parseDuration);
    }
}
