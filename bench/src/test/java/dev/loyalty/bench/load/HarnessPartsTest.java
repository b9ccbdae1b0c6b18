package dev.loyalty.bench.load;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HarnessPartsTest {

    @Test
    void shouldReadDurationOptionsAsTheEngineReadsThem() {
        RunCommand command = (RunCommand) LoadHarness.commandLine()
                .parseArgs("run", "--duration", "250ms", "--warmup", "2m", "--drain", "1h")
                .subcommand().commandSpec().userObject();
        assertThat(command.duration).isEqualTo(Duration.ofMillis(250));
        assertThat(command.warmup).isEqualTo(Duration.ofMinutes(2));
        assertThat(command.drain).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> LoadHarness.commandLine().parseArgs("run", "--duration", "5 parsecs"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("ms, s, m, h or d");
    }

    @Test
    void shouldSumMinAndMaxPrometheusSeries() {
        PromText p = new PromText("""
                # HELP loyalty_partition_lag_records Journal records not yet applied
                # TYPE loyalty_partition_lag_records gauge
                loyalty_partition_lag_records{partition="0"} 12.0
                loyalty_partition_lag_records{partition="1"} 3.0
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.0E7
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.0E7
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
                loyalty_journal_last_seq 4711.0
                """);
        assertThat(p.max("loyalty_partition_lag_records")).isEqualTo(12.0);
        assertThat(p.min("loyalty_partition_lag_records")).isEqualTo(3.0);
        assertThat(p.sum("jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(3.0e7);
        assertThat(p.sum("loyalty_journal_last_seq")).isEqualTo(4711.0);
        assertThat(p.sum("no_such_metric")).isNaN();
    }

    @Test
    void shouldReadTheErrorCountOfABulkAnswer() {
        assertThat(LoadGenerator.bulkErrors(Buffer.buffer("{\"total\":100,\"errors\":17,\"results\":[]}"))).isEqualTo(17);
        assertThat(LoadGenerator.bulkErrors(Buffer.buffer("{\"total\":1,\"errors\":0,\"results\":[]}"))).isZero();
        assertThat(LoadGenerator.bulkErrors(Buffer.buffer("{\"seq\":1}"))).isZero();
    }
}
