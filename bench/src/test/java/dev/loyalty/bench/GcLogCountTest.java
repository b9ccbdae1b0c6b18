package dev.loyalty.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The GC pause count of bench/lib.sh (run-all.sh, restart-profile.sh, gc-compare.sh) on real logs of G1 and ZGC. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GcLogCountTest {

    @Test
    void g1PausesAreCountedWithTheirSafepoints() throws Exception {
        // JDK 17 G1, -Xlog:gc,gc+phases,safepoint: eight young pauses (the phase lines must not count again)
        assertThat(lib("gc_pauses " + log("g1-jdk17.log"))).isEqualTo("8 94.00 4 129.19 4");
    }

    @Test
    void zgcPausesAreCountedFromItsPhaseLines() throws Exception {
        // JDK 25 generational ZGC: its pauses are gc+phases lines ("Y: Pause Mark Start 0.046ms"); the stops the
        // application saw are the Z* safepoints, time to reach them included
        assertThat(lib("gc_pauses " + log("zgc-jdk25.log"))).isEqualTo("10 0.05 0 18.65 2");
        assertThat(lib("gc_verdict 0 2")).isEqualTo("FAIL");
    }

    @Test
    void aLogWithoutPauseLinesMeasuredNothing() throws Exception {
        // what -Xlog:gc alone gives on ZGC: whole collections, no pause; the old count read it as "0 pauses, pass"
        String figures = lib("gc_pauses " + log("zgc-gc-only.log"));
        assertThat(figures).isEqualTo("0 NaN NaN NaN NaN");
        assertThat(lib("read -r n max over smax sover <<< \"$(gc_pauses " + log("zgc-gc-only.log") + ")\"; gc_verdict \"$over\" \"$sover\""))
                .isEqualTo("n/a");
        assertThat(lib("gc_line " + log("zgc-gc-only.log"))).contains("n/a");
        assertThat(lib("gc_pauses /nonexistent/gc.log")).isEqualTo("0 NaN NaN NaN NaN");
    }

    @Test
    void onlyTheLinesOfTheWindowCount() throws Exception {
        Path g1 = Paths.get(log("g1-jdk17.log"));
        long total = Files.lines(g1).count();
        // from the last line on nothing is left; the whole window is the whole log
        assertThat(lib("gc_pauses " + g1 + " " + total)).isEqualTo("0 NaN NaN NaN NaN");
        assertThat(lib("gc_pauses " + g1 + " 0 " + total)).isEqualTo(lib("gc_pauses " + g1));
        assertThat(lib("gc_verdict 0 0")).isEqualTo("pass");
        assertThat(lib("gc_verdict 1 0")).isEqualTo("FAIL");
    }

    @Test
    void theLogOptionNamesPhasesAndSafepoints() throws Exception {
        assertThat(lib("gc_log_opts /tmp/x.log")).isEqualTo("-Xlog:gc,gc+phases,safepoint:file=/tmp/x.log:uptime,level,tags");
    }

    private static String log(String name) {
        return Paths.get("src/test/resources/gclogs", name).toAbsolutePath().toString();
    }

    private static String lib(String command) throws IOException, InterruptedException {
        return BenchLib.run(command);
    }
}
